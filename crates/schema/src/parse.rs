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
//! Large schemas are parsed on several threads: a file is cut into pieces at
//! lines that open a block at column 0 (`model X {`, spelt so that the
//! grammar's `BLOCK_OPENER` surely matches), each piece is parsed on its
//! own, and the pieces are joined. Only a block comment can run across such
//! a line, so the cuts are kept unless a piece before the last has a `/*`;
//! then the file is parsed again in one piece (twice in all, never more).
//! `tests/parallel.rs` checks both give the same AST.

use pest::Parser;
use pest::iterators::Pair;

use compact_str::CompactString;

use crate::ast::*;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{FileId, SourceFiles, Span};

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct PslParser;

/// Parses every file and concatenates their top-level items, on as many
/// threads as the machine has when the schema is large enough to gain.
pub fn parse_files(files: &SourceFiles, diagnostics: &mut Diagnostics) -> SchemaAst {
    parse_files_on(
        files,
        diagnostics,
        crate::threads::parallelism(),
        PARALLEL_MIN_BYTES,
        PIECE_BYTES,
    )
}

/// Parses one file's text.
pub fn parse_str(text: &str, file: FileId, diagnostics: &mut Diagnostics) -> SchemaAst {
    let mut ast = SchemaAst::default();
    if let Some(error) = nesting_error(text, file) {
        diagnostics.push(error);
        return ast;
    }
    ast.join(parse_piece(text, 0..text.len(), file), diagnostics);
    ast
}

/// Schemas smaller than this are parsed on the calling thread: below it,
/// starting a thread costs about what it saves.
pub(crate) const PARALLEL_MIN_BYTES: usize = 96 * 1024;

/// Size of the pieces a large file is cut into. Small pieces keep pest's token
/// queue (which starts empty and doubles) in the core's cache and let the
/// threads share the work evenly: 8 KiB pieces parse the 1,000-model bench
/// schema 15% faster than one piece per thread (BENCHMARKS.md).
const PIECE_BYTES: usize = 8 * 1024;

/// [`parse_files`] with the thread count, the size threshold and the piece
/// size given: tests force tiny pieces to check that cutting never changes
/// the AST.
#[doc(hidden)]
pub fn parse_files_on(
    files: &SourceFiles,
    diagnostics: &mut Diagnostics,
    threads: usize,
    min_bytes: usize,
    piece_bytes: usize,
) -> SchemaAst {
    let mut ast = SchemaAst::default();
    let mut jobs = Vec::new();
    let total: usize = files.iter().map(|(_, f)| f.text.len()).sum();
    let piece_size = piece_bytes.max(1);
    for (id, file) in files.iter() {
        let text = file.text.as_str();
        if let Some(error) = nesting_error(text, id) {
            diagnostics.push(error);
            continue;
        }
        let wanted = if total < min_bytes || threads < 2 {
            1
        } else {
            text.len().div_ceil(piece_size)
        };
        let cuts = block_starts_near(text, wanted);
        for (k, range) in cuts.windows(2).enumerate() {
            jobs.push(Job {
                file: id,
                text,
                start: range[0],
                end: range[1],
                last_of_file: k + 2 == cuts.len(),
            });
        }
    }
    let mut parsed = run_jobs(&jobs, threads).into_iter();
    let mut at = 0;
    while at < jobs.len() {
        let file = jobs[at].file;
        let count = jobs[at..].iter().take_while(|j| j.file == file).count();
        let pieces: Vec<Piece> = parsed.by_ref().take(count).collect();
        if pieces[..count - 1].iter().all(|p| p.clean) {
            let mut doc = None;
            for mut piece in pieces {
                if let (Some(doc), Some(first)) = (doc.take(), piece.first_block) {
                    set_documentation(&mut piece.tops[first], doc);
                }
                doc = piece.trailing_doc.take();
                ast.join(piece, diagnostics);
            }
        } else {
            // A cut may fall inside a block comment: parse the file in one
            // piece.
            let text = jobs[at].text;
            ast.join(parse_piece(text, 0..text.len(), file), diagnostics);
        }
        at += count;
    }
    ast
}

/// One piece of one file to parse: `text[start..end]`.
struct Job<'a> {
    file: FileId,
    text: &'a str,
    start: usize,
    end: usize,
    last_of_file: bool,
}

