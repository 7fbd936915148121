//! Splitting a migration script into statements, so each runs alone and a failure can name
//! the statement and its line, and classifying each statement by its head: transaction
//! control, statements PostgreSQL refuses inside a transaction block, settings, the rest.
//!
//! A small lexer, not a parser: it understands `--` and nested `/* */` comments, single-quoted
//! strings (including `E'...'` backslash escapes), quoted identifiers and dollar-quoted bodies
//! (`$$ ... $$`, `$fn$ ... $fn$`), and splits on `;` outside them, outside parentheses and
//! outside a routine's `BEGIN ATOMIC ... END` body, as psql does. Unlike sqlparser-based
//! splitting it never fails on syntax it does not know (`DROP INDEX CONCURRENTLY`, `DO`
//! blocks, `CREATE FUNCTION`). Classification reads the same lexer's tokens, never
//! substrings: a table named `"ConcurrentlyEditedDoc"` is a quoted identifier, not the
//! keyword `CONCURRENTLY`, and a comment mentioning `COMMIT` is no statement.

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
///
/// As psql does, a `;` inside parentheses (a rule's `DO ALSO (...; ...)`) or inside the
/// `BEGIN ATOMIC ... END` body of a `CREATE [OR REPLACE] FUNCTION | PROCEDURE` does not end
/// the statement.
pub fn split_statements(script: &str) -> Vec<ScriptStatement> {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut statement = StatementDepth::default();
    for (at, token) in lex(script) {
        if token == Token::Symbol(";") && statement.at_top_level() {
            push_statement(script, start, at, &mut statements);
            start = at + 1;
            statement = StatementDepth::default();
        } else {
            statement.see(token);
        }
    }
    push_statement(script, start, script.len(), &mut statements);
    statements
}

/// Where the splitter is inside one statement: parentheses, and `BEGIN ... END` nesting in
/// a routine's SQL-standard body (psql's `begin_depth` heuristic).
#[derive(Default)]
struct StatementDepth {
    parens: u32,
    /// The statement's first words, upper-cased, up to the routine keyword.
    head: Vec<String>,
    begins: u32,
}

impl StatementDepth {
    fn at_top_level(&self) -> bool {
        self.parens == 0 && self.begins == 0
    }

