//! `cargo xtask conformance`: one section per kind of evidence, each printing
//! a table and returning its disagreements. Known, deliberate differences are
//! listed with their reason in `xtask/known-gaps.tsv` (section `client`: in
//! `client/deliberate.md`); anything else fails.
//!
//! Everything that reads the corpus (`REFRACT_CORPUS`, default
//! `../shared/corpus`) runs here, never in `cargo test`: the sections below,
//! and (section `tests`) the crates' corpus test targets. A missing corpus
//! fails the run before any section starts.

pub(crate) mod client;
pub mod codegen;
mod corpus_tests;
mod format;
mod lint;
mod migrate;
mod oracle;
mod psl;
mod renames;
mod schemas;

use anyhow::{Context, Result};

/// A case that did not agree with Prisma.
pub struct Disagreement {
    pub suite: &'static str,
    pub case: String,
    pub detail: String,
}

pub struct KnownGaps {
    rows: Vec<(String, String, String)>,
}

impl KnownGaps {
    fn load() -> Result<KnownGaps> {
        let path = crate::root().join("xtask/known-gaps.tsv");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let rows = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut it = l.splitn(3, '\t');
                Some((
                    it.next()?.to_string(),
                    it.next()?.to_string(),
                    it.next()?.to_string(),
                ))
            })
            .collect();
        Ok(KnownGaps { rows })
    }

    pub fn reason(&self, suite: &str, case: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|(s, c, _)| s == suite && c == case)
            .map(|(_, _, r)| r.as_str())
    }
}

pub fn run(args: &[String]) -> Result<bool> {
    let corpus = crate::corpus();
    anyhow::ensure!(
        corpus.is_dir(),
        "the corpus is missing at {}: set REFRACT_CORPUS to the folder holding Prisma's corpus \
         (default: ../shared/corpus beside the repository). `cargo test` needs no corpus; \
         conformance does",
        corpus.display()
    );
    let gaps = KnownGaps::load()?;
    let wanted = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    let mut disagreements = Vec::new();
    if wanted("psl") {
        disagreements.extend(psl::run(&corpus)?);
    }
    if wanted("format") {
        disagreements.extend(format::run(&corpus)?);
    }
    if wanted("schemas") {
        disagreements.extend(schemas::run(&corpus)?);
    }
    if wanted("migrate") {
        disagreements.extend(migrate::run(&corpus)?);
    }
    if wanted("lint") {
        disagreements.extend(lint::run(&corpus)?);
    }
    if wanted("tests") {
        disagreements.extend(corpus_tests::run(&corpus)?);
    }
    if wanted("oracle") {
        disagreements.extend(oracle::run(&corpus)?);
    }
    if wanted("renames") {
        disagreements.extend(renames::run()?);
    }
    if wanted("codegen") {
        disagreements.extend(codegen::run(&corpus)?);
    }
    if wanted("client") {
        disagreements.extend(client::run()?);
    }
    let mut unexpected = 0;
    let mut known = 0;
    for d in &disagreements {
        match gaps.reason(d.suite, &d.case) {
            Some(reason) => {
                known += 1;
                println!(
                    "known gap  {} {}: {}\n           why: {reason}",
                    d.suite, d.case, d.detail
                );
            }
            None => {
                unexpected += 1;
                println!("MISMATCH   {} {}: {}", d.suite, d.case, d.detail);
            }
        }
    }
    println!("\nconformance: {unexpected} unexpected difference(s), {known} known gap(s)");
    Ok(unexpected == 0)
}

/// Prints a table with a header row and aligned columns.
pub fn print_table(title: &str, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    println!("\n## {title}\n");
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    line(header.iter().map(|h| h.to_string()).collect());
    println!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    );
    for r in rows {
        line(r.clone());
    }
}
