//! Database tests of [`TlsServer`]: TCP without TLS is rejected, TLS is accepted and the
//! server's certificate verifies against its CA for `localhost` only; starting and
//! dropping TLS servers leaves the shared test server (and other TLS servers) running.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use refract_testdb::{TestDb, TlsServer};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres::error::SqlState;

/// A rustls client configuration trusting only the CA certificates in `ca` (a PEM file).
fn trusting(ca: &Path) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(certificate.unwrap()).unwrap();
    }
    #[allow(deprecated)] // ring, as refract-tls uses (see its ring_provider)
    let provider = rustls::crypto::ring::default_provider();
    rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

async fn connect_tls(
    url: &str,
    ca: &Path,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(trusting(ca));
    let (client, connection) =
        tokio_postgres::connect(&format!("{url}?sslmode=require"), tls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// The certificate error a failed TLS connection reports, if that is why it failed.
fn certificate_error(error: &tokio_postgres::Error) -> Option<&rustls::CertificateError> {
    let io = std::error::Error::source(error)?.downcast_ref::<std::io::Error>()?;
    match io.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(error) => Some(error),
        _ => None,
    }
}

async fn uses_tls(client: &tokio_postgres::Client) -> bool {
    refract_testdb::one_value(
        client,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .await
}

#[tokio::test]
async fn tcp_without_tls_is_rejected() {
    let server = TlsServer::start().unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("{}?sslmode=disable", server.url(host));
        let error = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .err()
            .unwrap_or_else(|| panic!("a connection without TLS to {host} was accepted"));
        // Rejected by pg_hba.conf (`hostnossl ... reject`), not merely unreachable.
        assert_eq!(
            error.code(),
            Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION),
            "{error}"
        );
    }
}

#[tokio::test]
async fn tls_is_accepted_and_verified_against_the_ca_for_localhost_only() {
    let server = TlsServer::start().unwrap();
    assert!(
        server
            .url("localhost")
            .contains(&format!(":{}/", server.port()))
    );

    let client = connect_tls(&server.url("localhost"), server.ca_certificate())
        .await
        .unwrap();
    assert!(uses_tls(&client).await);

    // The certificate names `localhost` only.
    let Err(wrong_name) = connect_tls(&server.url("127.0.0.1"), server.ca_certificate()).await
    else {
        panic!("verified the certificate for 127.0.0.1");
    };
    assert!(
        matches!(
            certificate_error(&wrong_name),
            Some(rustls::CertificateError::NotValidForNameContext { .. })
        ),
        "{wrong_name:?}"
    );
    // And only its own CA signed it.
    let Err(wrong_ca) = connect_tls(&server.url("localhost"), server.other_ca_certificate()).await
    else {
        panic!("verified the certificate against the other CA");
    };
    assert!(
        matches!(
            certificate_error(&wrong_ca),
            Some(rustls::CertificateError::UnknownIssuer)
        ),
        "{wrong_ca:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_servers_leave_the_shared_server_and_each_other_running() {
    let db = TestDb::new().await;
    let first = TlsServer::start().unwrap();
    let second = TlsServer::start().unwrap();
    let directory = first.ca_certificate().parent().unwrap().to_owned();
    drop(first);
    assert!(
        !directory.exists(),
        "a dropped TlsServer left {}",
        directory.display()
    );

    // A cluster whose watchdog was released by mistake is stopped within a moment: watch
    // for one second whether the others keep answering.
    for _ in 0..10 {
        let client = db.client().await;
        let one: i32 = refract_testdb::one_value(&client, "SELECT 1", &[]).await;
        assert_eq!(one, 1);
        let client = connect_tls(&second.url("localhost"), second.ca_certificate())
            .await
            .unwrap();
        assert!(uses_tls(&client).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