/// Parses the jobs on `threads` threads, each taking the next unparsed job
/// until none is left (pieces differ in cost, so a fixed split would leave one
/// thread idle); results in job order.
fn run_jobs(jobs: &[Job<'_>], threads: usize) -> Vec<Piece> {
    let parse = |job: &Job<'_>| {
        let mut piece = parse_piece(job.text, job.start..job.end, job.file);
        // Only a piece followed by another of its file needs to end cleanly.
        piece.clean |= job.last_of_file;
        piece
    };
    if jobs.len() < 2 || threads < 2 {
        return jobs.iter().map(parse).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(job) = jobs.get(i) else {
                return done;
            };
            done.push((i, parse(job)));
        }
    };
    let mut pieces: Vec<(usize, Piece)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(jobs.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut pieces = work();
        for helper in helpers {
            match helper.join() {
                Ok(more) => pieces.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        pieces
    });
    pieces.sort_unstable_by_key(|(i, _)| *i);
    pieces.into_iter().map(|(_, piece)| piece).collect()
}

/// Offsets cutting `text` into about `pieces` parts, each cut at the start of
/// a line opening a model, view, enum or type block at column 0 (a
/// [`plain_opener`], where the contents of the block before end);
/// always starts with 0 and ends with `text.len()`. Every byte is looked at
/// once: a search starts after the previous cut.
fn block_starts_near(text: &str, pieces: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    for k in 1..pieces {
        let target = (text.len() * k / pieces).max(cuts[cuts.len() - 1] + 1);
        // Line starts after `target`: searched as bytes, since `target` may
        // fall inside a multi-byte character (a line start never does).
        let Some(rest) = text.as_bytes().get(target..) else {
            break;
        };
        let found = rest
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| target + i + 1)
            .find(|&line| plain_opener(&text[line..]));
        match found {
            Some(cut) if cut < text.len() => cuts.push(cut),
            _ => break,
        }
    }
    cuts.push(text.len());
    cuts
}

/// The top-level items of one piece of a file.
struct Piece {
    tops: Vec<Top>,
    /// Index in `tops` of the piece's first item when it is a block that a
    /// `///` comment ending the previous piece documents.
    first_block: Option<usize>,
    /// The `///` text of a comment block ending the piece.
    trailing_doc: Option<String>,
    /// Whether a cut after the piece is an item boundary of the whole file:
    /// the piece has no `/*` (which might close beyond the piece).
    clean: bool,
    errors: Vec<Diagnostic>,
}

impl SchemaAst {
    fn join(&mut self, piece: Piece, diagnostics: &mut Diagnostics) {
        self.tops.extend(piece.tops);
        for error in piece.errors {
            diagnostics.push(error);
        }
    }
}

