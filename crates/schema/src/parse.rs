//! Text → [`SchemaAst`], with the pest grammar in `grammar.pest`.
//!
//! Parsing never fails: the grammar ends every level in a catch-all rule, so
//! what it cannot place becomes an `Invalid` node. If pest still reports an
//! error (it should not), it becomes one syntax diagnostic at its position.
//!
//! Parsing is linear on any input: in the grammar nothing that spans lines
//! can fail after reaching far (a block's contents end at its `}`, at the
//! next line opening a block at column 0, or at the end of the text; an
//! unclosed `/*` runs to the end). A block without its `}` and an unclosed
//! `/*` are reported here, each once, with the span on where it opens.
//!
//! Parsing runs on the calling thread, one file after the other: the whole
//! parse of a 300-model schema takes a few milliseconds (BENCHMARKS.md).

use pest::Parser;
use pest::iterators::Pair;

use compact_str::CompactString;

use crate::ast::*;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{FileId, SourceFiles, Span};

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct PslParser;

/// Parses every file and concatenates their top-level items, in file order.
pub fn parse_files(files: &SourceFiles, diagnostics: &mut Diagnostics) -> SchemaAst {
    let mut ast = SchemaAst::default();
    for (id, file) in files.iter() {
        parse_into(&mut ast, &file.text, id, diagnostics);
    }
    ast
}

/// Parses one file's text.
pub fn parse_str(text: &str, file: FileId, diagnostics: &mut Diagnostics) -> SchemaAst {
    let mut ast = SchemaAst::default();
    parse_into(&mut ast, text, file, diagnostics);
    ast
}

/// Parses `text` (all of `file`) and appends its top-level items to `ast`.
fn parse_into(ast: &mut SchemaAst, text: &str, file: FileId, diagnostics: &mut Diagnostics) {
    if let Some(at) = too_deep(text, MAX_NESTING) {
        diagnostics.error(
            codes::SYNTAX,
            Span::new(file, at, at + 1),
            format!("brackets are nested more than {MAX_NESTING} deep here"),
        );
        return;
    }
    let root = match parse_tree(Rule::schema, text) {
        Ok(root) => root,
        Err(err) => {
            let pos = match err.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            diagnostics.push(Diagnostic::error(
                codes::SYNTAX,
                Span::new(file, pos, pos),
                "this schema could not be parsed",
            ));
            return;
        }
    };
    // Found before the tree is consumed, reported after the blocks' errors
    // (the comment runs to the end, so it comes last in both orders). The
    // block it opens in is unclosed only because of it: not reported.
    let comment_error = unclosed_comment(text, &root, file);
    let comment_start = comment_error.as_ref().map(|e| e.span.start as usize);
    let cx = Cx { file };
    let tops = &mut ast.tops;
    let mut pending_doc: Option<String> = None;
    for pair in root.into_inner() {
        let rule = pair.as_rule();
        if matches!(
            rule,
            Rule::model_declaration | Rule::enum_declaration | Rule::config_block
        ) && comment_start.is_none_or(|at| {
            let span = pair.as_span();
            !(span.start()..span.end()).contains(&at)
        }) {
            diagnostics.extend(unclosed_block(text, &pair, file));
        }
        match rule {
            Rule::comment_block => pending_doc = doc_of_comment_block(&pair),
            Rule::empty_lines => pending_doc = None,
            Rule::model_declaration => {
                tops.push(cx.model(pair, pending_doc.take()));
            }
            Rule::enum_declaration => tops.push(Top::Enum(cx.enum_decl(pair, pending_doc.take()))),
            Rule::config_block => tops.push(cx.config_block(pair, pending_doc.take())),
            Rule::type_alias => {
                let span = cx.span(&pair);
                let name = pair.into_inner().find(|p| p.as_rule() == Rule::identifier);
                if let Some(name) = name {
                    tops.push(Top::TypeAlias(TypeAlias {
                        name: cx.ident(&name),
                        span,
                    }));
                }
                pending_doc = None;
            }
            Rule::arbitrary_block => {
                let span = cx.span(&pair);
                let keyword = pair.into_inner().find(|p| p.as_rule() == Rule::identifier);
                let keyword = keyword
                    .map(|k| cx.ident(&k))
                    .unwrap_or(Ident::missing(span));
                tops.push(Top::InvalidBlock { keyword, span });
                pending_doc = None;
            }
            Rule::CATCH_ALL => {
                tops.push(Top::Invalid {
                    span: cx.trimmed_span(&pair),
                });
                pending_doc = None;
            }
            _ => {}
        }
    }
    diagnostics.extend(comment_error);
}
/// The tree of `text` read from `rule` (`schema`, or the formatter's
/// `format_schema`).
pub(crate) fn parse_tree(
    rule: Rule,
    text: &str,
) -> Result<Pair<'_, Rule>, Box<pest::error::Error<Rule>>> {
    let mut pairs = PslParser::parse(rule, text).map_err(Box::new)?;
    pairs.next().ok_or_else(|| {
        Box::new(pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::CustomError {
                message: "empty parse".into(),
            },
            pest::Position::from_start(text),
        ))
    })
}

