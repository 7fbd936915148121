//! A private cluster that accepts only TLS over TCP, for tests of TLS connections, and
//! its counterpart [`PlainServer`], a private cluster with TLS turned off.
//!
//! Always a cluster of its own, never `DATABASE_URL`'s server (which may have no TLS) nor
//! the shared private one (which must stay plain for every other test). Its certificates
//! are made afresh at each start with rcgen: a throwaway CA, a server certificate it signs
//! for the DNS name `localhost` only (no IP address, so verifying the name `127.0.0.1`
//! fails), and a second CA that signed nothing, for tests that must see verification fail.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::Error;
use crate::cluster::{Cluster, Tcp};

/// A private PostgreSQL cluster of its own that accepts only TLS connections over TCP,
/// with a certificate signed by a throwaway CA. Independent of `DATABASE_URL` (an external
/// server may not have TLS); stopped and deleted on drop.
///
/// Trust authentication, user `postgres`, database `postgres`; a TCP connection without
/// TLS is rejected by `pg_hba.conf` (SQLSTATE 28000).
///
/// ```no_run
/// let server = refract_testdb::TlsServer::start().unwrap();
/// let url = format!("{}?sslmode=require", server.url("localhost"));
/// // Connect to `url` with a TLS connector trusting `server.ca_certificate()`.
/// # let _ = url;
/// ```
#[derive(Debug)]
pub struct TlsServer {
    cluster: Cluster,
    ca_certificate: PathBuf,
    other_ca_certificate: PathBuf,
}

/// The PEM texts one start needs.
struct Certificates {
    ca: String,
    other_ca: String,
    server: String,
    server_key: String,
}

impl TlsServer {
    /// Starts it: a copy of the cached `initdb` template with `ssl = on`, on a free port.
    /// Blocks until the server accepts connections (a few tenths of a second). Fails if
    /// there are no server binaries, or, as root, no `postgres` OS user to run them as.
    pub fn start() -> Result<TlsServer, Error> {
        let certificates = generate_certificates()?;
        let cluster = Cluster::start(&Tcp::TlsOnly {
            certificate: certificates.server,
            key: certificates.server_key,
        })?;
        // Beside the server's files, deleted with them. Written by this process, so readable
        // by it even where the directory belongs to the server's OS user (this process is
        // then root).
        let server = TlsServer {
            ca_certificate: cluster.root().join("ca.crt"),
            other_ca_certificate: cluster.root().join("other-ca.crt"),
            cluster,
        };
        // On failure `server` is dropped, which stops the cluster.
        write(&server.ca_certificate, &certificates.ca)?;
        write(&server.other_ca_certificate, &certificates.other_ca)?;
        Ok(server)
    }

    /// Port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.cluster.port()
    }

    /// `postgresql://postgres@{host}:{port}/postgres`, `host` as given: `localhost` matches
    /// the certificate, `127.0.0.1` reaches the same server but does not match it.
    pub fn url(&self, host: &str) -> String {
        format!("postgresql://postgres@{host}:{}/postgres", self.port())
    }

    /// Path of a PEM file holding the CA certificate that signed the server certificate.
    pub fn ca_certificate(&self) -> &Path {
        &self.ca_certificate
    }

    /// Path of a PEM file with a different CA certificate, one that did not sign the
    /// server's certificate, for tests that must see verification fail.
    pub fn other_ca_certificate(&self) -> &Path {
        &self.other_ca_certificate
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.cluster.stop();
    }
}

/// A private PostgreSQL cluster of its own with TLS turned off: for tests of what a client
/// that asks for TLS does when the server refuses it, whatever `DATABASE_URL`'s server
/// does. Trust authentication, user `postgres`; stopped and deleted on drop.
#[derive(Debug)]
pub struct PlainServer {
    cluster: Cluster,
}

impl PlainServer {
    /// Starts it (a copy of the cached `initdb` template, on a free port).
    pub fn start() -> Result<PlainServer, Error> {
        Ok(PlainServer {
            cluster: Cluster::start(&Tcp::Plain)?,
        })
    }

    /// `postgresql://postgres@127.0.0.1:{port}/postgres`.
    pub fn url(&self) -> String {
        format!(
            "postgresql://postgres@127.0.0.1:{}/postgres",
            self.cluster.port()
        )
    }
}

impl Drop for PlainServer {
    fn drop(&mut self) {
        self.cluster.stop();
    }
}

fn generate_certificates() -> Result<Certificates, Error> {
    let rcgen_error = |error: rcgen::Error| Error::Certificate(error.to_string());
    let ca = certificate_authority("refract-testdb throwaway CA").map_err(rcgen_error)?;
    let other_ca = certificate_authority("refract-testdb unrelated CA").map_err(rcgen_error)?;

    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(rcgen_error)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().map_err(rcgen_error)?;
    let server = params.signed_by(&server_key, &ca).map_err(rcgen_error)?;

    Ok(Certificates {
        ca: ca.pem(),
        other_ca: other_ca.pem(),
        server: server.pem(),
        server_key: server_key.serialize_pem(),
    })
}

/// A self-signed CA named `name`, with a fresh key.
fn certificate_authority(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate()?)
}

fn write(path: &Path, contents: &str) -> Result<(), Error> {
    std::fs::write(path, contents).map_err(|source| Error::Io {
        what: format!("writing {}", path.display()),
        source,
    })
}
