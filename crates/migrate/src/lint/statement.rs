//! What the lint needs to know of one statement, read from `split`'s tokens: which table
//! it touches and which of the handful of DDL shapes it is (`CREATE TABLE`, `CREATE INDEX`,
//! the actions of an `ALTER TABLE`, `DROP TABLE`, `ALTER TYPE ... ADD VALUE`). Everything
//! else is [`Statement::Other`]: the lint never fails on SQL it does not know.

use crate::split::Token;

/// One statement, as far as the rules go. Names are folded as PostgreSQL folds them
/// (unquoted in lower case) and stripped of their schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    CreateTable {
        table: String,
        /// Column name and type, as written (normalised, see [`type_text`]).
        columns: Vec<(String, String)>,
    },
    CreateIndex {
        table: String,
        concurrently: bool,
    },
    AlterTable {
        table: String,
        actions: Vec<Action>,
    },
    DropTable {
        tables: Vec<String>,
    },
    AlterTypeAddValue {
        name: String,
    },
    Other,
}

/// One action of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AddColumn {
        column: String,
        tpe: String,
        not_null: bool,
        /// A `DEFAULT`, a generated or identity column, or a `serial` type: every existing
        /// row gets a value.
        fills_rows: bool,
        references: bool,
    },
    AddForeignKey {
        name: Option<String>,
        not_valid: bool,
    },
    AddCheck {
        name: Option<String>,
        not_valid: bool,
        /// The column when the check is exactly `column IS NOT NULL`.
        not_null_of: Option<String>,
    },
    /// `ADD [CONSTRAINT name] PRIMARY KEY | UNIQUE ...`, which PostgreSQL cannot add
    /// `NOT VALID` (no rule reads it; the conformance section does).
    AddKey {
        using_index: bool,
    },
    ValidateConstraint {
        name: String,
    },
    SetNotNull {
        column: String,
    },
    SetType {
        column: String,
        tpe: String,
        using: bool,
    },
    DropColumn {
        column: String,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    RenameTable {
        to: String,
    },
    Other,
}

/// Reads a statement's code.
pub fn parse(code: &str) -> Statement {
    let tokens = crate::split::tokens(code);
    let t = Cursor { t: &tokens, at: 0 };
    parse_tokens(t).unwrap_or(Statement::Other)
}

fn parse_tokens(mut t: Cursor<'_, '_>) -> Option<Statement> {
    if t.eat("CREATE") {
        if t.eat("OR") {
            t.eat("REPLACE");
        }
        // CREATE [GLOBAL | LOCAL] [TEMP | TEMPORARY | UNLOGGED] TABLE
        if !t.eat("GLOBAL") {
            t.eat("LOCAL");
        }
        // A temporary table is the session's own: as new as a table created here.
        if !t.eat("TEMP") && !t.eat("TEMPORARY") {
            t.eat("UNLOGGED");
        }
        if t.eat("TABLE") {
            if t.eat("IF") {
                t.eat("NOT");
                t.eat("EXISTS");
            }
            let table = t.name()?;
            let columns = if t.peek_symbol("(") {
                let body = t.parenthesized()?;
                column_definitions(body)
            } else {
                Vec::new()
            };
            return Some(Statement::CreateTable { table, columns });
        }
        t.eat("UNIQUE");
        if t.eat("INDEX") {
            let concurrently = t.eat("CONCURRENTLY");
            let on = t.t[t.at..].iter().position(|tok| tok.is("ON"))?;
            t.at += on + 1;
            t.eat("ONLY");
            let table = t.name()?;
            return Some(Statement::CreateIndex {
                table,
                concurrently,
            });
        }
        return None;
    }
    if t.eat("DROP") {
        if !t.eat("TABLE") {
            return None;
        }
        if t.eat("IF") {
            t.eat("EXISTS");
        }
        let mut tables = vec![t.name()?];
        while t.eat_symbol(",") {
            tables.push(t.name()?);
        }
        return Some(Statement::DropTable { tables });
    }
    if t.eat("ALTER") {
        if t.eat("TYPE") {
            let name = t.name()?;
            return (t.eat("ADD") && t.eat("VALUE"))
                .then_some(Statement::AlterTypeAddValue { name });
        }
        if !t.eat("TABLE") {
            return None;
        }
        if t.eat("IF") {
            t.eat("EXISTS");
        }
        t.eat("ONLY");
        let table = t.name()?;
        t.eat_symbol("*");
        let actions = split_top_level(&t.t[t.at..])
            .into_iter()
            .map(action)
            .collect();
        return Some(Statement::AlterTable { table, actions });
    }
    None
}

