//! Re-printing the parse tree in canonical layout (Prisma's `reformat`).
//!
//! The rules, all taken from `prisma format`'s output:
//! - top level: blank lines before the first item dropped, runs of blank lines
//!   become one, a block's closing line is always followed by one blank line
//!   when anything follows;
//! - inside a block: fields (and enum values, config properties) are aligned
//!   in columns per group, a group ending at a blank line; comment lines are
//!   rows of the group without columns; lines the grammar cannot place are
//!   kept (re-indented) and do not count for the widths;
//! - block attributes move to the end of the block, after one blank line, in
//!   the order `@@id @@unique @@index @@fulltext @@map @@ignore` then the rest
//!   as written; a comment directly above a block attribute moves with it;
//! - field attributes are ordered `@id @unique @default @updatedAt @map
//!   @relation @ignore` then the rest (`@db.*`, unknown ones) as written;
//! - arguments are re-spaced (`a, b`, `name: value`), trailing commas and
//!   line breaks inside argument lists and arrays dropped;
//! - `/* ... */` comments on their own lines become `/**`, ` * line`, ` */`;
//!   trailing comments are kept as written;
//! - trailing whitespace is removed and the text ends with one newline.

use std::iter::Peekable;

use pest::iterators::Pair;

use super::table::{Output, Table};
use crate::parse::{Rule, parse_tree, unclosed_comment_start};

/// Column of a field's name, type and attributes; of an enum value's name and
/// attributes; of a config property's key and `= value`.
const NAME_COLUMN: usize = 0;
const TYPE_COLUMN: usize = 1;
const FIELD_ATTRIBUTES_COLUMN: usize = 2;
const VALUE_ATTRIBUTES_COLUMN: usize = 1;
const VALUE_COLUMN: usize = 1;

/// Attribute names in canonical order (for field attributes `@x` and block
/// attributes `@@x` alike); others keep their relative order after these.
const ATTRIBUTE_ORDER: [&str; 9] = [
    "id",
    "unique",
    "default",
    "updatedAt",
    "index",
    "fulltext",
    "map",
    "relation",
    "ignore",
];

/// Formats one file's text; `None` if it does not parse at all, or if the
/// layout would change what it means.
pub(super) fn layout(text: &str) -> Option<String> {
    lay_out(text, true)
}

/// [`layout`]; `split` tells whether an unclosed `/*` may split the text
/// (once, so the text is parsed at most twice).
fn lay_out(text: &str, split: bool) -> Option<String> {
    let mut out = Output::default();
    let root = parse_tree(Rule::format_schema, text).ok()?;
    // An unclosed `/*` runs to the end of the file. Laying it out would
    // close it or move attributes into it, so the lines before its line are
    // laid out on their own (a block it is in stays open there, which it is
    // anyway) and its line and the rest are kept as written.
    if let Some(start) = unclosed_comment_start(text, &root) {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let (head, tail) = text.split_at(line_start);
        let mut laid_out = if !split {
            // A comment in the head that closes in the tail.
            return None;
        } else if head.trim().is_empty() {
            String::new()
        } else {
            lay_out(head, false)?
        };
        laid_out.push_str(tail);
        if !laid_out.ends_with('\n') {
            laid_out.push('\n');
        }
        return Some(laid_out);
    }
    top_level(&mut out, root);
    if out.unsafe_to_reorder {
        return None;
    }
    Some(out.finish())
}

/// Writes the top-level items. A block opened by two words (`foo Bar {`) is
/// not one item for Prisma, whose grammar reads its first line as an invalid
/// line and everything after it afresh: `format_schema` reads it the same
/// way, so such a line is a `CATCH_ALL`, written as it is.
fn top_level(out: &mut Output, root: Pair<'_, Rule>) {
    let mut items = root.into_inner().peekable();
    eat_empty_lines(&mut items);
    while let Some(item) = items.next() {
        match item.as_rule() {
            Rule::model_declaration | Rule::enum_declaration | Rule::config_block => {
                block(out, item)
            }
            Rule::comment_block => {
                let mut table = Table::default();
                comment_rows(item, &mut table);
                table.render(out);
            }
            // Blank lines at the end of the file go.
            Rule::empty_lines
                if !matches!(items.peek().map(Pair::as_rule), None | Some(Rule::EOI)) =>
            {
                out.end_line();
            }
            Rule::CATCH_ALL | Rule::type_alias | Rule::format_arbitrary_block => {
                out.write(item.as_str())
            }
            _ => {}
        }
    }
}

