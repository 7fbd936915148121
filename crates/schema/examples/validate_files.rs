//! Dev tool: validate schema files or folders and print short diagnostics.
use refract_schema::*;
fn main() {
    for path in std::env::args().skip(1) {
        let files = load(std::path::Path::new(&path)).unwrap();
        let v = validate(&files);
        let diags: Vec<&Diagnostic> = v.diagnostics.iter().collect();
        let e = v.diagnostics.errors().count();
        let w = v.diagnostics.warnings().count();
        println!(
            "== {path}: {e} errors, {w} warnings, {} models",
            v.schema.models.len()
        );
        print!(
            "{}",
            render::render_short(&files, &diags[..diags.len().min(8)])
        );
    }
}