fn action(tokens: &[Token<'_>]) -> Action {
    let t = Cursor { t: tokens, at: 0 };
    action_of(t).unwrap_or(Action::Other)
}

fn action_of(mut t: Cursor<'_, '_>) -> Option<Action> {
    if t.eat("ADD") {
        let name = if t.eat("CONSTRAINT") { t.name() } else { None };
        if t.eat("FOREIGN") {
            return Some(Action::AddForeignKey {
                name,
                not_valid: t.has_sequence(&["NOT", "VALID"]),
            });
        }
        if t.eat("CHECK") {
            let body = t.parenthesized()?;
            return Some(Action::AddCheck {
                name,
                not_valid: t.has_sequence(&["NOT", "VALID"]),
                not_null_of: is_not_null_check(body),
            });
        }
        if t.peek("PRIMARY") || t.peek("UNIQUE") {
            return Some(Action::AddKey {
                using_index: t.has_sequence(&["USING", "INDEX"]),
            });
        }
        if name.is_some() || t.peek("EXCLUDE") {
            return Some(Action::Other);
        }
        t.eat("COLUMN");
        if t.eat("IF") {
            t.eat("NOT");
            t.eat("EXISTS");
        }
        let column = t.name()?;
        let rest = &t.t[t.at..];
        let (tpe, constraints) = split_type(rest);
        let at_top = |keyword: &str| top_level(constraints).any(|tok| tok.is(keyword));
        let not_null = top_level_sequence(constraints, &["NOT", "NULL"]) || at_top("PRIMARY");
        let serial = matches!(
            tpe.as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
        return Some(Action::AddColumn {
            column,
            tpe,
            not_null,
            fills_rows: serial || at_top("DEFAULT") || at_top("GENERATED"),
            references: at_top("REFERENCES"),
        });
    }
    if t.eat("VALIDATE") {
        t.eat("CONSTRAINT");
        return Some(Action::ValidateConstraint { name: t.name()? });
    }
    if t.eat("ALTER") {
        if t.peek("CONSTRAINT") {
            return Some(Action::Other);
        }
        t.eat("COLUMN");
        let column = t.name()?;
        if t.eat("SET") {
            if t.eat("NOT") && t.eat("NULL") {
                return Some(Action::SetNotNull { column });
            }
            if !t.eat("DATA") {
                return Some(Action::Other);
            }
        }
        if t.eat("TYPE") {
            let rest = &t.t[t.at..];
            let end = rest
                .iter()
                .position(|tok| tok.is("USING") || tok.is("COLLATE"))
                .unwrap_or(rest.len());
            return Some(Action::SetType {
                column,
                tpe: type_text(&rest[..end]),
                using: rest.iter().any(|tok| tok.is("USING")),
            });
        }
        return Some(Action::Other);
    }
    if t.eat("DROP") {
        if t.peek("CONSTRAINT") {
            return Some(Action::Other);
        }
        t.eat("COLUMN");
        if t.eat("IF") {
            t.eat("EXISTS");
        }
        return Some(Action::DropColumn { column: t.name()? });
    }
    if t.eat("RENAME") {
        if t.eat("TO") {
            return Some(Action::RenameTable { to: t.name()? });
        }
        if t.peek("CONSTRAINT") {
            return Some(Action::Other);
        }
        t.eat("COLUMN");
        let from = t.name()?;
        if !t.eat("TO") {
            return None;
        }
        return Some(Action::RenameColumn {
            from,
            to: t.name()?,
        });
    }
    None
}

/// `CREATE TABLE`'s column definitions (table constraints and `LIKE` skipped).
fn column_definitions(body: &[Token<'_>]) -> Vec<(String, String)> {
    split_top_level(body)
        .into_iter()
        .filter_map(|element| {
            let first = element.first()?;
            if [
                "CONSTRAINT",
                "PRIMARY",
                "UNIQUE",
                "FOREIGN",
                "CHECK",
                "EXCLUDE",
                "LIKE",
            ]
            .iter()
            .any(|k| first.is(k))
            {
                return None;
            }
            let column = fold(first)?;
            let (tpe, _) = split_type(&element[1..]);
            Some((column, tpe))
        })
        .collect()
}

/// A column definition's type and the constraints after it.
fn split_type<'t, 'a>(rest: &'t [Token<'a>]) -> (String, &'t [Token<'a>]) {
    const CONSTRAINT_HEADS: [&str; 10] = [
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "CONSTRAINT",
        "GENERATED",
        "COLLATE",
    ];
    let mut depth = 0u32;
    let end = rest
        .iter()
        .position(|tok| {
            match tok {
                Token::Symbol("(") => depth += 1,
                Token::Symbol(")") => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0 && CONSTRAINT_HEADS.iter().any(|k| tok.is(k))
        })
        .unwrap_or(rest.len());
    (type_text(&rest[..end]), &rest[end..])
}

/// A type as one comparable string: keywords in lower case, quoted names as written,
/// no spaces around punctuation (`VARCHAR(191)` is `varchar(191)`, `TEXT []` is `text[]`).
pub fn type_text(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    for tok in tokens {
        match tok {
            Token::Word(w) => {
                if out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '"') {
                    out.push(' ');
                }
                out.push_str(&w.to_ascii_lowercase());
            }
            Token::Quoted(q) => {
                out.push('"');
                out.push_str(q);
                out.push('"');
            }
            Token::Literal(l) | Token::Symbol(l) => out.push_str(l),
        }
    }
    out
}

/// `column IS NOT NULL`, possibly in extra parentheses.
fn is_not_null_check(body: &[Token<'_>]) -> Option<String> {
    let inner: Vec<&Token<'_>> = body
        .iter()
        .filter(|tok| !matches!(tok, Token::Symbol("(" | ")")))
        .collect();
    match inner.as_slice() {
        [column, is, not, null] if is.is("IS") && not.is("NOT") && null.is("NULL") => fold(column),
        _ => None,
    }
}

/// Splits at commas outside parentheses.
fn split_top_level<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let mut depth = 0u32;
    let mut start = 0;
    for (i, tok) in tokens.iter().enumerate() {
        match tok {
            Token::Symbol("(") => depth += 1,
            Token::Symbol(")") => depth = depth.saturating_sub(1),
            Token::Symbol(",") if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The tokens outside parentheses.
fn top_level<'t, 'a>(tokens: &'t [Token<'a>]) -> impl Iterator<Item = &'t Token<'a>> {
    let mut depth = 0u32;
    tokens.iter().filter(move |tok| match tok {
        Token::Symbol("(") => {
            depth += 1;
            false
        }
        Token::Symbol(")") => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => depth == 0,
    })
}

fn top_level_sequence(tokens: &[Token<'_>], keywords: &[&str]) -> bool {
    let top: Vec<&Token<'_>> = top_level(tokens).collect();
    top.windows(keywords.len())
        .any(|w| w.iter().zip(keywords).all(|(tok, k)| tok.is(k)))
}

/// A name token folded as PostgreSQL folds it.
fn fold(token: &Token<'_>) -> Option<String> {
    match token {
        Token::Word(w) => Some(w.to_lowercase()),
        Token::Quoted(q) => Some(q.replace("\"\"", "\"")),
        _ => None,
    }
}

struct Cursor<'t, 'a> {
    t: &'t [Token<'a>],
    at: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    fn peek(&self, keyword: &str) -> bool {
        self.t.get(self.at).is_some_and(|tok| tok.is(keyword))
    }

    fn peek_symbol(&self, symbol: &str) -> bool {
        self.t.get(self.at) == Some(&Token::Symbol(symbol))
    }

    fn eat(&mut self, keyword: &str) -> bool {
        let found = self.peek(keyword);
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = self.peek_symbol(symbol);
        if found {
            self.at += 1;
        }
        found
    }

    /// A possibly qualified name; its last part, folded.
    fn name(&mut self) -> Option<String> {
        let mut name = fold(self.t.get(self.at)?)?;
        self.at += 1;
        while self.peek_symbol(".") {
            self.at += 1;
            name = fold(self.t.get(self.at)?)?;
            self.at += 1;
        }
        Some(name)
    }

    /// The tokens inside the parentheses opening here; the cursor moves past them.
    fn parenthesized(&mut self) -> Option<&'t [Token<'a>]> {
        if !self.peek_symbol("(") {
            return None;
        }
        let start = self.at + 1;
        let mut depth = 0u32;
        for (i, tok) in self.t.iter().enumerate().skip(self.at) {
            match tok {
                Token::Symbol("(") => depth += 1,
                Token::Symbol(")") => {
                    depth -= 1;
                    if depth == 0 {
                        self.at = i + 1;
                        return Some(&self.t[start..i]);
                    }
                }
                _ => {}
            }
        }
        self.at = self.t.len();
        Some(&self.t[start..])
    }

    /// Whether the rest has `keywords` in a row, outside parentheses.
    fn has_sequence(&self, keywords: &[&str]) -> bool {
        top_level_sequence(&self.t[self.at..], keywords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prisma_shapes() {
        assert_eq!(
            parse(
                "ALTER TABLE \"public\".\"User\" ADD COLUMN \"age\" INTEGER NOT NULL DEFAULT 0,\nADD COLUMN \"tags\" VARCHAR(10)[] REFERENCES t(x)"
            ),
            Statement::AlterTable {
                table: "User".into(),
                actions: vec![
                    Action::AddColumn {
                        column: "age".into(),
                        tpe: "integer".into(),
                        not_null: true,
                        fills_rows: true,
                        references: false
                    },
                    Action::AddColumn {
                        column: "tags".into(),
                        tpe: "varchar(10)[]".into(),
                        not_null: false,
                        fills_rows: false,
                        references: true
                    },
                ]
            }
        );
        assert_eq!(
            parse(
                "CREATE TABLE \"A\" (\"id\" TEXT NOT NULL, \"n\" DECIMAL(65,30), CONSTRAINT \"A_pkey\" PRIMARY KEY (\"id\"))"
            ),
            Statement::CreateTable {
                table: "A".into(),
                columns: vec![
                    ("id".into(), "text".into()),
                    ("n".into(), "decimal(65,30)".into())
                ]
            }
        );
        assert_eq!(
            parse("CREATE UNIQUE INDEX \"A_b_key\" ON \"A\"(\"b\")"),
            Statement::CreateIndex {
                table: "A".into(),
                concurrently: false
            }
        );
        assert_eq!(
            parse("ALTER TABLE a ADD CONSTRAINT c CHECK ((\"b\" IS NOT NULL)) NOT VALID"),
            Statement::AlterTable {
                table: "a".into(),
                actions: vec![Action::AddCheck {
                    name: Some("c".into()),
                    not_valid: true,
                    not_null_of: Some("b".into())
                }]
            }
        );
        assert_eq!(
            parse("ALTER TABLE a ALTER COLUMN b SET DATA TYPE TIMESTAMP(3) USING b::timestamp"),
            Statement::AlterTable {
                table: "a".into(),
                actions: vec![Action::SetType {
                    column: "b".into(),
                    tpe: "timestamp(3)".into(),
                    using: true
                }]
            }
        );
        assert_eq!(
            parse("DROP TABLE IF EXISTS a, \"B\" CASCADE"),
            Statement::DropTable {
                tables: vec!["a".into(), "B".into()]
            }
        );
        assert_eq!(
            parse("CREATE TEMP TABLE \"t\" ON COMMIT DROP AS SELECT 1"),
            Statement::CreateTable {
                table: "t".into(),
                columns: vec![]
            }
        );
        assert_eq!(
            parse("ALTER TABLE a ADD CONSTRAINT k UNIQUE USING INDEX i, ADD PRIMARY KEY (id)"),
            Statement::AlterTable {
                table: "a".into(),
                actions: vec![
                    Action::AddKey { using_index: true },
                    Action::AddKey { using_index: false }
                ]
            }
        );
        assert_eq!(parse("SELECT 1"), Statement::Other);
        assert_eq!(parse("ALTER TABLE"), Statement::Other);
        assert_eq!(parse("CREATE INDEX"), Statement::Other);
    }
}
