//! Property: no input panics the parser or the validator.
//!
//! Two generators: arbitrary text biased towards schema punctuation, and the
//! reference schema with random edits (deletions, insertions, swaps), which
//! reaches deep into resolution with almost-valid input.

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
