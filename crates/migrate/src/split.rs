//! Splitting a migration script into statements, so each runs alone and a failure can name
//! the statement and its line.
//!
//! A small lexer, not a parser: it understands `--` and nested `/* */` comments, single-quoted
//! strings (including `E'...'` backslash escapes), quoted identifiers and dollar-quoted bodies
//! (`$$ ... $$`, `$fn$ ... $fn$`), and splits on `;` outside them. Unlike sqlparser-based
//! splitting it never fails on syntax it does not know (`DROP INDEX CONCURRENTLY`, `DO`
//! blocks, `CREATE FUNCTION`).

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptStatement {
    /// The statement text without the trailing `;`, comments before it included.
    pub text: String,
    /// 1-based line of the statement's first character that is not blank or comment.
    pub line: usize,
}

impl ScriptStatement {
    /// The statement's text with leading comments and whitespace removed.
    pub fn code(&self) -> &str {
        skip_leading_comments(&self.text)
    }
}

/// Splits `script` into statements. Statements made only of comments and blanks are dropped.
pub fn split_statements(script: &str) -> Vec<ScriptStatement> {
    let bytes = script.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\'' => {
                let backslash_escapes = i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric() && bytes[i - 2] != b'_');
                i += 1;
                while i < bytes.len() {
                    if backslash_escapes && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += 1;
                }
            }
            b'$' => {
                if let Some(tag_len) = dollar_tag(&bytes[i..]) {
                    let tag = &script[i..i + tag_len];
                    let body_start = i + tag_len;
                    match script[body_start..].find(tag) {
                        Some(end) => i = body_start + end + tag_len - 1,
                        None => i = bytes.len(),
                    }
                }
            }
            b';' => {
                push_statement(script, start, i, &mut statements);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push_statement(script, start, bytes.len(), &mut statements);
    statements
}

/// Length of a `$tag$` opener at the start of `bytes`, if it is one.
fn dollar_tag(bytes: &[u8]) -> Option<usize> {
    let mut j = 1;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        if j == 1 && bytes[j].is_ascii_digit() {
            return None; // `$1` is a parameter
        }
        j += 1;
    }
    (bytes.get(j) == Some(&b'$')).then_some(j + 1)
}

fn push_statement(script: &str, start: usize, end: usize, out: &mut Vec<ScriptStatement>) {
    let end = end.min(script.len());
    let text = &script[start..end];
    let code = skip_leading_comments(text);
    if code.trim().is_empty() {
        return;
    }
    let offset = start + (text.len() - code.len());
    let line = script[..offset].matches('\n').count() + 1;
    out.push(ScriptStatement {
        text: text.trim().to_owned(),
        line,
    });
}

fn skip_leading_comments(mut s: &str) -> &str {
    loop {
        let trimmed = s.trim_start();
        if let Some(rest) = trimmed.strip_prefix("--") {
            s = rest.find('\n').map_or("", |n| &rest[n + 1..]);
        } else if trimmed.starts_with("/*") {
            let mut depth = 0;
            let bytes = trimmed.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            s = &trimmed[i.min(trimmed.len())..];
        } else {
            return trimmed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let script = "-- CreateTable\nCREATE TABLE \"a;b\" (x TEXT DEFAULT 'x;y');\n\n/* c; */\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT E'it\\'s;';\n-- trailing comment\n";
        let stmts = split_statements(script);
        assert_eq!(stmts.len(), 3);
        assert_eq!(stmts[0].line, 2);
        assert_eq!(
            stmts[0].code(),
            "CREATE TABLE \"a;b\" (x TEXT DEFAULT 'x;y')"
        );
        assert_eq!(stmts[1].line, 5);
        assert!(stmts[1].code().ends_with("LANGUAGE sql"));
        assert_eq!(stmts[2].line, 6);
    }

    #[test]
    fn empty_and_comment_only_scripts_have_no_statements() {
        assert!(split_statements("-- This is an empty migration.").is_empty());
        assert!(split_statements("\n/* a */\n;\n").is_empty());
    }
}
