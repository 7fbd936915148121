//! The client's pool over TLS, configured by the URL (refract-tls), against a server that
//! accepts only TLS (refract-testdb's `TlsServer`), and the errors for bad TLS settings.

use refract_runtime::{Client, Error};
use refract_testdb::TlsServer;

async fn encrypted(client: &Client) -> Result<bool, Error> {
    let rows = client
        .query_raw(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await?;
    Ok(rows.first().is_some_and(|row| row.get::<_, bool>(0)))
}

#[tokio::test]
async fn pool_connects_over_tls_and_reports_tls_failures_as_p1011() {
    let server = TlsServer::start().expect("a TLS server");
    let ca = server.ca_certificate().display().to_string();

    let client = Client::new(&format!("{}?sslmode=require", server.url("localhost"))).unwrap();
    assert!(encrypted(&client).await.unwrap(), "sslmode=require");

    let verified = format!(
        "{}?sslmode=verify-full&sslrootcert={ca}&connection_limit=2",
        server.url("localhost")
    );
    let client = Client::new(&verified).unwrap();
    assert!(encrypted(&client).await.unwrap(), "verify-full");

    let strict = format!("{}?sslaccept=strict", server.url("127.0.0.1"));
    let error = Client::new(&strict)
        .unwrap()
        .connect()
        .await
        .expect_err("no trusted CA");
    assert_eq!(error.code(), Some("P1011"), "{error}");
    assert!(error.to_string().contains("UnknownIssuer"), "{error}");
}

#[test]
fn bad_tls_settings_are_configuration_errors() {
    for (url, part) in [
        ("postgresql://h/db?sslmode=on", "`sslmode=on` is not valid"),
        (
            "postgresql://h/db?sslaccept=maybe",
            "`sslaccept=maybe` is not valid",
        ),
        ("postgresql://h/db?sslidentity=c.p12", "client certificates"),
        (
            "postgresql://h/db?sslmode=verify-ca&sslrootcert=%2Fnonexistent%2Fca.pem",
            "cannot read the certificate file `/nonexistent/ca.pem`",
        ),
    ] {
        let error = Client::new(url).expect_err(url);
        assert_eq!(error.code(), Some("P1013"), "{url}: {error}");
        assert!(error.to_string().contains(part), "{url}: {error}");
    }
}
