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
//! | `sslmode=require` | always | no (Prisma's default, `sslaccept=accept_invalid_certs`) |
//! | `sslaccept=strict` (with any mode but `disable`) | as the mode says | chain and host name |
//! | `sslmode=verify-ca` (libpq's) | always | chain only |
//! | `sslmode=verify-full` (libpq's) | always | chain and host name |
//!
//! The chain is checked against the PEM file named by `sslcert` (Prisma's name for the
//! server's CA certificate) or `sslrootcert` (libpq's), else against the system's
//! certificate store. Relative paths are read from the current directory; the CLI first
//! makes them relative to the schema's folder, as Prisma does
//! ([`certificate_paths_relative_to`]). Client certificates (`sslidentity`, a PKCS#12
//! file, with `sslpassword`) are refused with a clear error rather than ignored.

mod verify;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

pub use tokio_postgres_rustls::MakeRustlsConnect;

/// URL parameters naming a file, whose relative paths [`certificate_paths_relative_to`]
/// rewrites.
const PATH_PARAMS: &[&str] = &["sslcert", "sslrootcert", "sslidentity"];

/// A TLS parameter that cannot be honoured. The text names the parameter and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("`{key}={value}` is not valid: expected {expected}")]
    InvalidValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("cannot read the certificate file `{}` (`{key}`): {source}", path.display())]
    ReadCertificate {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` (`{key}`) holds no usable certificate: {detail}", path.display())]
    BadCertificate {
        key: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error(
        "client certificates (`sslidentity`) are not supported yet: connect without one, or \
         use password or trust authentication for this user"
    )]
    ClientCertificateUnsupported,
    #[error(
        "no trusted root certificates to check the server's certificate against: the system \
         store is empty or unreadable; name the server's CA certificate with `sslcert=PATH`"
    )]
    NoTrustedRoots,
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// `sslmode`: whether to encrypt, and the libpq modes that also check the certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// `prefer` (the default) and libpq's `allow`: TLS when the server offers it.
    #[default]
    Prefer,
    Require,
    VerifyCa,
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
    /// `sslcert` / `sslrootcert`: the PEM file of the certificates to trust.
    pub root_certificate: Option<PathBuf>,
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
                    "require" => SslMode::Require,
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
            "sslcert" | "sslrootcert" => self.root_certificate = Some(PathBuf::from(value)),
            "sslidentity" => return Err(TlsError::ClientCertificateUnsupported),
            // Only meaningful with `sslidentity`, which is refused above.
            "sslpassword" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The mode to give tokio-postgres, which knows disable, prefer and require: the
    /// verifying modes require TLS and leave the checking to [`TlsParams::connector`].
    pub fn postgres_ssl_mode(&self) -> tokio_postgres::config::SslMode {
        match self.mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        }
    }

    /// How much of the server's certificate these parameters check.
    pub fn verification(&self) -> Verification {
        match self.mode {
            SslMode::VerifyFull => Verification::ChainAndHost,
            SslMode::VerifyCa if self.strict => Verification::ChainAndHost,
            SslMode::VerifyCa => Verification::Chain,
            _ if self.strict => Verification::ChainAndHost,
            _ => Verification::None,
        }
    }

    /// The connector for tokio-postgres (and deadpool-postgres). Reads the root
    /// certificates now (the named file, else the system store) when the certificate is
    /// to be checked; build it once and clone it per connection.
    pub fn connector(&self) -> Result<MakeRustlsConnect, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.verification() {
            Verification::None => Arc::new(verify::AnyCertificate::new(&provider)),
            Verification::Chain => Arc::new(verify::ChainOnly::new(self.full_verifier(&provider)?)),
            Verification::ChainAndHost => self.full_verifier(&provider)?,
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Setup(error.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn full_verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<WebPkiServerVerifier>, TlsError> {
        let roots = match &self.root_certificate {
            Some(path) => roots_from_file(path)?,
            None => system_roots()?,
        };
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|error| TlsError::Setup(error.to_string()))
    }
}

/// The certificates of a PEM file (or, failing that, one DER certificate).
fn roots_from_file(path: &Path) -> Result<RootCertStore, TlsError> {
    let key = "sslcert";
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
    let mut roots = RootCertStore::empty();
    for certificate in certificates {
        roots
            .add(certificate)
            .map_err(|error| bad(error.to_string()))?;
    }
    Ok(roots)
}

/// The system's certificate store (`SSL_CERT_FILE` / `SSL_CERT_DIR` are honoured).
fn system_roots() -> Result<RootCertStore, TlsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(TlsError::NoTrustedRoots);
    }
    Ok(roots)
}

/// `url` with the relative paths of its certificate parameters (`sslcert`,
/// `sslrootcert`, `sslidentity`) made relative to `base` (the schema's folder, where
/// Prisma resolves them). Other parts of the URL are kept byte for byte.
pub fn certificate_paths_relative_to(url: &str, base: &Path) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value))
                if PATH_PARAMS.contains(&key)
                    && !value.is_empty()
                    && Path::new(value).is_relative() =>
            {
                let base = percent_encode_path(base);
                format!("{key}={}/{value}", base.trim_end_matches('/'))
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", pairs.join("&"))
}

/// A path as URL query text: bytes other than unreserved characters and `/` escaped.
fn percent_encode_path(path: &Path) -> String {
    let mut out = String::new();
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
            (
                &[("sslaccept", "strict")],
                Pg::Prefer,
                Verification::ChainAndHost,
            ),
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
    fn root_certificate_has_two_names() {
        assert_eq!(
            params(&[("sslcert", "ca.pem")]).root_certificate,
            Some(PathBuf::from("ca.pem"))
        );
        assert_eq!(
            params(&[("sslrootcert", "/etc/ca.pem")]).root_certificate,
            Some(PathBuf::from("/etc/ca.pem"))
        );
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
            ("sslcert", "/nonexistent/ca.pem"),
        ]);
        let Err(error) = params.connector() else {
            panic!("no file")
        };
        assert!(
            error
                .to_string()
                .starts_with("cannot read the certificate file `/nonexistent/ca.pem` (`sslcert`)"),
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

    #[test]
    fn certificate_paths_are_made_relative_to_the_schema_folder() {
        let base = Path::new("/app/prisma");
        assert_eq!(
            certificate_paths_relative_to(
                "postgresql://u:p@h/db?sslmode=require&sslcert=certs/ca.pem&schema=s",
                base
            ),
            "postgresql://u:p@h/db?sslmode=require&sslcert=/app/prisma/certs/ca.pem&schema=s"
        );
        assert_eq!(
            certificate_paths_relative_to(
                "postgresql://h/db?sslrootcert=ca%20cert.pem",
                Path::new("/my app/db&x/")
            ),
            "postgresql://h/db?sslrootcert=/my%20app/db%26x/ca%20cert.pem"
        );
        for unchanged in [
            "postgresql://h/db",
            "postgresql://h/db?sslrootcert=/abs/ca.pem",
            "postgresql://h/db?schema=certs/x&sslmode=require",
        ] {
            assert_eq!(certificate_paths_relative_to(unchanged, base), unchanged);
        }
    }
}
