//! Prisma's formatter cases (`corpus/psl-tests/reformatter*`): `gen format`
//! output must equal Prisma's expected output byte for byte, and formatting
//! that output again must change nothing.

use std::path::Path;

use anyhow::{Context, Result};

use super::{Disagreement, print_table};

pub fn run(corpus: &Path) -> Result<Vec<Disagreement>> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    let single = corpus.join("psl-tests/reformatter");
    let mut cases: Vec<_> = walk(&single)?
        .into_iter()
        .filter(|p| {
            p.to_string_lossy().ends_with(".prisma")
                && !p.to_string_lossy().ends_with(".reformatted.prisma")
        })
        .collect();
    cases.sort();
    let (mut equal, mut idempotent) = (0, 0);
    for input in &cases {
        let expected_path = input.with_extension("reformatted.prisma");
        let name = input
            .strip_prefix(&single)
            .unwrap_or(input)
            .display()
            .to_string();
        let text = std::fs::read_to_string(input).with_context(|| name.clone())?;
        let expected = std::fs::read_to_string(&expected_path)
            .with_context(|| expected_path.display().to_string())?;
        let got = refract_schema::format::format(&text);
        let again = refract_schema::format::format(&got);
        record(
            &mut out,
            &mut equal,
            &mut idempotent,
            &name,
            got == expected,
            again == got,
        );
    }
    rows.push(vec![
        "single file".into(),
        cases.len().to_string(),
        equal.to_string(),
        idempotent.to_string(),
    ]);

    let multi = corpus.join("psl-tests/reformatter_multi_file");
    let mut dirs: Vec<_> = std::fs::read_dir(&multi)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.to_string_lossy().ends_with(".reformatted"))
        .collect();
    dirs.sort();
    let (mut m_equal, mut m_idem) = (0, 0);
    for dir in &dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let expected_dir = multi.join(format!("{name}.reformatted"));
        let mut files = Vec::new();
        for p in walk(dir)? {
            let rel = p.strip_prefix(dir).unwrap_or(&p).display().to_string();
            files.push((rel, std::fs::read_to_string(&p)?));
        }
        files.sort();
        let got = refract_schema::format::format_files(&files);
        let mut ok = true;
        for (rel, text) in &got {
            let expected = std::fs::read_to_string(expected_dir.join(rel)).unwrap_or_default();
            ok &= *text == expected;
        }
        let again = refract_schema::format::format_files(&got);
        record(
            &mut out,
            &mut m_equal,
            &mut m_idem,
            &format!("multi/{name}"),
            ok,
            again == got,
        );
    }
    rows.push(vec![
        "multi-file".into(),
        dirs.len().to_string(),
        m_equal.to_string(),
        m_idem.to_string(),
    ]);
    print_table(
        "Prisma's formatter cases",
        &["kind", "cases", "equal to Prisma", "idempotent"],
        &rows,
    );
    Ok(out)
}

fn record(
    out: &mut Vec<Disagreement>,
    equal: &mut usize,
    idem: &mut usize,
    name: &str,
    is_equal: bool,
    is_idem: bool,
) {
    if is_equal {
        *equal += 1;
    } else {
        out.push(Disagreement {
            suite: "format",
            case: name.to_string(),
            detail: "output differs from Prisma's".into(),
        });
    }
    if is_idem {
        *idem += 1;
    } else {
        out.push(Disagreement {
            suite: "format",
            case: name.to_string(),
            detail: "formatting twice changes the text".into(),
        });
    }
}

fn walk(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}
