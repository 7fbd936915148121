//! Property: no input panics the parser or the validator.
//!
//! Three generators: arbitrary text biased towards schema punctuation, the
//! reference schema with random edits (deletions, insertions, swaps), which
//! reaches deep into resolution with almost-valid input, and long runs of
//! whole lines (unclosed blocks, catch-all lines, comments) up to 200 KB.
//!
//! Plain tests pin the diagnostics of the inputs that used to make parsing
//! quadratic: 10,000 unclosed `model B {` openers, and a megabyte of lines
//! the grammar's catch-all rules take, inside a block and at the top level.
//! They assert what is reported, never how long it takes (the figures are in
//! BENCHMARKS.md, "Unclosed blocks and catch-all lines").

use proptest::prelude::*;

const REFERENCE: &str = include_str!("../../../schema.prisma");

fn schema_like_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("model ".to_string()),
        Just("enum ".to_string()),
        Just("view ".to_string()),
        Just("type ".to_string()),
        Just("datasource db ".to_string()),
        Just("generator g ".to_string()),
        Just("{\n".to_string()),
        Just("}\n".to_string()),
        Just("@id".to_string()),
        Just("@@index([a, b(sort: Desc)])".to_string()),
        Just("@relation(fields: [a], references: [id])".to_string()),
        Just("@default(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("?".to_string()),
        Just("\"".to_string()),
        Just("///".to_string()),
        Just("//".to_string()),
        Just("/*".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("String".to_string()),
        Just("Int".to_string()),
        Just("@db.VarChar(".to_string()),
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(token, 0..80).prop_map(|v| v.concat())
}

fn edited_reference() -> impl Strategy<Value = String> {
    let edit = (0usize..REFERENCE.len(), 0u8..3, any::<char>());
    prop::collection::vec(edit, 1..8).prop_map(|edits| {
        let mut s: Vec<char> = REFERENCE.chars().collect();
        for (pos, kind, c) in edits {
            let pos = pos % (s.len() + 1);
            match kind {
                0 if pos < s.len() => {
                    s.remove(pos);
                }
                1 => s.insert(pos, c),
                _ if pos + 1 < s.len() => s.swap(pos, pos + 1),
                _ => {}
            }
        }
        s.into_iter().collect()
    })
}

/// Whole lines, repeated: what an editor feeds the parser while a block is
/// being typed, and what used to make it quadratic.
fn repeated_lines() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("model B {\n"),
        Just("enum E {\n"),
        Just("datasource db {\n"),
        Just("  model C {\n"),
        Just("model B\n"),
        Just("}\n"),
        Just("  id Int @id\n"),
        Just("  a Int /* open\n"),
        Just("/* open\n"),
        Just("*/\n"),
        Just("foo bar {\n"),
        Just("foo {\n"),
        Just("this is not a schema line\n"),
        Just("/// doc\n"),
        Just("\n"),
    ];
    (prop::collection::vec(line, 1..12), 1usize..2000).prop_map(|(lines, times)| {
        let unit = lines.concat();
        unit.repeat(times.min(200_000 / unit.len().max(1)).max(1))
    })
}

