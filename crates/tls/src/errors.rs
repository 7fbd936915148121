//! What a failed connection says: the error with its causes (tokio-postgres's own text
//! names only the kind of failure), whether it failed in TLS, and for TLS failures a hint
//! on the usual causes. The runtime (P1011) and migrate both print these.

use std::error::Error;

/// tokio-postgres's text for every TLS failure (`Kind::Tls`: the handshake, a server
/// without TLS under `sslmode=require`, the connector); the cause is its source.
const TLS_FAILURE: &str = "error performing TLS handshake";

/// Whether a connection failed in TLS rather than before or after it.
pub fn is_tls_failure(error: &tokio_postgres::Error) -> bool {
    error.to_string() == TLS_FAILURE
}

/// The error and its causes, `: `-separated.
pub fn with_causes(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A TLS failure's causes (without tokio-postgres's generic text) and a hint for the
/// usual ones.
pub fn describe_tls_failure(error: &tokio_postgres::Error) -> String {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let cause = if causes.is_empty() {
        error.to_string()
    } else {
        causes.join(": ")
    };
    match hint(&cause) {
        Some(hint) => format!("{cause}; {hint}"),
        None => cause,
    }
}

fn hint(cause: &str) -> Option<&'static str> {
    if cause.contains("does not support TLS") {
        Some(
            "the URL requires TLS but the server has it turned off: turn on `ssl` in the \
             server's configuration (or, on a network you trust, use `sslmode=prefer`)",
        )
    } else if cause.contains("UnknownIssuer") {
        Some(
            "the server's certificate is not signed by a CA trusted here: name the CA that \
             signed it with `sslrootcert=PATH` (or `sslcert=PATH`)",
        )
    } else if cause.contains("not valid for name") {
        Some(
            "the certificate is for another host name: connect by a name it was issued for, \
             or check only the chain with `sslmode=verify-ca&sslrootcert=PATH`",
        )
    } else if cause.contains("CaUsedAsEndEntity") {
        Some(
            "the server presents a CA certificate as its own: give it a certificate signed by \
             that CA, or use `sslmode=require` (encryption without checking the certificate)",
        )
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_postgres::tls::MakeTlsConnect;

    use super::*;

    /// A server that answers the TLS request with "no": tokio-postgres's real failure,
    /// without a database. Pins the text `is_tls_failure` relies on.
    #[tokio::test]
    async fn a_server_without_tls_under_require_is_a_tls_failure_with_a_hint() {
        let (client_end, mut server_end) = tokio::io::duplex(64);
        tokio::spawn(async move {
            let mut request = [0u8; 8];
            if server_end.read_exact(&mut request).await.is_ok() {
                let _ = server_end.write_all(b"N").await;
            }
        });
        let mut params = crate::TlsParams::default();
        assert!(params.take("sslmode", "require").unwrap_or(false));
        let mut connector = params.connector().expect("a connector");
        let tls = MakeTlsConnect::<tokio::io::DuplexStream>::make_tls_connect(
            &mut connector,
            "localhost",
        )
        .expect("tls for localhost");
        let mut config = tokio_postgres::Config::new();
        config.user("u").ssl_mode(params.postgres_ssl_mode());
        let Err(error) = config.connect_raw(client_end, tls).await else {
            panic!("the server refused TLS")
        };
        assert!(is_tls_failure(&error), "{error}");
        let text = describe_tls_failure(&error);
        assert!(
            text.starts_with("server does not support TLS; the URL requires TLS"),
            "{text}"
        );
        assert_eq!(
            with_causes(&error),
            "error performing TLS handshake: server does not support TLS"
        );
    }
}
