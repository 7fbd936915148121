//! Real schemas (`corpus/real`, `corpus/schemas`, the large introspected
//! `engine-test-schemas`): every PostgreSQL schema Prisma accepts validates,
//! formats idempotently and keeps its IR through formatting; schemas for
//! other providers get exactly one error naming the provider.

use std::path::{Path, PathBuf};

use anyhow::Result;
use refract_schema::{SourceFiles, Validated, diagnostics::codes};

use super::{Disagreement, print_table};

/// Schemas Prisma itself rejects (from the corpus manifests).
const PRISMA_REJECTS: &[&str] = &["noalyss_folder.prisma"];

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let mut cases: Vec<(String, PathBuf)> = Vec::new();
    for entry in sorted_dir(&corpus.join("real"))? {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let folder = entry.join("schema");
        let single = entry.join("schema.prisma");
        if folder.is_dir() {
            cases.push((format!("real/{name}"), folder));
        } else if single.is_file() {
            cases.push((format!("real/{name}"), single));
        }
    }
    for p in sorted_dir(&corpus.join("schemas"))? {
        if p.extension().is_some_and(|e| e == "prisma") {
            cases.push((
                format!(
                    "schemas/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                ),
                p,
            ));
        }
    }
    for p in sorted_dir(&corpus.join("engine-test-schemas/query-engine-schema-test-schemas"))? {
        cases.push((
            format!(
                "engine/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            ),
            p,
        ));
    }
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for (name, path) in &cases {
        let files = refract_schema::load(path)?;
        let v = refract_schema::validate(&files);
        let provider = provider_of(&files);
        let errors = v.diagnostics.errors().count();
        let warnings = v.diagnostics.warnings().count();
        let prisma_rejects = PRISMA_REJECTS.iter().any(|r| name.ends_with(r));
        let (verdict, ok) = if provider != "postgresql" && provider != "postgres" {
            let one = errors == 1
                && v.diagnostics
                    .errors()
                    .all(|d| d.code == codes::UNSUPPORTED_PROVIDER);
            (format!("{provider}: {errors} error"), one)
        } else if prisma_rejects {
            (format!("rejected ({errors} errors)"), errors > 0)
        } else {
            (
                if errors == 0 {
                    "valid".to_string()
                } else {
                    format!("{errors} errors")
                },
                errors == 0,
            )
        };
        if !ok {
            let first = v
                .diagnostics
                .errors()
                .next()
                .map(|d| d.message.clone())
                .unwrap_or_default();
            out.push(Disagreement {
                suite: "schemas",
                case: name.clone(),
                detail: format!("{verdict}: {first}"),
            });
        }
        let (idempotent, ir_kept) = if errors == 0 {
            format_checks(&files, &v)
        } else {
            ("-".into(), "-".into())
        };
        for (what, value) in [
            ("format is not idempotent", &idempotent),
            ("formatting changed the IR", &ir_kept),
        ] {
            if value == "no" {
                out.push(Disagreement {
                    suite: "schemas",
                    case: name.clone(),
                    detail: what.to_string(),
                });
            }
        }
        rows.push(vec![
            name.clone(),
            v.schema.models.len().to_string(),
            verdict,
            warnings.to_string(),
            idempotent,
            ir_kept,
        ]);
    }
    print_table(
        "Real schemas",
        &[
            "schema",
            "models",
            "verdict",
            "warnings",
            "format idempotent",
            "IR kept by format",
        ],
        &rows,
    );
    Ok(out)
}

fn format_checks(files: &SourceFiles, v: &Validated) -> (String, String) {
    let inputs: Vec<(String, String)> = files
        .files
        .iter()
        .map(|f| (f.name.clone(), f.text.clone()))
        .collect();
    let once = refract_schema::format::format_files(&inputs);
    let twice = refract_schema::format::format_files(&once);
    let idempotent = once == twice;
    let mut formatted = SourceFiles::default();
    for (name, text) in &once {
        formatted.add(name.clone(), text.clone());
    }
    let after = refract_schema::validate(&formatted);
    let kept = after.schema == v.schema && !after.diagnostics.has_errors();
    (yes_no(idempotent), yes_no(kept))
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

fn provider_of(files: &SourceFiles) -> String {
    for f in &files.files {
        let mut in_ds = false;
        for line in f.text.lines() {
            let t = line.trim();
            if t.starts_with("datasource") {
                in_ds = true;
            } else if in_ds && t.starts_with("provider") {
                return t.split('"').nth(1).unwrap_or("").to_string();
            } else if t.starts_with('}') {
                in_ds = false;
            }
        }
    }
    "(none)".into()
}

fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}
