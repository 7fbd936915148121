//! The two server-certificate checks rustls does not ship: accept any certificate
//! (encryption only, libpq's `require`) and check the chain but not the host name
//! (libpq's `verify-ca`). Both still check the handshake's signature, so the server
//! must hold the key of the certificate it shows.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Accepts any certificate; checks only the handshake signatures.
#[derive(Debug)]
pub(crate) struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl AnyCertificate {
    pub(crate) fn new(provider: &CryptoProvider) -> AnyCertificate {
        AnyCertificate {
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The full check, except that a certificate for another host name passes. webpki checks
/// the chain before the name, so a name error means the chain was good.
#[derive(Debug)]
pub(crate) struct ChainOnly {
    full: Arc<WebPkiServerVerifier>,
}

impl ChainOnly {
    pub(crate) fn new(full: Arc<WebPkiServerVerifier>) -> ChainOnly {
        ChainOnly { full }
    }
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.full.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.full.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.full.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.full.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    //! Every check, the one that accepts any certificate included, must refuse a server
    //! that shows a certificate whose key it does not hold: an in-memory handshake with a
    //! rustls server whose certificate and signing key do not match.

    use std::sync::Arc;

    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

    use crate::TlsParams;

    /// Serves `certified` whatever the client asks for.
    #[derive(Debug)]
    struct Serve(Arc<CertifiedKey>);

    impl ResolvesServerCert for Serve {
        fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }

    /// A CA (PEM file in `dir`) and a `localhost` certificate it signed, served with its
    /// own key or with another one.
    fn server(dir: &std::path::Path, matching_key: bool) -> rustls::ServerConfig {
        let mut ca_params = CertificateParams::default();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca =
            CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
        std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write ca");
        let key = KeyPair::generate().expect("key");
        let certificate = CertificateParams::new(vec!["localhost".to_owned()])
            .expect("params")
            .signed_by(&key, &ca)
            .expect("certificate");
        let signing = if matching_key {
            key
        } else {
            KeyPair::generate().expect("key")
        };
        let provider = Arc::new(crate::ring_provider());
        let signing_key = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                signing.serialize_der(),
            )))
            .expect("signing key");
        let certified = CertifiedKey::new(vec![certificate.der().clone()], signing_key);
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Serve(Arc::new(certified))))
    }

    /// Runs a handshake in memory; `Err` with rustls's text if either side fails.
    fn handshake(client: rustls::ClientConfig, server: rustls::ServerConfig) -> Result<(), String> {
        let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let mut client =
            rustls::ClientConnection::new(Arc::new(client), name).map_err(|e| e.to_string())?;
        let mut server =
            rustls::ServerConnection::new(Arc::new(server)).map_err(|e| e.to_string())?;
        for _ in 0..20 {
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(());
            }
            let mut bytes = Vec::new();
            client.write_tls(&mut bytes).map_err(|e| e.to_string())?;
            server
                .read_tls(&mut bytes.as_slice())
                .map_err(|e| e.to_string())?;
            server
                .process_new_packets()
                .map_err(|e| format!("server: {e}"))?;
            let mut bytes = Vec::new();
            server.write_tls(&mut bytes).map_err(|e| e.to_string())?;
            client
                .read_tls(&mut bytes.as_slice())
                .map_err(|e| e.to_string())?;
            client
                .process_new_packets()
                .map_err(|e| format!("client: {e}"))?;
        }
        Err("the handshake did not finish".into())
    }

    #[test]
    fn every_check_refuses_a_certificate_whose_key_the_server_lacks() {
        let dir = std::env::temp_dir().join(format!("refract-tls-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca = dir.join("ca.pem").display().to_string();
        let urls: [&[(&str, &str)]; 3] = [
            &[("sslmode", "require")],
            &[("sslmode", "verify-ca"), ("sslrootcert", &ca)],
            &[("sslmode", "verify-full"), ("sslrootcert", &ca)],
        ];
        for pairs in urls {
            let mut params = TlsParams::default();
            for (key, value) in pairs {
                assert!(params.take(key, value).expect("valid"));
            }
            for matching_key in [true, false] {
                let server = server(&dir, matching_key);
                let client = params.client_config().expect("client config");
                let outcome = handshake(client, server);
                if matching_key {
                    assert_eq!(outcome, Ok(()), "{pairs:?}");
                } else {
                    let error = outcome.expect_err("a mismatched key must fail");
                    assert!(error.starts_with("client: "), "{pairs:?}: {error}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
