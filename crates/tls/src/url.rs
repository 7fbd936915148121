//! The URL text of connection parameters: decoding query values (`%XX`, and `+` as a
//! space, as Prisma's URL parser reads them) and path parts (`%XX` only), and making
//! certificate paths relative to the schema's folder. One implementation for every
//! crate that reads a connection URL, so that a value means the same file everywhere.

use std::path::Path;

/// Query parameters of a Prisma connection URL that tokio-postgres does not know (TLS's
/// are [`crate::TlsParams::take`]'s). The one list: the runtime reads what it uses of
/// them, migrate what it uses, and both accept and drop the rest, as a URL that works
/// with Prisma must work for every command and for the client alike.
pub const PRISMA_URL_PARAMS: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "connect_timeout",
    "socket_timeout",
    "pgbouncer",
    "statement_cache_size",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
    // refract's own: keep a tenant-scoped client's tenant in each pooled connection's
    // session (direct connections only; the runtime reads it, migrate drops it).
    "session_tenant",
];

/// The `pgbouncer` parameter's value as a flag: `true`/`1` or `false`/`0` (ASCII case
/// ignored, `%XX` decoded), anything else an error naming the parameter. The one reading:
/// the runtime sends statements for a transaction-mode pooler when it is true, migrate
/// refuses the URL when it is true, so a value must mean the same to both.
pub fn pgbouncer_flag(value: &str) -> Result<bool, String> {
    url_flag("pgbouncer", value)
}

/// A flag parameter's value (`name=value`): `true`/`1` or `false`/`0` (ASCII case ignored,
/// `%XX` decoded), anything else an error naming the parameter.
pub fn url_flag(name: &str, value: &str) -> Result<bool, String> {
    let value = decode_query_value(value);
    if value.eq_ignore_ascii_case("true") || value == "1" {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") || value == "0" {
        Ok(false)
    } else {
        Err(format!(
            "`{name}` must be `true` or `false` (or `1` or `0`), not `{value}`"
        ))
    }
}

/// URL parameters naming a file, whose relative paths [`certificate_paths_relative_to`]
/// rewrites.
const PATH_PARAMS: &[&str] = &["sslcert", "sslrootcert", "sslidentity"];

/// A query value as text: `%XX` escapes decoded, `+` a space (form encoding, as Prisma's
/// URL parser reads query pairs). Invalid escapes are kept as written; bytes that are not
/// UTF-8 become U+FFFD. Never fails.
pub fn decode_query_value(text: &str) -> String {
    decode(text, true)
}

/// A path part of a URL (user, password, database name) as text: `%XX` escapes decoded,
/// `+` kept. Never fails.
pub fn percent_decode(text: &str) -> String {
    decode(text, false)
}

fn decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match bytes.get(i + 1..i + 3).and_then(hex_byte) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()
}

/// `text` as URL query text: bytes other than unreserved characters and `/` escaped.
fn percent_encode(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `url` without its password, for messages: `scheme://user@host...`. Everything up to the
/// last `@` is the user information, so a password holding an unencoded `@` is dropped
/// whole rather than shown in part.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split(':').next().unwrap_or("");
    format!("{scheme}://{user}@{host}")
}

/// `url` with the relative paths of its certificate parameters (`sslcert`,
/// `sslrootcert`, `sslidentity`) made relative to `base` (the schema's folder, where
/// Prisma resolves them). A value is decoded before it is judged relative, and the
/// joined path is encoded again; other parts of the URL are kept byte for byte.
pub fn certificate_paths_relative_to(url: &str, base: &Path) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let Some((key, value)) = pair.split_once('=') else {
                return pair.to_owned();
            };
            let path = decode_query_value(value);
            if !PATH_PARAMS.contains(&key) || path.is_empty() || Path::new(&path).is_absolute() {
                return pair.to_owned();
            }
            let joined = base.join(&path);
            format!(
                "{key}={}",
                percent_encode(joined.as_os_str().as_encoded_bytes())
            )
        })
        .collect();
    format!("{head}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacting_drops_the_whole_password() {
        assert_eq!(
            redact_password("postgresql://u:secret@h/db"),
            "postgresql://u@h/db"
        );
        assert_eq!(redact_password("postgresql://h/db"), "postgresql://h/db");
        assert_eq!(redact_password("not a url"), "not a url");
        // Unencoded `@` in the password: migrate's copy split at the first `@` and
        // printed `postgresql://u@ss@h/db`.
        assert_eq!(
            redact_password("postgresql://u:p@ss@h/db"),
            "postgresql://u@h/db"
        );
    }

    #[test]
    fn decoding_query_values_and_path_parts() {
        assert_eq!(decode_query_value("my+ca%20file.pem"), "my ca file.pem");
        assert_eq!(percent_decode("my+db%2Fx"), "my+db/x");
        // Invalid or cut escapes stay as written; multi-byte text never panics.
        for text in ["%", "%4", "%zz", "%aé.pem", "é%", "100%"] {
            assert_eq!(decode_query_value(text), text);
        }
        assert_eq!(decode_query_value("%C3%A9"), "é");
        assert_eq!(decode_query_value("%FF"), "\u{FFFD}");
    }

    #[test]
    fn certificate_paths_are_made_relative_to_the_schema_folder() {
        let base = Path::new("/app/prisma");
        let cases = [
            (
                "postgresql://u:p@h/db?sslmode=require&sslcert=certs/ca.pem&schema=s",
                "postgresql://u:p@h/db?sslmode=require&sslcert=/app/prisma/certs/ca.pem&schema=s",
            ),
            // Decoded before it is judged: an encoded absolute path stays as it is.
            (
                "postgresql://h/db?sslrootcert=%2Fetc%2Fca.pem",
                "postgresql://h/db?sslrootcert=%2Fetc%2Fca.pem",
            ),
            ("postgresql://h/db", "postgresql://h/db"),
            (
                "postgresql://h/db?schema=certs/x&sslmode=require",
                "postgresql://h/db?schema=certs/x&sslmode=require",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(certificate_paths_relative_to(url, base), expected, "{url}");
        }
        let url = certificate_paths_relative_to(
            "postgresql://h/db?sslrootcert=ca%20cert+1.pem",
            Path::new("/my app/db&x/"),
        );
        assert_eq!(
            url,
            "postgresql://h/db?sslrootcert=/my%20app/db%26x/ca%20cert%201.pem"
        );
        let value = url.split_once("sslrootcert=").map(|(_, v)| v).unwrap_or("");
        assert_eq!(decode_query_value(value), "/my app/db&x/ca cert 1.pem");
    }
}
