//! Text → [`SchemaAst`], with the pest grammar in `grammar.pest`.
//!
//! Parsing never fails: the grammar ends every level in a catch-all rule, so
//! what it cannot place becomes an `Invalid` node. If pest still reports an
//! error (it should not), it becomes one syntax diagnostic at its position.

use pest::Parser;
use pest::iterators::Pair;

use crate::ast::*;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{FileId, SourceFiles, Span};

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct PslParser;

/// Parses every file and concatenates their top-level items.
pub fn parse_files(files: &SourceFiles, diagnostics: &mut Diagnostics) -> SchemaAst {
    let mut ast = SchemaAst::default();
    for (id, file) in files.iter() {
        parse_into(&file.text, id, &mut ast, diagnostics);
    }
    ast
}

/// Parses one file's text.
pub fn parse_str(text: &str, file: FileId, diagnostics: &mut Diagnostics) -> SchemaAst {
    let mut ast = SchemaAst::default();
    parse_into(text, file, &mut ast, diagnostics);
    ast
}

pub(crate) fn parse_tree(text: &str) -> Result<Pair<'_, Rule>, Box<pest::error::Error<Rule>>> {
    let mut pairs = PslParser::parse(Rule::schema, text).map_err(Box::new)?;
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

/// The offset where nesting first exceeds [`MAX_NESTING`], if it does.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            b'\n' => depth = 0,
            _ => {}
        }
    }
    None
}

