//! refract-tls: TLS for PostgreSQL connections, configured the way a Prisma connection
//! URL configures it.
//!
//! Owns reading the TLS parameters of a `postgresql://` URL and making the tokio-postgres
//! TLS connector they describe (rustls on ring: nothing to install, no OpenSSL). It knows
//! nothing else about URLs: a caller (the runtime's client config, migrate's connection)
//! hands each decoded query pair to [`TlsParams::take`], keeps the pairs it does not take,
//! and connects with [`TlsParams::postgres_ssl_mode`] and [`TlsParams::connector`].
//!
//! # What the parameters mean
//! | URL | encrypted | server certificate checked |
//! |---|---|---|
//! | `sslmode=disable` | never | - |
//! | no `sslmode`, `sslmode=prefer` or `allow` | when the server offers TLS | no |
//! | `sslmode=require` (or node-postgres's `no-verify`) | always | no (Prisma's default, `sslaccept=accept_invalid_certs`) |
//! | `sslmode=require&sslrootcert=PATH` | always | chain only (libpq: a root certificate turns `require` into `verify-ca`) |
//! | `sslaccept=strict` (with any mode but `disable`) | always | chain and host name |
//! | `sslmode=verify-ca&sslrootcert=PATH` (libpq's) | always | chain only |
//! | `sslmode=verify-full` (libpq's) | always | chain and host name |
//!
//! A URL that asks for a check never falls back to an unencrypted connection (Prisma's
//! engine does, with `sslaccept=strict` and the default `prefer`). The chain is checked
//! against the PEM files named by `sslcert` (Prisma's name for the server's CA
//! certificate) and `sslrootcert` (libpq's), both if both are given, else against the
//! system's certificate store (which `SSL_CERT_FILE`/`SSL_CERT_DIR` can point elsewhere),
//! read once per process. `verify-ca` needs a named file: checking the chain against every
//! public CA but not the name would accept any certificate any of them issued. Relative
//! paths are read from the current directory; the CLI first makes them relative to the
//! schema's folder, as Prisma does ([`certificate_paths_relative_to`]). Client
//! certificates (`sslidentity`, a PKCS#12 file, with `sslpassword`) are refused with a
//! clear error rather than ignored.
//!
//! Also here, so that every crate reads a connection URL the same way: decoding its
//! values ([`decode_query_value`], [`percent_decode`]) and describing a failed
//! connection ([`with_causes`], [`is_tls_failure`], [`describe_tls_failure`]).

mod errors;
mod url;
mod verify;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

pub use errors::{describe_tls_failure, is_tls_failure, with_causes};
pub use tokio_postgres_rustls::MakeRustlsConnect;
pub use url::{
    PRISMA_URL_PARAMS, certificate_paths_relative_to, decode_query_value, percent_decode,
    pgbouncer_flag, redact_password, url_flag,
};

/// A TLS parameter that cannot be honoured. The text names the parameter and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A parameter with a value it does not take (`sslmode=required`).
    #[error("`{key}={value}` is not valid: expected {expected}")]
    InvalidValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    /// The file a certificate parameter names cannot be read.
    #[error("cannot read the certificate file `{}` (`{key}`): {source}", path.display())]
    ReadCertificate {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file holds no certificate rustls accepts.
    #[error("`{}` (`{key}`) holds no usable certificate: {detail}", path.display())]
    BadCertificate {
        key: &'static str,
        path: PathBuf,
        detail: String,
    },
    /// `sslidentity`: client certificates are not supported yet.
    #[error(
        "client certificates (`sslidentity`) are not supported yet: connect without one, or \
         use password or trust authentication for this user"
    )]
    ClientCertificateUnsupported,
    /// `verify-ca` without a file to check the chain against.
    #[error(
        "`sslmode=verify-ca` checks the certificate's chain but not its host name, so it needs \
         the CA that signed the server's certificate: name it with `sslrootcert=PATH` \
         (against every public CA, any certificate any of them issued would pass), or use \
         `sslmode=verify-full`"
    )]
    VerifyCaWithoutRoot,
    /// A check is asked for, no file is named, and the system store is empty.
    #[error(
        "no trusted root certificates to check the server's certificate against: the system \
         store is empty or unreadable; name the server's CA certificate with `sslrootcert=PATH`"
    )]
    NoTrustedRoots,
    /// rustls refused the configuration (should not happen).
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// `sslmode`: whether to encrypt, and the libpq modes that also check the certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SslMode {
    /// Never encrypt.
    Disable,
    /// `prefer` (the default) and libpq's `allow`: TLS when the server offers it.
    #[default]
    Prefer,
    /// Always encrypt (also node-postgres's `no-verify`).
    Require,
    /// libpq's: always encrypt, check the chain.
    VerifyCa,
    /// libpq's: always encrypt, check the chain and the host name.
    VerifyFull,
}