fn set_documentation(top: &mut Top, doc: String) {
    match top {
        Top::Model(m) => m.documentation = Some(doc),
        Top::Enum(e) => e.documentation = Some(doc),
        Top::Datasource(c) | Top::Generator(c) => c.documentation = Some(doc),
        _ => {}
    }
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

/// The offset where nesting first exceeds [`MAX_NESTING`], if it does.
/// Nesting never crosses a line break, and a line with no more opening
/// brackets than the limit cannot exceed it: only such lines are walked.
fn too_deep(text: &str) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        let opening = |b: &u8| *b == b'(' || *b == b'[';
        if line.len() <= MAX_NESTING || line.bytes().filter(opening).count() <= MAX_NESTING {
            continue;
        }
        let mut depth = 0usize;
        for (i, b) in line.bytes().enumerate() {
            match b {
                b'(' | b'[' => {
                    depth += 1;
                    if depth > MAX_NESTING {
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

/// A diagnostic if brackets nest deeper than the parser accepts.
fn nesting_error(text: &str, file: FileId) -> Option<Diagnostic> {
    let at = too_deep(text)?;
    Some(Diagnostic::error(
        codes::SYNTAX,
        Span::new(file, at, at + 1),
        format!("brackets are nested more than {MAX_NESTING} deep here"),
    ))
}

/// Whether `line` opens a model, view, enum or type block in its plainest
/// spelling: the keyword, spaces, an ASCII name, spaces, `{`. Every such line
/// is a `BLOCK_OPENER` of the grammar, which ends the contents of the block
/// before it; blocks spelt otherwise (a Unicode name) are just not cut at.
/// Checked here rather than by pest: a failed pest parse builds an error,
/// which costs more than the whole line.
fn plain_opener(line: &str) -> bool {
    let Some(rest) = ["model", "view", "enum", "type"]
        .iter()
        .find_map(|keyword| line.strip_prefix(keyword))
    else {
        return false;
    };
    let name = rest.trim_start_matches([' ', '\t']);
    if name.len() == rest.len() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    let after = name.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    after.trim_start_matches([' ', '\t']).starts_with('{')
}

/// Parses `file_text[range]` of `file`. The rest of the file is only read to
/// point at the block opener that ends an unclosed block.
fn parse_piece(file_text: &str, range: std::ops::Range<usize>, file: FileId) -> Piece {
    let base = range.start;
    let text = &file_text[range];
    let mut piece = Piece {
        tops: Vec::new(),
        first_block: None,
        trailing_doc: None,
        clean: !text.contains("/*"),
        errors: Vec::new(),
    };
    let root = match parse_tree(Rule::schema, text) {
        Ok(root) => root,
        Err(err) => {
            let pos = base
                + match err.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
            piece.errors.push(Diagnostic::error(
                codes::SYNTAX,
                Span::new(file, pos, pos),
                "this schema could not be parsed",
            ));
            piece.clean = false;
            return piece;
        }
    };
    // Found before the tree is consumed, reported after the blocks' errors
    // (the comment runs to the end, so it comes last in both orders). The
    // block it opens in is unclosed only because of it: not reported.
    let comment_error = if piece.clean {
        None
    } else {
        unclosed_comment(text, &root, base, file)
    };
    let comment_start = comment_error.as_ref().map(|e| e.span.start as usize - base);
    let cx = Cx { file, base };
    let tops = &mut piece.tops;
    let mut pending_doc: Option<String> = None;
    for (index, pair) in root.into_inner().enumerate() {
        let rule = pair.as_rule();
        if index == 0
            && matches!(
                rule,
                Rule::model_declaration | Rule::enum_declaration | Rule::config_block
            )
        {
            piece.first_block = Some(0);
        }
        if matches!(
            rule,
            Rule::model_declaration | Rule::enum_declaration | Rule::config_block
        ) && comment_start.is_none_or(|at| {
            let span = pair.as_span();
            !(span.start()..span.end()).contains(&at)
        }) {
            piece
                .errors
                .extend(unclosed_block(file_text, &pair, base, file));
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
    piece.trailing_doc = pending_doc;
    piece.errors.extend(comment_error);
    piece
}

/// The error for a model, view, type, enum, datasource or generator block
/// without its `}`, if `block` (a pair of the piece of `file_text` starting
/// at `base`) is one: on its first line, with a label on the opener that
/// ends it, if one does.
fn unclosed_block(
    file_text: &str,
    block: &Pair<'_, Rule>,
    base: usize,
    file: FileId,
) -> Option<Diagnostic> {
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
    let start = base + block.as_span().start();
    let header = Span::new(file, start, base + open.as_span().end());
    let end = base + block.as_span().end();
    let mut error = Diagnostic::error(
        codes::SYNTAX,
        header,
        format!("`{} {name}` has no closing `}}`", keyword.as_str()),
    );
    // Contents end early only at a block opener: its first line up to `{`.
    let next = file_text.get(end..).and_then(|rest| {
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
fn unclosed_comment(
    text: &str,
    root: &Pair<'_, Rule>,
    base: usize,
    file: FileId,
) -> Option<Diagnostic> {
    let at = base + unclosed_comment_start(text, root)?;
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

/// What model and enum bodies share: block attributes, comments whose `///`
/// text documents the next item, and lines the grammar could not place.
#[derive(Default)]
struct BlockBody {
    attributes: Vec<Attribute>,
    invalid_lines: Vec<Span>,
    /// `///` text waiting for the next field or enum value.
    pending_doc: Option<String>,
}

/// What AST building needs besides the tree: where the parsed text sits.
struct Cx {
    file: FileId,
    /// Offset of the parsed text in its file (non-zero for later pieces).
    base: usize,
}

impl Cx {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    /// The span without trailing newline / whitespace (for catch-all lines).
    fn trimmed_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let trimmed = s.as_str().trim_end();
        let start = self.base + s.start();
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
    fn cuts_are_found_past_multi_byte_characters() {
        let model = format!("/// {}\nmodel A {{\n  id Int @id\n}}\n", "日".repeat(100));
        let text = model.repeat(3);
        // The middle of the text falls inside a character.
        assert!(!text.is_char_boundary(text.len() / 2));
        let cuts = block_starts_near(&text, 2);
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        assert!(cuts.iter().all(|&c| text.is_char_boundary(c)));
        assert!(text[cuts[1]..].starts_with("model A {"));
    }

    #[test]
    fn nesting_limit_is_per_line_and_points_at_the_first_bracket_too_many() {
        let ok = "(".repeat(MAX_NESTING);
        assert_eq!(too_deep(&format!("{ok}\n{ok}\n")), None);
        let deep = format!(
            "model A {{\n  a Int @default({})\n}}\n",
            "[".repeat(MAX_NESTING)
        );
        let at = deep.find('(').unwrap_or(0);
        assert_eq!(too_deep(&deep), Some(at + MAX_NESTING));
        let mut d = Diagnostics::new();
        let ast = parse_files(&SourceFiles::single("s.prisma", deep), &mut d);
        assert!(ast.tops.is_empty() && d.has_errors());
    }
}
