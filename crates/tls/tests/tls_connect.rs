//! Every TLS setting against a real server that accepts only TLS over TCP, with a
//! certificate for `localhost` signed by a throwaway CA (refract-testdb's `TlsServer`),
//! and against one with TLS off (`PlainServer`): which URLs connect encrypted, and which
//! fail, with what message.

use refract_testdb::{PlainServer, TlsServer};
use refract_tls::{
    TlsParams, decode_query_value, describe_tls_failure, is_tls_failure, with_causes,
};

/// Connects the way refract's runtime and migrate do: TLS pairs to [`TlsParams`], the
/// rest to tokio-postgres. Returns whether the session is encrypted.
async fn connect(url: &str) -> Result<bool, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut tls = TlsParams::default();
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !tls
            .take(key, &decode_query_value(value))
            .map_err(|e| e.to_string())?
        {
            kept.push(pair);
        }
    }
    let mut config: tokio_postgres::Config = if kept.is_empty() {
        base.parse()
    } else {
        format!("{base}?{}", kept.join("&")).parse()
    }
    .map_err(|e: tokio_postgres::Error| e.to_string())?;
    config.ssl_mode(tls.postgres_ssl_mode());
    let connector = tls.connector().map_err(|e| e.to_string())?;
    let (client, connection) = config.connect(connector).await.map_err(|e| {
        if is_tls_failure(&e) {
            describe_tls_failure(&e)
        } else {
            with_causes(&e)
        }
    })?;
    tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.get(0))
}

#[tokio::test]
async fn each_setting_connects_or_fails_as_documented() {
    let server = TlsServer::start().expect("a TLS server");
    let ca = server.ca_certificate().display().to_string();
    let other_ca = server.other_ca_certificate().display().to_string();
    // (host, query, Ok(encrypted) or Err(part of the message))
    let cases: Vec<(&str, String, Result<bool, &str>)> = vec![
        ("localhost", String::new(), Ok(true)),
        ("localhost", "sslmode=prefer".into(), Ok(true)),
        ("localhost", "sslmode=require".into(), Ok(true)),
        // Encryption only: a certificate for another name, from an unknown CA, passes.
        ("127.0.0.1", "sslmode=require".into(), Ok(true)),
        ("localhost", "sslmode=disable".into(), Err("pg_hba.conf")),
        (
            "localhost",
            "sslmode=require&sslaccept=strict".into(),
            Err("UnknownIssuer"),
        ),
        (
            "localhost",
            format!("sslmode=require&sslaccept=strict&sslcert={ca}"),
            Ok(true),
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={ca}"),
            Ok(true),
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-full&sslrootcert={ca}"),
            Err("certificate not valid for name \"127.0.0.1\""),
        ),
        (
            "127.0.0.1",
            format!("sslmode=require&sslaccept=strict&sslcert={ca}"),
            Err("certificate not valid for name \"127.0.0.1\""),
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={ca}"),
            Ok(true),
        ),
        (
            "localhost",
            format!("sslmode=verify-ca&sslrootcert={other_ca}"),
            Err("UnknownIssuer"),
        ),
        // Both the chain and the name are wrong: verify-ca must still refuse it.
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={other_ca}"),
            Err("UnknownIssuer"),
        ),
        // libpq: a root certificate turns require into verify-ca...
        (
            "127.0.0.1",
            format!("sslmode=require&sslrootcert={other_ca}"),
            Err("UnknownIssuer"),
        ),
        (
            "127.0.0.1",
            format!("sslmode=require&sslrootcert={ca}"),
            Ok(true),
        ),
        // ...Prisma's sslcert does not (its default is accept_invalid_certs).
        (
            "127.0.0.1",
            format!("sslmode=require&sslcert={other_ca}"),
            Ok(true),
        ),
        // Both names given: both files are trusted.
        (
            "localhost",
            format!("sslmode=verify-full&sslcert={other_ca}&sslrootcert={ca}"),
            Ok(true),
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={other_ca}&sslcert={ca}"),
            Ok(true),
        ),
        (
            "localhost",
            "sslmode=verify-ca".into(),
            Err("`sslmode=verify-ca` checks the certificate's chain but not its host name"),
        ),
        (
            "localhost",
            "sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem".into(),
            Err("cannot read the certificate file `/nonexistent/ca.pem`"),
        ),
        (
            "localhost",
            "sslmode=require&sslidentity=client.p12&sslpassword=x".into(),
            Err("client certificates (`sslidentity`) are not supported yet"),
        ),
    ];
    let mut failures = Vec::new();
    for (host, query, expected) in &cases {
        let url = format!("{}?{query}", server.url(host));
        let got = connect(&url).await;
        let matches = match (&got, expected) {
            (Ok(encrypted), Ok(want)) => encrypted == want,
            (Err(message), Err(part)) => message.contains(part),
            _ => false,
        };
        if !matches {
            failures.push(format!(
                "{url}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_server_without_tls() {
    let server = PlainServer::start().expect("a plain server");
    let url = server.url();
    let cases: Vec<(String, Result<bool, &str>)> = vec![
        (url.clone(), Ok(false)),
        (format!("{url}?sslmode=prefer"), Ok(false)),
        (format!("{url}?sslmode=disable"), Ok(false)),
        (
            format!("{url}?sslmode=require"),
            Err(
                "server does not support TLS; the URL requires TLS but the server has it turned off",
            ),
        ),
        // A check never falls back to an unencrypted connection.
        (
            format!("{url}?sslaccept=strict"),
            Err("server does not support TLS"),
        ),
    ];
    for (url, expected) in cases {
        let got = connect(&url).await;
        let matches = match (&got, &expected) {
            (Ok(encrypted), Ok(want)) => encrypted == want,
            (Err(message), Err(part)) => message.contains(part),
            _ => false,
        };
        assert!(
            matches,
            "{url}\n  expected {expected:?}\n  got      {got:?}"
        );
    }
}