/// How much of the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Encryption only: any certificate is accepted (its handshake signature is still
    /// checked), as with libpq's `require` and Prisma's default.
    None,
    /// The chain up to a trusted root, not the host name (`verify-ca`).
    Chain,
    /// The chain and the host name (`verify-full`, `sslaccept=strict`).
    ChainAndHost,
}

/// The TLS parameters of one connection URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsParams {
    pub mode: SslMode,
    /// `sslaccept=strict`: check the chain and host name (Prisma's default is
    /// `accept_invalid_certs`).
    pub strict: bool,
    /// `sslcert` (Prisma's name): a PEM file of certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// `sslrootcert` (libpq's): a PEM file of certificates to trust; with `require` it
    /// also turns on the chain check, as in libpq.
    pub root_cert_file: Option<PathBuf>,
}

impl TlsParams {
    /// Takes one query pair (its value already percent-decoded) if it is a TLS parameter.
    /// Returns whether it was one; the caller keeps the others.
    pub fn take(&mut self, key: &str, value: &str) -> Result<bool, TlsError> {
        match key {
            "sslmode" => {
                self.mode = match value {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" | "no-verify" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    _ => {
                        return Err(TlsError::InvalidValue {
                            key: "sslmode",
                            value: value.to_owned(),
                            expected: "disable, prefer, require, verify-ca or verify-full",
                        });
                    }
                }
            }
            "sslaccept" => {
                self.strict = match value {
                    "strict" => true,
                    "accept_invalid_certs" => false,
                    _ => {
                        return Err(TlsError::InvalidValue {
                            key: "sslaccept",
                            value: value.to_owned(),
                            expected: "strict or accept_invalid_certs",
                        });
                    }
                }
            }
            "sslcert" => self.ca_file = Some(PathBuf::from(value)),
            "sslrootcert" => self.root_cert_file = Some(PathBuf::from(value)),
            "sslidentity" => return Err(TlsError::ClientCertificateUnsupported),
            // Only meaningful with `sslidentity`, which is refused above.
            "sslpassword" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The mode to give tokio-postgres, which knows disable, prefer and require. Any
    /// check requires TLS (it never falls back to an unencrypted connection); the checking
    /// itself is [`TlsParams::connector`]'s.
    pub fn postgres_ssl_mode(&self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Pg;
        match self.mode {
            SslMode::Disable => Pg::Disable,
            _ if self.verification() != Verification::None => Pg::Require,
            SslMode::Prefer => Pg::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Pg::Require,
        }
    }

    /// How much of the server's certificate these parameters check.
    pub fn verification(&self) -> Verification {
        match self.mode {
            SslMode::Disable => Verification::None,
            SslMode::VerifyFull => Verification::ChainAndHost,
            _ if self.strict => Verification::ChainAndHost,
            SslMode::VerifyCa => Verification::Chain,
            SslMode::Require if self.root_cert_file.is_some() => Verification::Chain,
            SslMode::Prefer | SslMode::Require => Verification::None,
        }
    }

    /// The connector for tokio-postgres (and deadpool-postgres). Reads the root
    /// certificates now (the named file, else the system store) when the certificate is
    /// to be checked; build it once and clone it per connection.
    pub fn connector(&self) -> Result<MakeRustlsConnect, TlsError> {
        Ok(MakeRustlsConnect::new(self.client_config()?))
    }

    /// The rustls configuration behind [`TlsParams::connector`].
    fn client_config(&self) -> Result<rustls::ClientConfig, TlsError> {
        let provider = Arc::new(ring_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.verification() {
            Verification::None => Arc::new(verify::AnyCertificate::new(&provider)),
            Verification::Chain => {
                if self.ca_file.is_none() && self.root_cert_file.is_none() {
                    return Err(TlsError::VerifyCaWithoutRoot);
                }
                Arc::new(verify::ChainOnly::new(self.full_verifier(&provider)?))
            }
            Verification::ChainAndHost => self.full_verifier(&provider)?,
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Setup(error.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        // What libpq 17 sends; PostgreSQL 17 requires it for `sslnegotiation=direct`.
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(config)
    }

    fn full_verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<WebPkiServerVerifier>, TlsError> {
        let files = [
            ("sslcert", &self.ca_file),
            ("sslrootcert", &self.root_cert_file),
        ];
        let roots = if files.iter().any(|(_, file)| file.is_some()) {
            let mut roots = RootCertStore::empty();
            for (key, file) in files {
                if let Some(path) = file {
                    add_roots_from_file(&mut roots, key, path)?;
                }
            }
            Arc::new(roots)
        } else {
            system_roots()?
        };
        WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|error| TlsError::Setup(error.to_string()))
    }
}

/// Adds the certificates of a PEM file (or, failing that, one DER certificate).
fn add_roots_from_file(
    roots: &mut RootCertStore,
    key: &'static str,
    path: &Path,
) -> Result<(), TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::ReadCertificate {
        key,
        path: path.to_owned(),
        source,
    })?;
    let bad = |detail: String| TlsError::BadCertificate {
        key,
        path: path.to_owned(),
        detail,
    };
    let mut certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad(error.to_string()))?;
    if certificates.is_empty() {
        certificates.push(CertificateDer::from(bytes));
    }
    for certificate in certificates {
        roots
            .add(certificate)
            .map_err(|error| bad(error.to_string()))?;
    }
    Ok(())
}