/// Deepest bracket nesting the parser accepts. The grammar recurses once per
/// `(` or `[`; real schemas nest at most 3 or 4 deep, and this bound keeps a
/// pathological input from exhausting the stack.
const MAX_NESTING: usize = 64;

/// The offset where nesting first exceeds `limit`, if it does (the
/// formatter asks with its own limit). Nesting never crosses a line break,
/// and a line with no more opening brackets than the limit cannot exceed
/// it: only such lines are walked.
pub(crate) fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        let opening = |b: &u8| *b == b'(' || *b == b'[';
        if line.len() <= limit || line.bytes().filter(opening).count() <= limit {
            continue;
        }
        let mut depth = 0usize;
        for (i, b) in line.bytes().enumerate() {
            match b {
                b'(' | b'[' => {
                    depth += 1;
                    if depth > limit {
                        return Some(start + i);
                    }
                }
                b')' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// The error for a model, view, type, enum, datasource or generator block
/// without its `}`, if `block` (a pair of the tree of `text`) is one: on
/// its first line, with a label on the opener that ends it, if one does.
fn unclosed_block(text: &str, block: &Pair<'_, Rule>, file: FileId) -> Option<Diagnostic> {
    let mut parts = block.clone().into_inner();
    if parts.next_back()?.as_rule() == Rule::BLOCK_CLOSE {
        return None;
    }
    let keyword = parts.next()?;
    let name = parts.find(|p| p.as_rule() == Rule::identifier)?.as_str();
    let open = block
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::BLOCK_OPEN)?;
    let start = block.as_span().start();
    let header = Span::new(file, start, open.as_span().end());
    let end = block.as_span().end();
    let mut error = Diagnostic::error(
        codes::SYNTAX,
        header,
        format!("`{} {name}` has no closing `}}`", keyword.as_str()),
    );
    // Contents end early only at a block opener: its first line up to `{`.
    let next = text.get(end..).and_then(|rest| {
        let line = rest.split(['\n', '\r']).next()?;
        line.find('{').map(|brace| brace + 1)
    });
    error = match next {
        Some(len) => error
            .with_label(
                Span::new(file, end, end + len),
                format!("`{name}` is read up to here, where the next block opens"),
            )
            .with_help(format!(
                "add a line with `}}` after the last line of `{name}`; a line opening a block at column 0 ends the block before it"
            )),
        None => error.with_help(format!(
            "add a line with `}}` after the last line of `{name}`; it is read up to the end of the file"
        )),
    };
    Some(error)
}

/// The error for a `/*` that is never closed (it runs to the end of the
/// text), if `root` (the tree of `text`) has one.
fn unclosed_comment(text: &str, root: &Pair<'_, Rule>, file: FileId) -> Option<Diagnostic> {
    let at = unclosed_comment_start(text, root)?;
    Some(
        Diagnostic::error(
            codes::SYNTAX,
            Span::new(file, at, at + 2),
            "this block comment has no closing `*/`",
        )
        .with_help("add `*/` where the comment ends; everything after `/*` is read as a comment"),
    )
}

/// Where the `/*` that is never closed starts in `text`, if `root` (the tree
/// of `text`) has one. The tree is only walked when the text has a `/*` with
/// no `*/` after it, which an unclosed comment needs.
pub(crate) fn unclosed_comment_start(text: &str, root: &Pair<'_, Rule>) -> Option<usize> {
    let last_open = text.rfind("/*")?;
    if text[last_open + 2..].contains("*/") {
        return None;
    }
    let comment = root.clone().into_inner().flatten().find(|p| {
        p.as_rule() == Rule::block_comment && {
            let c = p.as_str();
            c.len() < 4 || !c.ends_with("*/")
        }
    })?;
    Some(comment.as_span().start())
}

/// The `///` lines of a comment block, joined with newlines; `None` if there are none.
fn doc_of_comment_block(pair: &Pair<'_, Rule>) -> Option<String> {
    let lines: Vec<&str> = pair
        .clone()
        .into_inner()
        .filter(|p| p.as_rule() == Rule::doc_comment)
        .map(|p| doc_text(p.as_str()))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn doc_text(raw: &str) -> &str {
    let body = raw.strip_prefix("///").unwrap_or(raw);
    let body = body.strip_prefix(' ').unwrap_or(body);
    body.trim_end()
}

/// What model and enum bodies share: block attributes, comments whose `///`
/// text documents the next item, and lines the grammar could not place.
#[derive(Default)]
struct BlockBody {
    attributes: Vec<Attribute>,
    invalid_lines: Vec<Span>,
    /// `///` text waiting for the next field or enum value.
    pending_doc: Option<String>,
}

/// What AST building needs besides the tree: the file the spans point into.
struct Cx {
    file: FileId,
}

impl Cx {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    /// The span without trailing newline / whitespace (for catch-all lines).
    fn trimmed_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let trimmed = s.as_str().trim_end();
        let start = s.start();
        Span::new(self.file, start, start + trimmed.len())
    }

    /// Takes one item of a model or enum body; gives back the items only the
    /// caller knows how to read (fields, enum values).
    fn body_item<'i>(&self, body: &mut BlockBody, item: Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
        match item.as_rule() {
            Rule::block_attribute_line => {
                body.pending_doc = None;
                let attribute = item
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::block_attribute);
                if let Some(attribute) = attribute {
                    body.attributes.push(self.attribute(attribute));
                }
            }
            Rule::comment_block => body.pending_doc = doc_of_comment_block(&item),
            Rule::empty_lines => body.pending_doc = None,
            Rule::BLOCK_LEVEL_CATCH_ALL => {
                body.pending_doc = None;
                body.invalid_lines.push(self.trimmed_span(&item));
            }
            _ => return Some(item),
        }
        None
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: CompactString::new(pair.as_str()),
            span: self.span(pair),
        }
    }

    fn model(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Top {
        let span = self.span(&pair);
        let mut kind = ModelKind::Model;
        let mut name = None;
        let mut fields = Vec::new();
        let mut body = BlockBody::default();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::MODEL_KEYWORD => kind = ModelKind::Model,
                Rule::VIEW_KEYWORD => kind = ModelKind::View,
                Rule::TYPE_KEYWORD => kind = ModelKind::CompositeType,
                Rule::identifier => name = Some(self.ident(&p)),
                Rule::model_contents => {
                    let items = p.into_inner();
                    fields.reserve(items.len());
                    for item in items {
                        let Some(item) = self.body_item(&mut body, item) else {
                            continue;
                        };
                        if item.as_rule() == Rule::field_declaration {
                            fields.push(self.field(item, body.pending_doc.take()));
                        }
                    }
                }
                _ => {}
            }
        }
        let name = name.unwrap_or(Ident::missing(span));
        Top::Model(Model {
            kind,
            name,
            fields,
            attributes: body.attributes,
            invalid_lines: body.invalid_lines,
            documentation,
            span,
        })
    }

    fn field(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Field {
        let span = self.span(&pair);
        let mut name = None;
        let mut field_type = None;
        let mut attributes = Vec::new();
        let mut trailing_doc = None;
        let text = pair.as_str();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::identifier => name = Some(self.ident(&p)),
                Rule::field_type => field_type = Some(self.field_type(p)),
                Rule::field_attribute => attributes.push(self.attribute(p)),
                Rule::trailing_comment => {
                    if let Some(d) = p.into_inner().find(|c| c.as_rule() == Rule::doc_comment) {
                        trailing_doc = Some(doc_text(d.as_str()).to_string());
                    }
                }
                _ => {}
            }
        }
        let documentation = match (documentation, trailing_doc) {
            (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
            (a, b) => a.or(b),
        };
        let name = name.unwrap_or(Ident::missing(span));
        let legacy_colon = legacy_colon(text, span.start as usize, name.span.end as usize)
            .map(|at| Span::new(self.file, at, at + 1));
        // A field's span ends at its last token, not at the newline.
        let end = attributes
            .last()
            .map(|a: &Attribute| a.span.end)
            .or(field_type.as_ref().map(|t: &FieldType| t.span.end))
            .unwrap_or(name.span.end);
        let span = Span { end, ..span };
        Field {
            name,
            field_type,
            attributes,
            documentation,
            legacy_colon,
            span,
        }
    }

    fn field_type(&self, pair: Pair<'_, Rule>) -> FieldType {
        let span = self.span(&pair);
        let mut arity = Arity::Required;
        let mut invalid_arity = None;
        let mut base = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::path | Rule::unsupported_type => base = Some(p),
                Rule::legacy_list_type => {
                    arity = Arity::List;
                    invalid_arity = Some(InvalidArity::LegacyList);
                    base = p.into_inner().next();
                }
                // `[]`, `[]?`, `?` or `!`, possibly with spaces inside.
                Rule::type_suffix => {
                    let suffix = p.as_str();
                    if suffix.starts_with('[') {
                        arity = Arity::List;
                        if suffix.ends_with('?') {
                            invalid_arity = Some(InvalidArity::OptionalList);
                        }
                    } else if suffix == "?" {
                        arity = Arity::Optional;
                    } else {
                        invalid_arity = Some(InvalidArity::LegacyRequired);
                    }
                }
                _ => {}
            }
        }
        let name = match base {
            // `Unsupported("...")`: its child is the string.
            Some(u) if u.as_rule() == Rule::unsupported_type => match u.into_inner().next() {
                Some(l) => TypeName::Unsupported(unescape(&l), self.span(&l)),
                None => TypeName::Unsupported(String::new(), span),
            },
            Some(p) => TypeName::Named(self.ident(&p)),
            None => TypeName::Named(Ident::missing(span)),
        };
        FieldType {
            name,
            arity,
            invalid_arity,
            span,
        }
    }

    fn attribute(&self, pair: Pair<'_, Rule>) -> Attribute {
        let span = self.span(&pair);
        let mut name = Ident::missing(span);
        let mut arguments = Arguments::default();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::path => name = self.ident(&p),
                Rule::arguments_list => arguments = self.arguments(p),
                _ => {}
            }
        }
        Attribute {
            name,
            arguments,
            span,
        }
    }

    fn arguments(&self, pair: Pair<'_, Rule>) -> Arguments {
        let span = self.span(&pair);
        let (start, pair_text) = (span.start as usize, pair.as_str());
        let mut args = Arguments {
            span: Some(span),
            ..Default::default()
        };
        // The children of an arguments list are its arguments.
        for inner in pair.into_inner() {
            let span = self.span(&inner);
            match inner.as_rule() {
                Rule::named_argument => {
                    let mut it = inner.into_inner();
                    match (it.next(), it.next()) {
                        (Some(n), Some(v)) => args.items.push(Argument {
                            name: Some(self.ident(&n)),
                            value: self.expression(v),
                            span,
                        }),
                        // `name:` with the value left out.
                        (Some(n), None) => args.empty.push(self.ident(&n)),
                        _ => {}
                    }
                }
                Rule::expression => args.items.push(Argument {
                    name: None,
                    value: self.expression(inner),
                    span,
                }),
                _ => {}
            }
        }
        // `(a, b,)`: the comma before the closing parenthesis.
        let text = pair_text.strip_suffix(')').unwrap_or(pair_text).trim_end();
        if text.ends_with(',') && text.len() > 1 {
            let at = start + text.len() - 1;
            args.trailing_comma = Some(Span::new(self.file, at, at + 1));
        }
        args
    }

    /// An `expression` pair (or an element of an array, which is one).
    fn expression(&self, pair: Pair<'_, Rule>) -> Expression {
        let span = self.span(&pair);
        let mut children = pair.into_inner();
        let Some(inner) = children.next() else {
            return Expression::Constant(CompactString::default(), span);
        };
        // `path(arguments)`: a function call.
        if let Some(list) = children.next() {
            let args = if list.as_rule() == Rule::arguments_list {
                self.arguments(list)
            } else {
                Arguments::default()
            };
            return Expression::Function(CompactString::new(inner.as_str()), args, span);
        }
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::string_literal => Expression::String(unescape(&inner), span),
            Rule::numeric_literal => Expression::Numeric(CompactString::new(inner.as_str()), span),
            Rule::path => Expression::Constant(CompactString::new(inner.as_str()), span),
            Rule::array_expression => Expression::Array(
                inner.into_inner().map(|e| self.expression(e)).collect(),
                span,
            ),
            _ => Expression::Constant(CompactString::new(inner.as_str()), span),
        }
    }

    fn enum_decl(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Enum {
        let span = self.span(&pair);
        let mut name = Ident::missing(span);
        let mut values = Vec::new();
        let mut body = BlockBody::default();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::identifier => name = self.ident(&p),
                Rule::enum_contents => {
                    for item in p.into_inner() {
                        let Some(item) = self.body_item(&mut body, item) else {
                            continue;
                        };
                        if item.as_rule() == Rule::enum_value_declaration {
                            values.push(self.enum_value(item, body.pending_doc.take()));
                        }
                    }
                }
                _ => {}
            }
        }
        Enum {
            name,
            values,
            attributes: body.attributes,
            invalid_lines: body.invalid_lines,
            documentation,
            span,
        }
    }

    fn enum_value(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> EnumValue {
        let span = self.span(&pair);
        let mut name = Ident::missing(span);
        let mut attributes = Vec::new();
        for x in pair.into_inner() {
            match x.as_rule() {
                Rule::identifier => name = self.ident(&x),
                Rule::field_attribute => attributes.push(self.attribute(x)),
                _ => {}
            }
        }
        // A value's span ends at its last token, not at the newline.
        let end = attributes
            .last()
            .map(|a: &Attribute| a.span.end)
            .unwrap_or(name.span.end);
        EnumValue {
            name,
            attributes,
            documentation,
            span: Span { end, ..span },
        }
    }

    fn config_block(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Top {
        let span = self.span(&pair);
        let mut is_datasource = false;
        let mut name = Ident::missing(span);
        let mut properties = Vec::new();
        let mut invalid_lines = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::DATASOURCE_KEYWORD => is_datasource = true,
                Rule::GENERATOR_KEYWORD => is_datasource = false,
                Rule::identifier => name = self.ident(&p),
                Rule::config_contents => {
                    for item in p.into_inner() {
                        match item.as_rule() {
                            Rule::key_value => {
                                let kspan = self.span(&item);
                                let mut key = Ident::missing(kspan);
                                let mut value = None;
                                for x in item.into_inner() {
                                    match x.as_rule() {
                                        Rule::identifier => key = self.ident(&x),
                                        Rule::expression => value = Some(self.expression(x)),
                                        _ => {}
                                    }
                                }
                                let end = value
                                    .as_ref()
                                    .map(|v: &Expression| v.span().end)
                                    .unwrap_or(kspan.end);
                                let end = end.min(kspan.end);
                                properties.push(ConfigProperty {
                                    name: key,
                                    value,
                                    span: Span { end, ..kspan },
                                });
                            }
                            Rule::BLOCK_LEVEL_CATCH_ALL => {
                                invalid_lines.push(self.trimmed_span(&item))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let block = ConfigBlock {
            name,
            properties,
            invalid_lines,
            documentation,
            span,
        };
        if is_datasource {
            Top::Datasource(block)
        } else {
            Top::Generator(block)
        }
    }
}

/// The offset of the `:` in `name: Type` (Prisma 1 syntax), if the text of a
/// field declaration starting at `start` has one right after its name.
fn legacy_colon(text: &str, start: usize, name_end: usize) -> Option<usize> {
    let after_name = text.get(name_end.checked_sub(start)?..)?;
    let colon = after_name.trim_start_matches([' ', '\t']);
    colon
        .starts_with(':')
        .then(|| name_end + (after_name.len() - colon.len()))
}

/// The value of a string literal pair, with escapes resolved.
fn unescape(lit: &Pair<'_, Rule>) -> String {
    let raw = lit.as_str();
    let body = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_limit_is_per_line_and_points_at_the_first_bracket_too_many() {
        let ok = "(".repeat(MAX_NESTING);
        assert_eq!(too_deep(&format!("{ok}\n{ok}\n"), MAX_NESTING), None);
        let deep = format!(
            "model A {{\n  a Int @default({})\n}}\n",
            "[".repeat(MAX_NESTING)
        );
        let at = deep.find('(').unwrap_or(0);
        assert_eq!(too_deep(&deep, MAX_NESTING), Some(at + MAX_NESTING));
        let mut d = Diagnostics::new();
        let ast = parse_files(&SourceFiles::single("s.prisma", deep), &mut d);
        assert!(ast.tops.is_empty() && d.has_errors());
    }
}