/// `model`, `view`, `type`, `enum`, `datasource` and `generator` blocks.
fn block(out: &mut Output, block: Pair<'_, Rule>) {
    let mut keyword = "";
    let mut name = "";
    let mut header_comment = None;
    let mut contents = None;
    let mut closed = false;
    for part in block.into_inner() {
        match part.as_rule() {
            Rule::MODEL_KEYWORD
            | Rule::VIEW_KEYWORD
            | Rule::TYPE_KEYWORD
            | Rule::ENUM_KEYWORD
            | Rule::DATASOURCE_KEYWORD
            | Rule::GENERATOR_KEYWORD => keyword = part.as_str(),
            Rule::identifier => name = part.as_str(),
            // Prisma drops a comment written after `{`; refract keeps it.
            Rule::trailing_comment => header_comment = Some(part.as_str()),
            Rule::model_contents | Rule::enum_contents | Rule::config_contents => {
                contents = Some(part)
            }
            Rule::BLOCK_CLOSE => closed = true,
            _ => {}
        }
    }
    out.write(keyword);
    out.write(" ");
    out.write(name);
    out.write(" {");
    if let Some(comment) = header_comment {
        out.write(" ");
        out.write(comment);
    }
    out.end_line();
    out.indent();
    if let Some(contents) = contents {
        block_contents(out, contents);
    }
    out.dedent();
    // A block without its `}` is read up to the next block opener at column
    // 0, which its indented lines cannot become: laid out, it still ends
    // there. The `}` is not added: where it belongs is the user's call.
    if closed {
        out.write("}");
        out.end_line();
    }
}

fn block_contents(out: &mut Output, contents: Pair<'_, Rule>) {
    let mut items = contents.into_inner().peekable();
    let mut table = Table::default();
    // Block attributes with the comment block directly above them, if any.
    let mut attributes: Vec<(Option<Pair<'_, Rule>>, Pair<'_, Rule>)> = Vec::new();
    let mut pending_comment = None;
    // Whether a row of this block is written: a blank line is only kept
    // between rows, never at the top (Prisma writes one there when the block
    // starts with an attribute, and removes it on the next run).
    let mut has_rows = false;

    eat_empty_lines(&mut items);
    loop {
        let ate_empty_lines = eat_empty_lines(&mut items);
        if ate_empty_lines {
            match items.peek().map(Pair::as_rule) {
                // Blank lines at the end of the block or before an attribute
                // go; the attributes get their own blank line below.
                None | Some(Rule::block_attribute_line) | Some(Rule::comment_block) => {}
                Some(_) => new_group(out, &mut table, &mut has_rows),
            }
        }
        let Some(item) = items.next() else { break };
        match item.as_rule() {
            Rule::comment_block => {
                if items.peek().map(Pair::as_rule) == Some(Rule::block_attribute_line) {
                    pending_comment = Some(item);
                } else {
                    if ate_empty_lines {
                        new_group(out, &mut table, &mut has_rows);
                    }
                    comment_rows(item, &mut table);
                }
            }
            Rule::field_declaration | Rule::enum_value_declaration => {
                declaration_row(item, &mut table)
            }
            Rule::key_value => key_value_row(item, &mut table),
            Rule::block_attribute_line => attributes.push((pending_comment.take(), item)),
            Rule::BLOCK_LEVEL_CATCH_ALL => {
                let line = item.as_str().trim_end();
                // An unclosed `/*` on an invalid line would reach, on the
                // next run, the `*/` of a comment moved below it with an
                // attribute: leave such a file as it is.
                if opens_comment(line) && attributes.iter().any(has_block_comment) {
                    out.unsafe_to_reorder = true;
                }
                table.interleave(line);
            }
            _ => {}
        }
    }
    table.render(out);

    if !attributes.is_empty() {
        table.start_row();
    }
    attributes.sort_by_key(|(_, line)| attribute_rank(block_attribute_name(line)));
    for (comment, line) in attributes {
        if let Some(comment) = comment {
            comment_rows(comment, &mut table);
        }
        block_attribute_row(line, &mut table);
    }
    table.render(out);
}