    fn see(&mut self, token: Token<'_>) {
        match token {
            Token::Symbol("(") => self.parens += 1,
            Token::Symbol(")") => self.parens = self.parens.saturating_sub(1),
            Token::Word(word) => {
                if self.head.len() < 4 {
                    self.head.push(word.to_ascii_uppercase());
                }
                if self.parens > 0 || !self.is_routine() {
                    return;
                }
                if token.is("BEGIN") {
                    self.begins += 1;
                } else if token.is("CASE") && self.begins > 0 {
                    self.begins += 1; // CASE ... END inside the body
                } else if token.is("END") {
                    self.begins = self.begins.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    /// `CREATE [OR REPLACE] FUNCTION | PROCEDURE`.
    fn is_routine(&self) -> bool {
        let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
        matches!(
            head.as_slice(),
            ["CREATE", "FUNCTION" | "PROCEDURE", ..]
                | ["CREATE", "OR", "REPLACE", "FUNCTION" | "PROCEDURE", ..]
        )
    }
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
            s = &trimmed[end_of_block_comment(trimmed.as_bytes(), 0)..];
        } else {
            return trimmed;
        }
    }
}

/// One token of a statement, as PostgreSQL's lexer sees it (comments and blanks dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// An unquoted identifier or keyword, as written: compare it case-insensitively.
    Word(&'a str),
    /// A quoted identifier's name (`"a""b"` is `a""b`, escapes kept): never a keyword.
    Quoted(&'a str),
    /// A string or dollar-quoted body, with its quotes.
    Literal(&'a str),
    /// A number, operator or punctuation character.
    Symbol(&'a str),
}

impl Token<'_> {
    /// Whether this is the unquoted keyword `keyword` (given in upper case).
    pub fn is(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

/// The tokens of one statement's code.
pub fn tokens(code: &str) -> Vec<Token<'_>> {
    lex(code).into_iter().map(|(_, token)| token).collect()
}

/// The tokens of `code` with their byte offsets: the one lexer both splitting and
/// classifying read.
fn lex(code: &str) -> Vec<(usize, Token<'_>)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        match bytes[i] {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = end_of_block_comment(bytes, i);
                continue;
            }
            b'"' => {
                i = end_of_quoted(bytes, i + 1, b'"', false);
                let inner_end = if i > start + 1 && bytes[i - 1] == b'"' {
                    i - 1
                } else {
                    i
                };
                out.push((start, Token::Quoted(&code[start + 1..inner_end])));
                continue;
            }
            b'\'' => {
                // `E'...'`: the prefix is a word ending right at the quote.
                let escapes = matches!(out.last(), Some((at, Token::Word(w)))
                    if w.eq_ignore_ascii_case("E") && at + w.len() == i);
                i = end_of_quoted(bytes, i + 1, b'\'', escapes);
                out.push((start, Token::Literal(&code[start..i])));
                continue;
            }
            b'$' => {
                if let Some(tag_len) = dollar_tag(&bytes[i..]) {
                    let tag = &code[i..i + tag_len];
                    let body = i + tag_len;
                    i = code[body..]
                        .find(tag)
                        .map_or(bytes.len(), |end| body + end + tag_len);
                    out.push((start, Token::Literal(&code[start..i])));
                    continue;
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                out.push((start, Token::Word(&code[start..i])));
                continue;
            }
            _ => {}
        }
        // One character (whole, so that slicing stays on a boundary).
        i += code[i..].chars().next().map_or(1, char::len_utf8);
        out.push((start, Token::Symbol(&code[start..i])));
    }
    out
}

/// The index just past a nested `/* */` comment starting at `start`.
fn end_of_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The index just past the closing `quote` of a quoted run whose body starts at `i`
/// (a doubled quote is part of the body).
fn end_of_quoted(bytes: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    while i < bytes.len() {
        if backslash_escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// What a statement is, as far as running it in a transaction goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    /// `BEGIN` or `START TRANSACTION`, with no transaction modes.
    Begin,
    /// `COMMIT` or `END`.
    Commit,
    /// `SAVEPOINT name` (the name as PostgreSQL folds it).
    Savepoint(String),
    /// `RELEASE [SAVEPOINT] name`.
    Release(String),
    /// `ROLLBACK TO [SAVEPOINT] name`.
    RollbackTo(String),
    /// Transaction control a migration's one transaction cannot honour: `ROLLBACK`,
    /// `ABORT`, `BEGIN ISOLATION LEVEL ...`, `COMMIT AND CHAIN`, two-phase commit. Holds
    /// the statement's head, for messages.
    UnsupportedControl(&'static str),
    /// A statement PostgreSQL refuses inside a transaction block; holds its head.
    NoTransaction(&'static str),
    /// `SET` or `RESET`: a session setting, which changes no schema.
    Setting,
    /// Anything else.
    Other,
}

/// First PostgreSQL version (`server_version_num`) that runs `ALTER TYPE ... ADD VALUE`
/// inside a transaction block.
pub const ADD_VALUE_IN_TRANSACTION: u32 = 120000;

/// Classifies a statement by its head; `server_version_num` decides the statements whose
/// answer changed between releases (`ALTER TYPE ... ADD VALUE` before 12).
pub fn classify(code: &str, server_version_num: u32) -> StatementKind {
    let t = tokens(code);
    let is = |i: usize, keyword: &str| t.get(i).is_some_and(|tok| tok.is(keyword));
    let Some(first) = t.first() else {
        return StatementKind::Other;
    };
    let head = |keyword: &str| first.is(keyword);
    // `WORK` / `TRANSACTION` after BEGIN, COMMIT, ROLLBACK, ...
    let noise = |i: usize| {
        if is(i, "WORK") || is(i, "TRANSACTION") {
            i + 1
        } else {
            i
        }
    };
    if head("BEGIN") || (head("START") && is(1, "TRANSACTION")) {
        let rest = if head("BEGIN") { noise(1) } else { 2 };
        return if rest == t.len() {
            StatementKind::Begin
        } else {
            StatementKind::UnsupportedControl("BEGIN with transaction modes")
        };
    }
    if head("COMMIT") || head("END") {
        if is(1, "PREPARED") {
            return StatementKind::UnsupportedControl("COMMIT PREPARED");
        }
        let rest = noise(1);
        return if rest == t.len()
            || (is(rest, "AND") && is(rest + 1, "NO") && is(rest + 2, "CHAIN"))
        {
            StatementKind::Commit
        } else {
            StatementKind::UnsupportedControl("COMMIT AND CHAIN")
        };
    }
    if head("ROLLBACK") || head("ABORT") {
        if head("ROLLBACK") && is(1, "PREPARED") {
            return StatementKind::UnsupportedControl("ROLLBACK PREPARED");
        }
        let rest = noise(1);
        if head("ROLLBACK") && is(rest, "TO") {
            let name = if is(rest + 1, "SAVEPOINT") {
                rest + 2
            } else {
                rest + 1
            };
            return StatementKind::RollbackTo(name_at(&t, name));
        }
        return StatementKind::UnsupportedControl(if head("ROLLBACK") {
            "ROLLBACK"
        } else {
            "ABORT"
        });
    }
    if head("SAVEPOINT") {
        return StatementKind::Savepoint(name_at(&t, 1));
    }
    if head("RELEASE") {
        let name = if is(1, "SAVEPOINT") { 2 } else { 1 };
        return StatementKind::Release(name_at(&t, name));
    }
    if head("PREPARE") && is(1, "TRANSACTION") {
        return StatementKind::UnsupportedControl("PREPARE TRANSACTION");
    }
    if head("SET") || head("RESET") {
        return StatementKind::Setting;
    }
    match no_transaction_head(&t, server_version_num) {
        Some(what) => StatementKind::NoTransaction(what),
        None => StatementKind::Other,
    }
}

/// The statements PostgreSQL runs only outside a transaction block
/// (`PreventInTransactionBlock` in its sources), by their tokens.
fn no_transaction_head(t: &[Token<'_>], server_version_num: u32) -> Option<&'static str> {
    let is = |i: usize, keyword: &str| t.get(i).is_some_and(|tok| tok.is(keyword));
    let word_after = |from: usize, keyword: &str| t.iter().skip(from).any(|tok| tok.is(keyword));
    if is(0, "CREATE") {
        let index = if is(1, "UNIQUE") { 2 } else { 1 };
        if is(index, "INDEX") && is(index + 1, "CONCURRENTLY") {
            return Some("CREATE INDEX CONCURRENTLY");
        }
        if is(1, "DATABASE") {
            return Some("CREATE DATABASE");
        }
        if is(1, "TABLESPACE") {
            return Some("CREATE TABLESPACE");
        }
        if is(1, "SUBSCRIPTION") {
            return Some("CREATE SUBSCRIPTION");
        }
        return None;
    }
    if is(0, "DROP") {
        return match () {
            _ if is(1, "INDEX") && is(2, "CONCURRENTLY") => Some("DROP INDEX CONCURRENTLY"),
            _ if is(1, "DATABASE") => Some("DROP DATABASE"),
            _ if is(1, "TABLESPACE") => Some("DROP TABLESPACE"),
            _ if is(1, "SUBSCRIPTION") => Some("DROP SUBSCRIPTION"),
            _ => None,
        };
    }
    if is(0, "REINDEX") {
        let mut i = 1;
        let mut concurrently = false;
        if matches!(t.get(1), Some(Token::Symbol("("))) {
            // `REINDEX (VERBOSE, CONCURRENTLY [boolean]) ...`
            let close = t
                .iter()
                .position(|tok| *tok == Token::Symbol(")"))
                .unwrap_or(t.len());
            for (j, tok) in t.iter().enumerate().take(close).skip(2) {
                if tok.is("CONCURRENTLY") {
                    concurrently = !t.get(j + 1).is_some_and(|value| {
                        value.is("FALSE") || value.is("OFF") || *value == Token::Symbol("0")
                    });
                }
            }
            i = close + 1;
        }
        if is(i, "SCHEMA") || is(i, "DATABASE") || is(i, "SYSTEM") {
            return Some("REINDEX SCHEMA, DATABASE or SYSTEM");
        }
        if concurrently || is(i + 1, "CONCURRENTLY") {
            return Some("REINDEX CONCURRENTLY");
        }
        return None;
    }
    if is(0, "VACUUM") {
        return Some("VACUUM");
    }
    if is(0, "CLUSTER") {
        // Without a table it reclusters every table, each in its own transaction.
        let rest = &t[1..];
        let only_options = rest.iter().all(|tok| {
            tok.is("VERBOSE")
                || matches!(tok, Token::Symbol(_))
                || tok.is("TRUE")
                || tok.is("FALSE")
        });
        return only_options.then_some("CLUSTER without a table");
    }
    if is(0, "DISCARD") && is(1, "ALL") {
        return Some("DISCARD ALL");
    }
    if is(0, "ALTER") {
        if is(1, "SYSTEM") {
            return Some("ALTER SYSTEM");
        }
        if is(1, "DATABASE") && is(3, "SET") && is(4, "TABLESPACE") {
            return Some("ALTER DATABASE ... SET TABLESPACE");
        }
        if is(1, "SUBSCRIPTION") && (word_after(3, "REFRESH") || word_after(3, "PUBLICATION")) {
            return Some("ALTER SUBSCRIPTION ... PUBLICATION");
        }
        if is(1, "TYPE") && server_version_num < ADD_VALUE_IN_TRANSACTION {
            let add_value = (2..t.len()).any(|i| is(i, "ADD") && is(i + 1, "VALUE"));
            if add_value {
                return Some("ALTER TYPE ... ADD VALUE (before PostgreSQL 12)");
            }
        }
        if is(1, "TABLE") {
            let detach = (2..t.len()).find(|&i| is(i, "DETACH") && is(i + 1, "PARTITION"));
            if detach.is_some_and(|i| word_after(i + 2, "CONCURRENTLY")) {
                return Some("DETACH PARTITION CONCURRENTLY");
            }
        }
    }
    None
}

/// The name at token `i`, folded as PostgreSQL folds it: unquoted in lower case.
fn name_at(t: &[Token<'_>], i: usize) -> String {
    match t.get(i) {
        Some(Token::Word(w)) => w.to_lowercase(),
        Some(Token::Quoted(q)) => q.replace("\"\"", "\""),
        _ => String::new(),
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
    fn semicolons_in_parentheses_and_routine_bodies_do_not_split() {
        let script = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT a + b;\nEND;\n\
                      CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (1); INSERT INTO l VALUES (2));\n\
                      CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO l VALUES (3); END;\n\
                      CREATE TABLE begin_end (\"begin\" int, e$nd int);\nSELECT E'\\';' , 'x''';";
        let stmts = split_statements(script);
        let heads: Vec<String> = stmts
            .iter()
            .map(|s| {
                s.code()
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            heads,
            [
                "CREATE FUNCTION add(a",
                "CREATE RULE r",
                "CREATE OR REPLACE",
                "CREATE TABLE begin_end",
                "SELECT E'\\';' ,",
            ]
        );
        assert!(stmts[0].code().ends_with("END"), "{}", stmts[0].code());
        assert_eq!(stmts[3].line, 8);
    }

    #[test]
    fn empty_and_comment_only_scripts_have_no_statements() {
        assert!(split_statements("-- This is an empty migration.").is_empty());
        assert!(split_statements("\n/* a */\n;\n").is_empty());
    }

    /// The statement-head classifier: (statement, server_version_num, kind).
    #[test]
    fn statement_heads() {
        use StatementKind::*;
        const PG17: u32 = 170000;
        const PG11: u32 = 110022;
        let cases: &[(&str, u32, StatementKind)] = &[
            // Transaction control.
            ("BEGIN", PG17, Begin),
            ("begin work", PG17, Begin),
            ("BEGIN TRANSACTION", PG17, Begin),
            ("START TRANSACTION", PG17, Begin),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                PG17,
                UnsupportedControl("BEGIN with transaction modes"),
            ),
            (
                "START TRANSACTION READ ONLY",
                PG17,
                UnsupportedControl("BEGIN with transaction modes"),
            ),
            ("COMMIT", PG17, Commit),
            ("END", PG17, Commit),
            ("commit transaction", PG17, Commit),
            ("COMMIT AND NO CHAIN", PG17, Commit),
            (
                "COMMIT AND CHAIN",
                PG17,
                UnsupportedControl("COMMIT AND CHAIN"),
            ),
            (
                "COMMIT PREPARED 'x'",
                PG17,
                UnsupportedControl("COMMIT PREPARED"),
            ),
            ("ROLLBACK", PG17, UnsupportedControl("ROLLBACK")),
            ("ROLLBACK WORK", PG17, UnsupportedControl("ROLLBACK")),
            ("ABORT", PG17, UnsupportedControl("ABORT")),
            (
                "ROLLBACK PREPARED 'x'",
                PG17,
                UnsupportedControl("ROLLBACK PREPARED"),
            ),
            (
                "PREPARE TRANSACTION 'x'",
                PG17,
                UnsupportedControl("PREPARE TRANSACTION"),
            ),
            (
                "SAVEPOINT Before_Drop",
                PG17,
                Savepoint("before_drop".into()),
            ),
            ("SAVEPOINT \"Keep\"", PG17, Savepoint("Keep".into())),
            ("RELEASE SAVEPOINT a", PG17, Release("a".into())),
            ("RELEASE a", PG17, Release("a".into())),
            ("ROLLBACK TO SAVEPOINT a", PG17, RollbackTo("a".into())),
            ("ROLLBACK WORK TO a", PG17, RollbackTo("a".into())),
            // Not transaction control.
            ("BEGINNING", PG17, Other),
            ("PREPARE q AS SELECT 1", PG17, Other),
            ("DO $$ BEGIN COMMIT; END $$", PG17, Other),
            ("SET lock_timeout = '1s'", PG17, Setting),
            ("RESET lock_timeout", PG17, Setting),
            // Refused inside a transaction block.
            (
                "CREATE INDEX CONCURRENTLY i ON t (x)",
                PG17,
                NoTransaction("CREATE INDEX CONCURRENTLY"),
            ),
            (
                "create unique index concurrently if not exists i on t (x)",
                PG17,
                NoTransaction("CREATE INDEX CONCURRENTLY"),
            ),
            (
                "CREATE /* note */ INDEX -- why\n CONCURRENTLY ON t (x)",
                PG17,
                NoTransaction("CREATE INDEX CONCURRENTLY"),
            ),
            (
                "DROP INDEX CONCURRENTLY IF EXISTS \"i\"",
                PG17,
                NoTransaction("DROP INDEX CONCURRENTLY"),
            ),
            (
                "REINDEX INDEX CONCURRENTLY i",
                PG17,
                NoTransaction("REINDEX CONCURRENTLY"),
            ),
            (
                "REINDEX (VERBOSE, CONCURRENTLY) TABLE t",
                PG17,
                NoTransaction("REINDEX CONCURRENTLY"),
            ),
            ("REINDEX (CONCURRENTLY false) TABLE t", PG17, Other),
            ("REINDEX TABLE t", PG17, Other),
            (
                "REINDEX DATABASE app",
                PG17,
                NoTransaction("REINDEX SCHEMA, DATABASE or SYSTEM"),
            ),
            ("CREATE DATABASE x", PG17, NoTransaction("CREATE DATABASE")),
            (
                "DROP DATABASE IF EXISTS x",
                PG17,
                NoTransaction("DROP DATABASE"),
            ),
            (
                "ALTER DATABASE x SET TABLESPACE y",
                PG17,
                NoTransaction("ALTER DATABASE ... SET TABLESPACE"),
            ),
            ("ALTER DATABASE x SET search_path = a", PG17, Other),
            (
                "CREATE TABLESPACE t LOCATION '/x'",
                PG17,
                NoTransaction("CREATE TABLESPACE"),
            ),
            (
                "ALTER SYSTEM SET work_mem = '1MB'",
                PG17,
                NoTransaction("ALTER SYSTEM"),
            ),
            ("VACUUM ANALYZE t", PG17, NoTransaction("VACUUM")),
            ("CLUSTER", PG17, NoTransaction("CLUSTER without a table")),
            ("CLUSTER t USING i", PG17, Other),
            ("DISCARD ALL", PG17, NoTransaction("DISCARD ALL")),
            (
                "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
                PG17,
                NoTransaction("CREATE SUBSCRIPTION"),
            ),
            (
                "ALTER SUBSCRIPTION s REFRESH PUBLICATION",
                PG17,
                NoTransaction("ALTER SUBSCRIPTION ... PUBLICATION"),
            ),
            (
                "ALTER TABLE p DETACH PARTITION \"s\".\"c\" CONCURRENTLY",
                PG17,
                NoTransaction("DETACH PARTITION CONCURRENTLY"),
            ),
            ("ALTER TABLE p DETACH PARTITION c", PG17, Other),
            (
                "ALTER TYPE \"Role\" ADD VALUE 'X'",
                PG11,
                NoTransaction("ALTER TYPE ... ADD VALUE (before PostgreSQL 12)"),
            ),
            (
                "ALTER TYPE \"Role\" ADD VALUE IF NOT EXISTS 'X'",
                PG17,
                Other,
            ),
            ("ALTER TYPE t ADD ATTRIBUTE value INT", PG11, Other),
            // Quoted identifiers, strings and comments are never keywords.
            (
                "CREATE TABLE \"ConcurrentlyEditedDoc\" (id INT)",
                PG17,
                Other,
            ),
            ("CREATE INDEX \"CONCURRENTLY\" ON t (x)", PG17, Other),
            ("CREATE INDEX i ON \"Concurrently\" (x)", PG17, Other),
            ("CREATE TABLE vacuum_log (x INT)", PG17, Other),
            ("-- VACUUM\nSELECT 'VACUUM'", PG17, Other),
            (
                "/* CREATE INDEX CONCURRENTLY */ CREATE INDEX i ON t (x)",
                PG17,
                Other,
            ),
            ("INSERT INTO t VALUES (E'it\\'s CONCURRENTLY')", PG17, Other),
            ("\"BEGIN\"", PG17, Other),
            ("", PG17, Other),
        ];
        for (code, version, kind) in cases {
            assert_eq!(&classify(code, *version), kind, "{code}");
        }
    }

    #[test]
    fn tokens_skip_comments_and_keep_quoted_names() {
        assert_eq!(
            tokens("CREATE /* a /* nested */ b */ INDEX \"x\"\"y\" -- c\n ON $q$ ; $q$ 'it''s'"),
            [
                Token::Word("CREATE"),
                Token::Word("INDEX"),
                Token::Quoted("x\"\"y"),
                Token::Word("ON"),
                Token::Literal("$q$ ; $q$"),
                Token::Literal("'it''s'"),
            ]
        );
    }
}
