//! Who may talk to the studio: the checks every request passes before any handler runs.
//!
//! The studio edits a database, and any web page the user has open can make the browser send
//! requests to `127.0.0.1`. So, in order:
//! - **Host** must name this server (`127.0.0.1:5555`, `localhost:5555`...): a DNS-rebinding
//!   page reaches us under its own host name and is refused.
//! - **Origin**, when the browser sends one, must be this server's origin, and
//!   **Sec-Fetch-Site**, when sent, must be `same-origin` or `none` (typed in the address bar):
//!   no other page, not even another port on localhost, can drive the API.
//! - **The token**: a random per-run secret, printed in the URL by `gen studio`. The page
//!   sends it in the `x-refract-token` header; the page and its assets are loaded with it in
//!   the query (`?token=`). A request without it gets nothing, so a page that guesses the
//!   port still cannot read data.
//!
//! Every response also forbids caching, framing, sniffing and referrers, and the page's
//! Content-Security-Policy allows only its own scripts and styles.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Error};

/// The header the page sends the token in.
pub const TOKEN_HEADER: &str = "x-refract-token";

/// The access rules of one running studio.
#[derive(Debug, Clone)]
pub struct Access {
    token: String,
    /// Accepted `Host` values, lower-case `host:port`.
    hosts: Vec<String>,
}

impl Access {
    /// Rules for a server listening on `addr` (its real port), reached by `token`, also
    /// answering to `extra_hosts` (host names without port).
    pub fn new(token: String, addr: SocketAddr, extra_hosts: &[String]) -> Access {
        let port = addr.port();
        let mut names: Vec<String> = Vec::new();
        let ip = addr.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            names.extend(["localhost".into(), "127.0.0.1".into(), "[::1]".into()]);
        }
        if !ip.is_unspecified() {
            names.push(match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            });
        }
        names.extend(extra_hosts.iter().map(|h| h.to_ascii_lowercase()));
        let mut hosts: Vec<String> = Vec::new();
        for name in names {
            let with_port = format!("{name}:{port}");
            if !hosts.contains(&with_port) {
                hosts.push(with_port);
            }
            // Browsers leave out the default port.
            if port == 80 && !hosts.contains(&name) {
                hosts.push(name);
            }
        }
        Access { token, hosts }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Checks one request's headers and query; `Err` says why it is refused.
    pub fn check(&self, headers: &HeaderMap, query: Option<&str>) -> Result<(), ApiError> {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| ApiError::forbidden("refused: the request has no Host header"))?;
        if !self.hosts.contains(&host) {
            return Err(ApiError::forbidden(format!(
                "refused: the Host `{host}` is not this studio (open the URL `gen studio` printed)"
            )));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
            let same = origin
                .strip_prefix("http://")
                .is_some_and(|rest| self.hosts.iter().any(|h| h == rest));
            if !same {
                return Err(ApiError::forbidden(format!(
                    "refused: requests from `{origin}` may not use this studio"
                )));
            }
        }
        if let Some(site) = headers.get("sec-fetch-site") {
            let site = site.to_str().unwrap_or("");
            if site != "same-origin" && site != "none" {
                return Err(ApiError::forbidden(format!(
                    "refused: a {site} request may not use this studio"
                )));
            }
        }
        let given = headers
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .or_else(|| query.and_then(token_in_query));
        match given {
            Some(given) if constant_time_eq(given.as_bytes(), self.token.as_bytes()) => Ok(()),
            _ => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                None,
                "missing or wrong token: open the URL `gen studio` printed",
            )),
        }
    }
}

fn token_in_query(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

/// Compares without an early exit, so the time taken says nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random token: 128 bits from the operating system, as hex.
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Token(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// The axum middleware: refuse, or run the handler and add the safety headers.
pub async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let mut response = match access.check(request.headers(), request.uri().query()) {
        Ok(()) => next.run(request).await,
        Err(refused) => {
            tracing::warn!(target: "refract::studio", "{}", refused.message);
            refused.into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    /// Headers, query, and the status expected (`Ok` or the refusal's code).
    type Case = (
        Vec<(&'static str, &'static str)>,
        Option<&'static str>,
        Result<(), u16>,
    );

    #[test]
    fn checks_host_origin_fetch_site_and_token() {
        let addr: SocketAddr = "127.0.0.1:5555".parse().unwrap();
        let access = Access::new("s3cret".into(), addr, &[]);
        let ok = [("host", "127.0.0.1:5555"), (TOKEN_HEADER, "s3cret")];
        let cases: Vec<Case> = vec![
            (ok.to_vec(), None, Ok(())),
            (
                vec![("host", "LOCALHOST:5555"), (TOKEN_HEADER, "s3cret")],
                None,
                Ok(()),
            ),
            (
                vec![("host", "localhost:5555")],
                Some("a=1&token=s3cret"),
                Ok(()),
            ),
            (
                vec![("host", "localhost:5555")],
                Some("token=wrong"),
                Err(401),
            ),
            (vec![("host", "localhost:5555")], None, Err(401)),
            (
                vec![("host", "evil.example:5555"), (TOKEN_HEADER, "s3cret")],
                None,
                Err(403),
            ),
            (
                vec![("host", "127.0.0.1:5556"), (TOKEN_HEADER, "s3cret")],
                None,
                Err(403),
            ),
            (vec![(TOKEN_HEADER, "s3cret")], None, Err(403)),
            (
                [ok.as_slice(), &[("origin", "http://127.0.0.1:5555")]].concat(),
                None,
                Ok(()),
            ),
            (
                [ok.as_slice(), &[("origin", "http://localhost:5555")]].concat(),
                None,
                Ok(()),
            ),
            (
                [ok.as_slice(), &[("origin", "http://evil.example")]].concat(),
                None,
                Err(403),
            ),
            (
                [ok.as_slice(), &[("origin", "http://127.0.0.1:3000")]].concat(),
                None,
                Err(403),
            ),
            (
                [ok.as_slice(), &[("origin", "null")]].concat(),
                None,
                Err(403),
            ),
            (
                [ok.as_slice(), &[("sec-fetch-site", "cross-site")]].concat(),
                None,
                Err(403),
            ),
            (
                [ok.as_slice(), &[("sec-fetch-site", "same-site")]].concat(),
                None,
                Err(403),
            ),
            (
                [ok.as_slice(), &[("sec-fetch-site", "same-origin")]].concat(),
                None,
                Ok(()),
            ),
        ];
        for (pairs, query, expected) in cases {
            let got = access
                .check(&headers(&pairs), query)
                .map_err(|e| e.status.as_u16());
            assert_eq!(got, expected, "{pairs:?} {query:?}");
        }
    }

    #[test]
    fn hosts_follow_the_bound_address() {
        let any: SocketAddr = "0.0.0.0:80".parse().unwrap();
        let access = Access::new("t".into(), any, &["studio.internal".into()]);
        for host in [
            "localhost",
            "localhost:80",
            "127.0.0.1:80",
            "studio.internal:80",
        ] {
            assert!(access.hosts.contains(&host.to_owned()), "{host}");
        }
        let lan: SocketAddr = "192.168.1.5:5555".parse().unwrap();
        let access = Access::new("t".into(), lan, &[]);
        assert_eq!(access.hosts, vec!["192.168.1.5:5555".to_owned()]);
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