/// The line has a `/*` that it does not close.
fn opens_comment(line: &str) -> bool {
    line.rfind("/*")
        .is_some_and(|open| !line[open + 2..].contains("*/"))
}

/// The attribute line or the comment moving with it has a `/* */` comment.
fn has_block_comment((comment, line): &(Option<Pair<'_, Rule>>, Pair<'_, Rule>)) -> bool {
    line.as_str().contains("/*") || comment.as_ref().is_some_and(|c| c.as_str().contains("/*"))
}

/// Ends the current alignment group at a blank line.
fn new_group(out: &mut Output, table: &mut Table, has_rows: &mut bool) {
    *has_rows |= !table.is_empty();
    table.render(out);
    if *has_rows {
        table.start_row();
    }
}

/// Skips one `empty_lines` item; says whether there was one.
fn eat_empty_lines<'i>(items: &mut Peekable<impl Iterator<Item = Pair<'i, Rule>>>) -> bool {
    items
        .next_if(|p| p.as_rule() == Rule::empty_lines)
        .is_some()
}

/// A field (name, type, attributes) or an enum value (name, attributes).
fn declaration_row(declaration: Pair<'_, Rule>, table: &mut Table) {
    let is_field = declaration.as_rule() == Rule::field_declaration;
    let mut attributes = Vec::new();
    let mut trailing_comment = None;
    for part in declaration.into_inner() {
        match part.as_rule() {
            Rule::identifier => {
                table.start_row();
                table.column(NAME_COLUMN).push_str(part.as_str());
            }
            Rule::field_type => *table.column(TYPE_COLUMN) = field_type(part),
            Rule::field_attribute => attributes.push(part),
            Rule::trailing_comment => trailing_comment = Some(part.as_str()),
            // `name: Type` (Prisma 1): the colon is dropped.
            _ => {}
        }
    }
    // Enum value attributes keep their order. Prisma writes several of them
    // without a space between (`@map("a")@x`); refract separates them.
    if is_field {
        attributes.sort_by_key(|attribute| attribute_rank(attribute_name(attribute)));
    }
    if is_field || !attributes.is_empty() {
        let rendered: Vec<String> = attributes.into_iter().map(field_attribute).collect();
        let column = if is_field {
            FIELD_ATTRIBUTES_COLUMN
        } else {
            VALUE_ATTRIBUTES_COLUMN
        };
        *table.column(column) = rendered.join(" ");
    }
    if let Some(comment) = trailing_comment {
        table.append_suffix(comment);
    }
}

fn key_value_row(property: Pair<'_, Rule>, table: &mut Table) {
    table.start_row();
    let mut value = None;
    let mut trailing_comment = None;
    for part in property.into_inner() {
        match part.as_rule() {
            Rule::identifier => table.column(NAME_COLUMN).push_str(part.as_str()),
            Rule::expression => value = Some(expression(part)),
            Rule::trailing_comment => trailing_comment = Some(part.as_str()),
            _ => {}
        }
    }
    // `key =` without a value: Prisma drops the `=`, which turns the line into
    // an invalid one on the next run; refract keeps it.
    *table.column(VALUE_COLUMN) = match value {
        Some(value) => format!("= {value}"),
        None => "=".to_string(),
    };
    if let Some(comment) = trailing_comment {
        table.append_suffix(comment);
    }
}

fn block_attribute_row(line: Pair<'_, Rule>, table: &mut Table) {
    table.start_row();
    for part in line.into_inner() {
        match part.as_rule() {
            Rule::block_attribute => {
                let mut text = String::from("@@");
                attribute_body(part, &mut text);
                table.column(NAME_COLUMN).push_str(&text);
            }
            Rule::trailing_comment => table.append_suffix(part.as_str()),
            _ => {}
        }
    }
}

