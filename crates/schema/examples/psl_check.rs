//! Dev tool: compare verdicts with the psl-tests MANIFEST (pg + none cases).
use refract_schema::*;
fn main() {
    let root = "../shared/corpus/psl-tests/";
    let manifest = std::fs::read_to_string(format!("{root}MANIFEST.tsv")).unwrap();
    let verbose = std::env::args().any(|a| a == "-v");
    let (mut ok, mut total) = (0, 0);
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expected, prov) = (cols[0], cols[1], cols[4]);
        if !(prov.contains("postgres") || prov == "(none)") {
            continue;
        }
        total += 1;
        let text = std::fs::read_to_string(format!("{root}{file}")).unwrap();
        // expected first error line
        let exp_line = text
            .lines()
            .find(|l| l.starts_with("// ") && l.contains("-->"))
            .and_then(|l| l.rsplit(':').next())
            .map(|s| s.trim_end_matches("\x1b[0m").to_string());
        let v = validate_str("schema.prisma", &text);
        let files = SourceFiles::single("schema.prisma", text.clone());
        let first_err = v.diagnostics.errors().next();
        let got_line = first_err.map(|d| {
            files
                .get(d.span.file)
                .line_col(d.span.start as usize)
                .0
                .to_string()
        });
        let verdict_ok = match expected {
            "invalid" => first_err.is_some(),
            _ => first_err.is_none(),
        };
        let line_ok = expected != "invalid" || exp_line == got_line;
        if verdict_ok && line_ok {
            ok += 1;
        } else {
            println!("FAIL {file} expected={expected} exp_line={exp_line:?} got_line={got_line:?}");
            if verbose {
                let diags: Vec<&Diagnostic> = v.diagnostics.iter().collect();
                println!("{}", render::render_short(&files, &diags));
                println!("  prisma: {}", cols[6]);
            }
        }
    }
    println!("{ok}/{total}");
}
