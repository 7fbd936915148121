//! Prisma's own schema test suite (`corpus/psl-tests`): for every case whose
//! datasource is PostgreSQL or absent, refract must accept exactly the valid
//! ones (warnings-only cases included) and reject the invalid ones, with its
//! first error on the same line as Prisma's.

use std::path::Path;

use anyhow::{Context, Result};
use refract_schema::SourceFiles;

use super::{Disagreement, print_table};

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let root = corpus.join("psl-tests");
    let manifest =
        std::fs::read_to_string(root.join("MANIFEST.tsv")).context("psl-tests/MANIFEST.tsv")?;
    let mut out = Vec::new();
    let mut counts = [[0usize; 2]; 3]; // [valid, warnings-only, invalid] x [agree, total]
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, expected, _, _, providers, ..] = cols.as_slice() else {
            continue;
        };
        if !(providers.contains("postgres") || *providers == "(none)") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(file)).with_context(|| file.to_string())?;
        let expected_line = expected_first_error_line(&text);
        let files = SourceFiles::single("schema.prisma", text);
        let validated = refract_schema::validate(&files);
        let first_error = validated.diagnostics.errors().next();
        let got_line =
            first_error.map(|d| files.get(d.span.file).line_col(d.span.start as usize).0);
        let kind = match *expected {
            "valid" => 0,
            "warnings-only" => 1,
            _ => 2,
        };
        counts[kind][1] += 1;
        let agrees = match kind {
            2 => got_line.is_some() && got_line == expected_line,
            _ => first_error.is_none(),
        };
        if agrees {
            counts[kind][0] += 1;
        } else {
            let detail = match (kind, got_line) {
                (2, None) => format!(
                    "Prisma rejects (line {}), refract accepts",
                    expected_line.unwrap_or(0)
                ),
                (2, Some(l)) => format!(
                    "first error on line {l}, Prisma's on line {}",
                    expected_line.unwrap_or(0)
                ),
                _ => format!(
                    "Prisma accepts, refract rejects: {}",
                    first_error.map(|d| d.message.clone()).unwrap_or_default()
                ),
            };
            out.push(Disagreement {
                suite: "psl",
                case: file.to_string(),
                detail,
            });
        }
    }
    let rows: Vec<Vec<String>> = ["valid", "warnings-only", "invalid (same first line)"]
        .iter()
        .zip(counts)
        .map(|(k, [a, t])| {
            vec![
                k.to_string(),
                t.to_string(),
                a.to_string(),
                format!("{:.1}%", pct(a, t)),
            ]
        })
        .collect();
    let (agree, total) = counts.iter().fold((0, 0), |(a, t), c| (a + c[0], t + c[1]));
    let mut rows = rows;
    rows.push(vec![
        "all".into(),
        total.to_string(),
        agree.to_string(),
        format!("{:.1}%", pct(agree, total)),
    ]);
    print_table(
        "Prisma's validation suite (PostgreSQL and no-datasource cases)",
        &["expected", "cases", "agree", "rate"],
        &rows,
    );
    Ok(out)
}

fn pct(a: usize, t: usize) -> f64 {
    if t == 0 {
        100.0
    } else {
        100.0 * a as f64 / t as f64
    }
}

/// The line of Prisma's first error, from the expectation comment block
/// (`//   -->  schema.prisma:LINE`, after the first `// error:` line).
fn expected_first_error_line(text: &str) -> Option<usize> {
    let strip = |l: &str| {
        let mut out = String::new();
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    let mut in_error = false;
    for line in text.lines() {
        if !line.starts_with("//") {
            continue;
        }
        let plain = strip(line);
        let body = plain.trim_start_matches("// ").trim_start();
        if body.starts_with("error:") {
            in_error = true;
        } else if body.starts_with("warning:") {
            in_error = false;
        } else if in_error && body.starts_with("-->") {
            return body.rsplit(':').next().and_then(|n| n.trim().parse().ok());
        }
    }
    None
}
