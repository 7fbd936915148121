//! `gen format`: the canonical layout of schema text, as `prisma format` writes it.
//!
//! Two steps, in Prisma's order. First *relation completion*
//! ([`relations`]): when the schema resolves without errors, the missing
//! back-relation fields, `@relation(fields: [...], references: [...])`
//! arguments and foreign-key scalar fields are inserted into the source text.
//! Then *layout* ([`layout`]) re-prints the parse tree: two-space indentation,
//! name / type / attribute columns aligned per group of lines, block
//! attributes sorted and moved after a blank line, comments kept where they
//! are, one blank line between blocks.
//!
//! Formatting works on the pest parse tree, not on the AST, because the AST
//! drops comments and blank lines. It never changes what the schema means
//! beyond the fields relation completion adds, and it never panics: lines the
//! grammar cannot place are kept verbatim, and a file whose layout would
//! change its meaning (or that is nested too deeply to parse safely) is
//! returned unchanged. `format(format(s)) == format(s)`.
//!
//! Where refract deliberately differs from Prisma 7.10 (it keeps comments
//! Prisma drops, removes trailing whitespace Prisma keeps, and otherwise only
//! differs on input Prisma rejects or mangles), the difference is named at
//! the place that makes it; the list is in `tests/format/README.md`.

mod layout;
mod relations;
mod table;

/// Nesting of brackets (on one line) beyond which the text is returned
/// unchanged: the parser recurses once per level, and a stack overflow is
/// not a panic we could catch.
const MAX_NESTING: usize = 200;

/// Formats one schema file.
///
/// Text that cannot be parsed at all (which the grammar's catch-all rules
/// make rare) is returned unchanged.
pub fn format(text: &str) -> String {
    let files = [(String::new(), text.to_string())];
    format_files(&files)
        .pop()
        .map(|(_, text)| text)
        .unwrap_or_else(|| text.to_string())
}

/// Formats the files of one multi-file schema together (relation completion
/// may add a field to a model in another file than the one that needs it).
/// Returns `(name, text)` for every input file, in input order.
pub fn format_files(files: &[(String, String)]) -> Vec<(String, String)> {
    let normalised: Vec<String> = files
        .iter()
        .map(|(_, text)| normalise_newlines(text))
        .collect();
    let parseable: Vec<bool> = normalised
        .iter()
        .map(|text| crate::parse::too_deep(text, MAX_NESTING).is_none())
        .collect();

    let completed: Vec<String> = if parseable.iter().all(|ok| *ok) {
        let texts: Vec<&str> = normalised.iter().map(String::as_str).collect();
        let insertions = relations::missing_bits(&texts);
        texts
            .iter()
            .zip(insertions)
            .map(|(text, bits)| relations::apply(text, &bits))
            .collect()
    } else {
        normalised.clone()
    };

    files
        .iter()
        .zip(completed)
        .zip(parseable)
        .map(|(((name, original), text), ok)| {
            let formatted = if ok { layout::layout(&text) } else { None };
            (name.clone(), formatted.unwrap_or_else(|| original.clone()))
        })
        .collect()
}

/// The grammar treats `\r\n`, `\r` and `\n` alike; the output uses `\n`.
fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}