/// The system's certificate store (`SSL_CERT_FILE` / `SSL_CERT_DIR` are honoured), read
/// once per process: migrate opens several connections per command.
fn system_roots() -> Result<Arc<RootCertStore>, TlsError> {
    static SYSTEM: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    let roots = SYSTEM.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        Arc::new(roots)
    });
    if roots.is_empty() {
        return Err(TlsError::NoTrustedRoots);
    }
    Ok(roots.clone())
}

/// rustls's *ring* provider, the one refract's TLS uses: it builds with a C compiler
/// alone, where aws-lc-rs needs CMake (and NASM on Windows) on every machine that builds
/// a generated client. rustls 0.23.48 deprecated it for lacking post-quantum key
/// exchange, which PostgreSQL servers do not offer yet; the allowance keeps that notice
/// out of every build of a user's application. Moving to aws-lc-rs is the change to make
/// when servers do.
#[allow(deprecated)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> TlsParams {
        let mut params = TlsParams::default();
        for (key, value) in pairs {
            assert!(params.take(key, value).expect("valid"), "{key} taken");
        }
        params
    }

    #[test]
    fn modes_and_verification_follow_prisma_and_libpq() {
        use tokio_postgres::config::SslMode as Pg;
        /// URL pairs, then the mode tokio-postgres gets and the check made.
        type Case<'a> = (&'a [(&'a str, &'a str)], Pg, Verification);
        let cases: &[Case] = &[
            (&[], Pg::Prefer, Verification::None),
            (&[("sslmode", "disable")], Pg::Disable, Verification::None),
            (&[("sslmode", "allow")], Pg::Prefer, Verification::None),
            (&[("sslmode", "require")], Pg::Require, Verification::None),
            (
                &[
                    ("sslmode", "require"),
                    ("sslaccept", "accept_invalid_certs"),
                ],
                Pg::Require,
                Verification::None,
            ),
            (
                &[("sslmode", "require"), ("sslaccept", "strict")],
                Pg::Require,
                Verification::ChainAndHost,
            ),
            // A check never falls back to no TLS.
            (
                &[("sslaccept", "strict")],
                Pg::Require,
                Verification::ChainAndHost,
            ),
            (
                &[("sslmode", "disable"), ("sslaccept", "strict")],
                Pg::Disable,
                Verification::None,
            ),
            (&[("sslmode", "no-verify")], Pg::Require, Verification::None),
            // Prisma's sslcert alone checks nothing; libpq's sslrootcert makes require verify-ca.
            (
                &[("sslmode", "require"), ("sslcert", "ca.pem")],
                Pg::Require,
                Verification::None,
            ),
            (
                &[("sslmode", "require"), ("sslrootcert", "ca.pem")],
                Pg::Require,
                Verification::Chain,
            ),
            (&[("sslrootcert", "ca.pem")], Pg::Prefer, Verification::None),
            (
                &[("sslmode", "verify-ca")],
                Pg::Require,
                Verification::Chain,
            ),
            (
                &[("sslmode", "verify-ca"), ("sslaccept", "strict")],
                Pg::Require,
                Verification::ChainAndHost,
            ),
            (
                &[("sslmode", "verify-full")],
                Pg::Require,
                Verification::ChainAndHost,
            ),
        ];
        for (pairs, mode, verification) in cases {
            let params = params(pairs);
            assert_eq!(params.postgres_ssl_mode(), *mode, "{pairs:?}");
            assert_eq!(params.verification(), *verification, "{pairs:?}");
        }
    }

    #[test]
    fn other_parameters_are_left_to_the_caller() {
        let mut params = TlsParams::default();
        for key in [
            "schema",
            "connection_limit",
            "application_name",
            "sslnegotiation",
        ] {
            assert!(!params.take(key, "x").expect("not ours"), "{key}");
        }
        assert_eq!(params, TlsParams::default());
    }

    #[test]
    fn the_two_certificate_names_are_kept_apart() {
        let params = params(&[("sslcert", "ca.pem"), ("sslrootcert", "/etc/root.pem")]);
        assert_eq!(params.ca_file, Some(PathBuf::from("ca.pem")));
        assert_eq!(params.root_cert_file, Some(PathBuf::from("/etc/root.pem")));
    }

    #[test]
    fn verify_ca_needs_a_named_ca() {
        let Err(error) = params(&[("sslmode", "verify-ca")]).connector() else {
            panic!("verify-ca against the system store must be refused")
        };
        assert!(matches!(error, TlsError::VerifyCaWithoutRoot), "{error}");
    }

    #[test]
    fn bad_values_and_client_certificates_are_errors_that_say_what_to_write() {
        let mut params = TlsParams::default();
        let error = params.take("sslmode", "required").expect_err("typo");
        assert_eq!(
            error.to_string(),
            "`sslmode=required` is not valid: expected disable, prefer, require, verify-ca or verify-full"
        );
        let error = params.take("sslaccept", "yes").expect_err("bad");
        assert!(
            error.to_string().contains("strict or accept_invalid_certs"),
            "{error}"
        );
        let error = params
            .take("sslidentity", "client.p12")
            .expect_err("unsupported");
        assert!(matches!(error, TlsError::ClientCertificateUnsupported));
    }

    #[test]
    fn a_missing_certificate_file_is_named() {
        let params = params(&[
            ("sslmode", "verify-full"),
            ("sslrootcert", "/nonexistent/ca.pem"),
        ]);
        let Err(error) = params.connector() else {
            panic!("no file")
        };
        assert!(
            error.to_string().starts_with(
                "cannot read the certificate file `/nonexistent/ca.pem` (`sslrootcert`)"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        let dir = std::env::temp_dir().join(format!("refract-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("not-a-cert.pem");
        std::fs::write(&path, "hello").expect("write");
        let params = params(&[
            ("sslmode", "verify-ca"),
            ("sslcert", path.to_str().expect("utf-8")),
        ]);
        let Err(error) = params.connector() else {
            panic!("not a certificate")
        };
        assert!(matches!(error, TlsError::BadCertificate { .. }), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