fn parse_into(text: &str, file: FileId, ast: &mut SchemaAst, diagnostics: &mut Diagnostics) {
    if let Some(at) = too_deep(text) {
        diagnostics.push(Diagnostic::error(
            codes::SYNTAX,
            Span::new(file, at, at + 1),
            format!("brackets are nested more than {MAX_NESTING} deep here"),
        ));
        return;
    }
    let root = match parse_tree(text) {
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
    let cx = Cx { file };
    let mut pending_doc: Option<String> = None;
    for pair in root.into_inner() {
        match pair.as_rule() {
            Rule::comment_block => pending_doc = doc_of_comment_block(&pair),
            Rule::empty_lines | Rule::EOI => {
                if pair.as_rule() == Rule::empty_lines {
                    pending_doc = None;
                }
            }
            Rule::model_declaration => {
                ast.tops.push(cx.model(pair, pending_doc.take()));
            }
            Rule::enum_declaration => ast
                .tops
                .push(Top::Enum(cx.enum_decl(pair, pending_doc.take()))),
            Rule::config_block => ast.tops.push(cx.config_block(pair, pending_doc.take())),
            Rule::type_alias => {
                let span = cx.span(&pair);
                let name = pair.into_inner().find(|p| p.as_rule() == Rule::identifier);
                if let Some(name) = name {
                    ast.tops.push(Top::TypeAlias(TypeAlias {
                        name: cx.ident(&name),
                        span,
                    }));
                }
                pending_doc = None;
            }
            Rule::arbitrary_block => {
                let span = cx.span(&pair);
                let keyword = pair.into_inner().find(|p| p.as_rule() == Rule::identifier);
                let keyword = keyword.map(|k| cx.ident(&k)).unwrap_or(Ident {
                    name: String::new(),
                    span,
                });
                ast.tops.push(Top::InvalidBlock { keyword, span });
                pending_doc = None;
            }
            Rule::CATCH_ALL => {
                ast.tops.push(Top::Invalid {
                    span: cx.trimmed_span(&pair),
                });
                pending_doc = None;
            }
            _ => {}
        }
    }
}

/// The `///` lines of a comment block, joined with newlines; `None` if there are none.
fn doc_of_comment_block(pair: &Pair<'_, Rule>) -> Option<String> {
    let lines: Vec<&str> = pair
        .clone()
        .into_inner()
        .filter(|p| p.as_rule() == Rule::doc_comment)
        .map(|p| doc_text(p.as_str()))
        .collect();
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

fn doc_text(raw: &str) -> &str {
    let body = raw.strip_prefix("///").unwrap_or(raw);
    let body = body.strip_prefix(' ').unwrap_or(body);
    body.trim_end()
}

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
        Span::new(self.file, s.start(), s.start() + trimmed.len())
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    fn model(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Top {
        let span = self.span(&pair);
        let mut kind = ModelKind::Model;
        let mut name = None;
        let mut fields = Vec::new();
        let mut attributes = Vec::new();
        let mut invalid_lines = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::MODEL_KEYWORD => kind = ModelKind::Model,
                Rule::VIEW_KEYWORD => kind = ModelKind::View,
                Rule::TYPE_KEYWORD => kind = ModelKind::CompositeType,
                Rule::identifier => name = Some(self.ident(&p)),
                Rule::model_contents => {
                    let mut pending_doc = None;
                    for item in p.into_inner() {
                        match item.as_rule() {
                            Rule::field_declaration => {
                                fields.push(self.field(item, pending_doc.take()))
                            }
                            Rule::block_attribute_line => {
                                pending_doc = None;
                                if let Some(a) = item
                                    .into_inner()
                                    .find(|x| x.as_rule() == Rule::block_attribute)
                                {
                                    attributes.push(self.attribute(a));
                                }
                            }
                            Rule::comment_block => pending_doc = doc_of_comment_block(&item),
                            Rule::empty_lines => pending_doc = None,
                            Rule::BLOCK_LEVEL_CATCH_ALL => {
                                pending_doc = None;
                                invalid_lines.push(self.trimmed_span(&item));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let name = name.unwrap_or(Ident {
            name: String::new(),
            span,
        });
        Top::Model(Model {
            kind,
            name,
            fields,
            attributes,
            invalid_lines,
            documentation,
            span,
        })
    }

    fn field(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Field {
        let span = self.span(&pair);
        let mut name = None;
        let mut field_type = None;
        let mut attributes = Vec::new();
        let mut legacy_colon = None;
        let mut trailing_doc = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::identifier => name = Some(self.ident(&p)),
                Rule::LEGACY_COLON => legacy_colon = Some(self.span(&p)),
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
        let name = name.unwrap_or(Ident {
            name: String::new(),
            span,
        });
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
                Rule::base_type => base = Some(p),
                Rule::legacy_list_type => {
                    arity = Arity::List;
                    invalid_arity = Some(InvalidArity::LegacyList);
                    base = p.into_inner().find(|x| x.as_rule() == Rule::base_type);
                }
                Rule::type_suffix => match p.into_inner().next().map(|x| x.as_rule()) {
                    Some(Rule::list_suffix) => arity = Arity::List,
                    Some(Rule::optional_suffix) => arity = Arity::Optional,
                    Some(Rule::unsupported_optional_list_suffix) => {
                        arity = Arity::List;
                        invalid_arity = Some(InvalidArity::OptionalList);
                    }
                    Some(Rule::legacy_required_suffix) => {
                        invalid_arity = Some(InvalidArity::LegacyRequired)
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        let name = match base.and_then(|b| b.into_inner().next()) {
            Some(p) if p.as_rule() == Rule::unsupported_type => {
                match p.into_inner().find(|x| x.as_rule() == Rule::string_literal) {
                    Some(l) => {
                        let s = self.span(&l);
                        TypeName::Unsupported(unescape(&l), s)
                    }
                    None => TypeName::Unsupported(String::new(), span),
                }
            }
            Some(p) => TypeName::Named(self.ident(&p)),
            None => TypeName::Named(Ident {
                name: String::new(),
                span,
            }),
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
        let mut name = Ident {
            name: String::new(),
            span,
        };
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
        let mut args = Arguments {
            span: Some(self.span(&pair)),
            ..Default::default()
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::argument => {
                    let span = self.span(&p);
                    let Some(inner) = p.into_inner().next() else {
                        continue;
                    };
                    match inner.as_rule() {
                        Rule::named_argument => {
                            let mut it = inner.into_inner();
                            let (Some(n), Some(v)) = (it.next(), it.next()) else {
                                continue;
                            };
                            args.items.push(Argument {
                                name: Some(self.ident(&n)),
                                value: self.expression(v),
                                span,
                            });
                        }
                        Rule::empty_argument => {
                            if let Some(n) = inner.into_inner().next() {
                                args.empty.push(self.ident(&n));
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
                Rule::trailing_comma => args.trailing_comma = Some(self.span(&p)),
                _ => {}
            }
        }
        args
    }

    fn expression(&self, pair: Pair<'_, Rule>) -> Expression {
        let span = self.span(&pair);
        let inner = if pair.as_rule() == Rule::expression {
            pair.into_inner().next()
        } else {
            Some(pair)
        };
        let Some(inner) = inner else {
            return Expression::Constant(String::new(), span);
        };
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::string_literal => Expression::String(unescape(&inner), span),
            Rule::numeric_literal => Expression::Numeric(inner.as_str().to_string(), span),
            Rule::path => Expression::Constant(inner.as_str().to_string(), span),
            Rule::function_call => {
                let mut name = String::new();
                let mut args = Arguments::default();
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::path => name = p.as_str().to_string(),
                        Rule::arguments_list => args = self.arguments(p),
                        _ => {}
                    }
                }
                Expression::Function(name, args, span)
            }
            Rule::array_expression => Expression::Array(
                inner.into_inner().map(|e| self.expression(e)).collect(),
                span,
            ),
            _ => Expression::Constant(inner.as_str().to_string(), span),
        }
    }

    fn enum_decl(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Enum {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut values = Vec::new();
        let mut attributes = Vec::new();
        let mut invalid_lines = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::identifier => name = self.ident(&p),
                Rule::enum_contents => {
                    let mut pending_doc = None;
                    for item in p.into_inner() {
                        match item.as_rule() {
                            Rule::enum_value_declaration => {
                                let vspan = self.span(&item);
                                let mut vname = Ident {
                                    name: String::new(),
                                    span: vspan,
                                };
                                let mut vattrs = Vec::new();
                                for x in item.into_inner() {
                                    match x.as_rule() {
                                        Rule::identifier => vname = self.ident(&x),
                                        Rule::field_attribute => vattrs.push(self.attribute(x)),
                                        _ => {}
                                    }
                                }
                                let end = vattrs
                                    .last()
                                    .map(|a: &Attribute| a.span.end)
                                    .unwrap_or(vname.span.end);
                                values.push(EnumValue {
                                    name: vname,
                                    attributes: vattrs,
                                    documentation: pending_doc.take(),
                                    span: Span { end, ..vspan },
                                });
                            }
                            Rule::block_attribute_line => {
                                pending_doc = None;
                                if let Some(a) = item
                                    .into_inner()
                                    .find(|x| x.as_rule() == Rule::block_attribute)
                                {
                                    attributes.push(self.attribute(a));
                                }
                            }
                            Rule::comment_block => pending_doc = doc_of_comment_block(&item),
                            Rule::empty_lines => pending_doc = None,
                            Rule::BLOCK_LEVEL_CATCH_ALL => {
                                pending_doc = None;
                                invalid_lines.push(self.trimmed_span(&item));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Enum {
            name,
            values,
            attributes,
            invalid_lines,
            documentation,
            span,
        }
    }

    fn config_block(&self, pair: Pair<'_, Rule>, documentation: Option<String>) -> Top {
        let span = self.span(&pair);
        let mut is_datasource = false;
        let mut name = Ident {
            name: String::new(),
            span,
        };
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
                                let mut key = Ident {
                                    name: String::new(),
                                    span: kspan,
                                };
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