fn validate_and_render(text: &str) {
    let files = refract_schema::SourceFiles::single("schema.prisma", text);
    let v = refract_schema::validate(&files);
    let all: Vec<&refract_schema::Diagnostic> = v.diagnostics.iter().collect();
    let _ = refract_schema::render::render(&files, &all, false);
    let _ = refract_schema::render::render_short(&files, &all);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in schema_like_text()) {
        validate_and_render(&text);
    }

    #[test]
    fn edited_reference_schema_never_panics(text in edited_reference()) {
        validate_and_render(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn repeated_lines_never_panic(text in repeated_lines()) {
        validate_and_render(&text);
        let formatted = refract_schema::format::format(&text);
        prop_assert_eq!(refract_schema::format::format(&formatted), formatted);
    }
}

/// The errors of `text`, as `(line, message)`.
fn errors(text: &str) -> Vec<(usize, String)> {
    let files = refract_schema::SourceFiles::single("schema.prisma", text);
    let validated = refract_schema::validate(&files);
    let file = files.get(refract_schema::FileId(0));
    validated
        .diagnostics
        .errors()
        .map(|d| (file.line_col(d.span.start as usize).0, d.message.clone()))
        .collect()
}

#[test]
fn ten_thousand_unclosed_openers_are_ten_thousand_unclosed_blocks() {
    let text = "model B {\n".repeat(10_000);
    let errors = errors(&text);
    let unclosed: Vec<usize> = errors
        .iter()
        .filter(|(_, m)| m == "`model B` has no closing `}`")
        .map(|(line, _)| *line)
        .collect();
    assert_eq!(unclosed, (1..=10_000).collect::<Vec<_>>());
    // Each block but the first is also a second definition of `B`.
    let duplicates = errors.iter().filter(|(_, m)| m.contains("`B`")).count();
    assert!(duplicates >= 9_999, "{:?}", &errors[..5]);

    // The first one's diagnostic points at its opener and at the next one.
    let files = refract_schema::SourceFiles::single("schema.prisma", text.as_str());
    let validated = refract_schema::validate(&files);
    let first = validated.diagnostics.errors().next().expect("an error");
    assert_eq!((first.span.start, first.span.end), (0, 9));
    assert_eq!(first.labels.len(), 1);
    assert_eq!(
        (first.labels[0].span.start, first.labels[0].span.end),
        (10, 19)
    );

    // The formatter lays out an unclosed block without adding a `}`: here,
    // as it was.
    assert_eq!(refract_schema::format::format(&text), text);
}

/// A megabyte of lines that open nothing (a keyword and two words, an indented
/// opener, a type alias, words), inside one block: the block stays one
/// block, every line is reported once, and the block after it is read.
#[test]
fn a_megabyte_of_catch_all_lines_inside_a_block() {
    let lines = "model B extra {\n  model C {\ntype X = Y\nthis is not a schema line\n";
    let times = (1 << 20) / lines.len() + 1;
    let text = format!(
        "model A {{\n  id Int @id\n{}}}\n\nmodel D {{\n  id Int @id\n}}\n",
        lines.repeat(times)
    );
    assert!(text.len() > 1 << 20);
    let errors = errors(&text);
    assert_eq!(errors.len(), 4 * times, "{:?}", &errors[..5]);
    assert!(
        errors
            .iter()
            .all(|(_, m)| m == "this line is not a valid field or attribute definition"),
        "{:?}",
        errors
            .iter()
            .find(|(_, m)| !m.contains("not a valid field"))
    );
    assert_eq!(errors[0].0, 3);
    assert_eq!(errors.last().map(|e| e.0), Some(2 + 4 * times));
}

/// A megabyte of catch-all lines at the top level: one error each; and
/// lines opening unknown blocks, which run to the next block opener.
#[test]
fn a_megabyte_of_catch_all_lines_at_the_top_level() {
    let line = "this is not a schema line\n";
    let times = (1 << 20) / line.len() + 1;
    let reported = errors(&line.repeat(times));
    assert_eq!(reported.len(), times);
    assert!(
        reported
            .iter()
            .all(|(_, m)| m == "this line is not a valid definition")
    );

    let blocks = format!(
        "{}model A {{\n  id Int @id\n}}\n",
        "foo bar {\n".repeat(times)
    );
    assert_eq!(
        errors(&blocks),
        vec![(1, "unknown block keyword `foo`".to_string())]
    );
}

/// A block comment hides every line inside it, block openers at column 0
/// and a second `/*` included: nothing here is a block, nothing is unclosed.
/// (Found by a property test when the parser still cut files at openers.)
#[test]
fn a_block_comment_hides_the_block_openers_inside_it() {
    assert_eq!(
        errors("/* block\n  a Int /* inline\nmodel A {\n*/\n"),
        vec![]
    );
}
