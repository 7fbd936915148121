//! migrate's connections over TLS (refract-tls) against a server that accepts only TLS
//! (refract-testdb's `TlsServer`): the URL's settings are honoured, and TLS failures are
//! P1011 with a hint.

use refract_migrate::commands::{MigrateError, connect};
use refract_testdb::TlsServer;

#[tokio::test]
async fn connects_over_tls_and_explains_tls_failures() {
    let server = TlsServer::start().expect("a TLS server");
    let ca = server.ca_certificate().display().to_string();

    let url = format!(
        "{}?sslmode=verify-full&sslcert={ca}&schema=app",
        server.url("localhost")
    );
    let client = connect(&url).await.expect("verified TLS connection");
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));

    let cases = [
        (
            format!("{}?sslaccept=strict", server.url("localhost")),
            "P1011: Error opening a TLS connection to `postgresql://postgres@localhost",
            "name the CA that signed it with `sslrootcert=PATH`",
        ),
        (
            format!(
                "{}?sslmode=verify-full&sslcert={ca}",
                server.url("127.0.0.1")
            ),
            "certificate not valid for name",
            "connect by a name it was issued for, or check only the chain with `sslmode=verify-ca&sslrootcert=PATH`",
        ),
    ];
    for (url, first, hint) in cases {
        let error = connect(&url).await.expect_err("TLS must fail");
        assert!(
            matches!(error, MigrateError::Tls { .. }),
            "{url}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(first) && message.contains(hint),
            "{url}: {message}"
        );
    }

    let error = connect(&format!("{}?sslmode=required", server.url("localhost")))
        .await
        .expect_err("a typo in sslmode");
    assert_eq!(
        error.to_string(),
        "P1013: The provided database string is invalid. `sslmode=required` is not valid: \
         expected disable, prefer, require, verify-ca or verify-full"
    );
}
