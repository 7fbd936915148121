//! Rust names for schema names: case conversion that keeps leading underscores, keyword
//! escaping (`type` → `r#type`, `self` → `self_`), and [`Scope`]s that keep the names of
//! one Rust namespace distinct when two schema names convert to the same Rust name
//! (`userId` and `user_id`). The first claim keeps the plain name, later ones get `_2`,
//! `_3`...; claims happen in a fixed order, so names are deterministic.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords of every edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing `_` instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Splits `name` into its leading underscores and the rest, so conversions keep `_id` as
/// `_id` (heck would drop the underscore and collide with `id`).
fn split_leading(name: &str) -> (&str, &str) {
    let rest = name.trim_start_matches('_');
    (&name[..name.len() - rest.len()], rest)
}

fn convert(name: &str, case: fn(&str) -> String) -> String {
    let (underscores, rest) = split_leading(name);
    let converted = format!("{underscores}{}", case(rest));
    let converted = if converted.is_empty() || converted == "_" {
        format!("{converted}field")
    } else {
        converted
    };
    if converted.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{converted}")
    } else {
        converted
    }
}

/// `createdAt` → `created_at`.
pub fn snake(name: &str) -> String {
    convert(name, |s| s.to_snake_case())
}

/// `createdAt` → `CREATED_AT`.
pub fn screaming(name: &str) -> String {
    convert(name, |s| s.to_shouty_snake_case())
}

/// `user_profile` → `UserProfile`, `KB_SEARCH` → `KbSearch`.
pub fn upper_camel(name: &str) -> String {
    convert(name, |s| s.to_upper_camel_case())
}

/// The identifier for `name`: raw for keywords (`r#type`), `_`-suffixed where raw is not
/// allowed (`self_`).
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The name of a module's file: the identifier without `r#`.
pub fn file_stem(module: &Ident) -> String {
    let text = module.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// The names taken in one Rust namespace.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    /// `wanted` if free, else the first free `wanted_2`, `wanted_3`...; marks it taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        let escaped = escape(wanted);
        if self.taken.insert(escaped.clone()) {
            return wanted.to_owned();
        }
        (2..)
            .map(|n| format!("{wanted}_{n}"))
            .find(|candidate| self.taken.insert(escape(candidate)))
            .unwrap_or_default()
    }

    /// [`Scope::claim`] as an identifier.
    pub fn claim_ident(&mut self, wanted: &str) -> Ident {
        ident(&self.claim(wanted))
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&escape(name))
    }
}

/// The text an identifier for `name` will have (so `self` and `self_` collide).
fn escape(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let cases = [
            ("createdAt", "created_at", "CREATED_AT", "CreatedAt"),
            ("_id", "_id", "_ID", "_Id"),
            ("URL", "url", "URL", "Url"),
            ("KB_SEARCH", "kb_search", "KB_SEARCH", "KbSearch"),
            (
                "user_profile",
                "user_profile",
                "USER_PROFILE",
                "UserProfile",
            ),
            ("2fa", "_2fa", "_2FA", "_2fa"),
            ("_", "_field", "_field", "_field"),
        ];
        for (input, s, sc, uc) in cases {
            assert_eq!(snake(input), s, "snake {input}");
            assert_eq!(screaming(input), sc, "screaming {input}");
            assert_eq!(upper_camel(input), uc, "upper camel {input}");
        }
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("gen").to_string(), "r#gen");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("Self").to_string(), "Self_");
        assert_eq!(file_stem(&ident("type")), "type");
    }

    #[test]
    fn scopes_keep_names_distinct() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("user_id"), "user_id");
        assert_eq!(scope.claim("user_id"), "user_id_2");
        assert_eq!(scope.claim("user_id"), "user_id_3");
        assert_eq!(scope.claim("self_"), "self_");
        assert_eq!(scope.claim("self"), "self_2");
    }
}