/// One row per comment line; `/* */` comments in canonical multi-line form.
fn comment_rows(block: Pair<'_, Rule>, table: &mut Table) {
    for comment in block.into_inner() {
        match comment.as_rule() {
            Rule::doc_comment | Rule::line_comment => {
                table.start_row();
                table.append_suffix(comment.as_str().trim_end());
            }
            Rule::block_comment => {
                table.start_row();
                table.append_suffix("/**");
                let raw = comment.as_str();
                let inner = raw.get(2..raw.len().saturating_sub(2)).unwrap_or("");
                for line in inner.lines() {
                    let line = line.trim();
                    let line = line.strip_prefix('*').map(str::trim_start).unwrap_or(line);
                    if !line.is_empty() {
                        table.start_row();
                        table.append_suffix(" * ");
                        table.append_suffix(line);
                    }
                }
                table.start_row();
                table.append_suffix(" */");
            }
            _ => {}
        }
    }
}

/// `Type`, `Type?`, `Type[]`, `Type[]?`; legacy `Type!` and `[Type]` become
/// `Type` and `Type[]`. Read from the base type and the text after it, so any
/// way the grammar spells the suffixes gives the same result.
fn field_type(field_type: Pair<'_, Rule>) -> String {
    let text = field_type.as_str();
    let Some(base) = field_type
        .clone()
        .into_inner()
        .flatten()
        .find(|p| matches!(p.as_rule(), Rule::path | Rule::unsupported_type))
    else {
        return text.trim().to_string();
    };
    if text.trim_start().starts_with('[') {
        return format!("{}[]", base.as_str());
    }
    let after_base = base.as_span().end() - field_type.as_span().start();
    let suffix: String = text
        .get(after_base..)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match suffix.as_str() {
        "!" => base.as_str().to_string(),
        suffix => format!("{}{suffix}", base.as_str()),
    }
}

fn field_attribute(attribute: Pair<'_, Rule>) -> String {
    let mut text = String::from("@");
    attribute_body(attribute, &mut text);
    text
}

/// `name(arguments)` of a field or block attribute.
fn attribute_body(attribute: Pair<'_, Rule>, out: &mut String) {
    for part in attribute.into_inner() {
        match part.as_rule() {
            Rule::path => out.push_str(part.as_str()),
            Rule::arguments_list => arguments(part, out),
            _ => {}
        }
    }
}

fn attribute_name<'i>(attribute: &Pair<'i, Rule>) -> &'i str {
    attribute
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::path)
        .map(|p| p.as_str())
        .unwrap_or("")
}

fn block_attribute_name<'i>(line: &Pair<'i, Rule>) -> &'i str {
    line.clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::block_attribute)
        .map(|attribute| attribute_name(&attribute))
        .unwrap_or("")
}

fn attribute_rank(name: &str) -> usize {
    ATTRIBUTE_ORDER
        .iter()
        .position(|known| *known == name)
        .unwrap_or(usize::MAX)
}

fn arguments(list: Pair<'_, Rule>, out: &mut String) {
    out.push('(');
    let mut first = true;
    let arguments = list
        .into_inner()
        .filter(|p| matches!(p.as_rule(), Rule::named_argument | Rule::expression));
    for inner in arguments {
        if !first {
            out.push_str(", ");
        }
        first = false;
        match inner.as_rule() {
            Rule::named_argument => {
                for part in inner.into_inner() {
                    match part.as_rule() {
                        Rule::identifier => {
                            out.push_str(part.as_str());
                            out.push_str(": ");
                        }
                        Rule::expression => out.push_str(&expression(part)),
                        _ => {}
                    }
                }
            }
            _ => out.push_str(&expression(inner)),
        }
    }
    out.push(')');
}

fn expression(expression: Pair<'_, Rule>) -> String {
    let mut out = String::new();
    write_expression(expression, &mut out);
    out
}

fn write_expression(expression: Pair<'_, Rule>, out: &mut String) {
    match expression.as_rule() {
        Rule::expression => {
            for inner in expression.into_inner() {
                write_expression(inner, out);
            }
        }
        // The arguments of a function call (`expression` = path + list).
        Rule::arguments_list => arguments(expression, out),
        Rule::array_expression => {
            out.push('[');
            for (i, element) in expression.into_inner().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expression(element, out);
            }
            out.push(']');
        }
        _ => out.push_str(expression.as_str()),
    }
}
