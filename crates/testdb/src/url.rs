//! Editing the database part of a `postgresql://` URL.

/// Returns `url` with its database (the path) replaced by `database`, keeping the query.
///
/// ```
/// assert_eq!(
///     refract_testdb::with_database("postgresql://u@h:5432/old?sslmode=disable", "new"),
///     "postgresql://u@h:5432/new?sslmode=disable"
/// );
/// assert_eq!(refract_testdb::with_database("postgres://h", "db"), "postgres://h/db");
/// ```
pub fn with_database(url: &str, database: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority_start..];
    let authority_end = rest
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    let query = url[authority_end..]
        .find('?')
        .map(|i| &url[authority_end + i..])
        .unwrap_or("");
    format!("{}/{}{}", &url[..authority_end], database, query)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_in_every_url_shape() {
        let cases = [
            (
                "postgresql://postgres@127.0.0.1:5432/postgres",
                "postgresql://postgres@127.0.0.1:5432/x",
            ),
            (
                "postgresql://postgres@127.0.0.1:5432",
                "postgresql://postgres@127.0.0.1:5432/x",
            ),
            ("postgresql://h/", "postgresql://h/x"),
            (
                "postgresql://h?sslmode=disable",
                "postgresql://h/x?sslmode=disable",
            ),
            (
                "postgresql://u:p@h/db?a=1&b=2",
                "postgresql://u:p@h/x?a=1&b=2",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(with_database(input, "x"), expected, "for {input}");
        }
    }
}
