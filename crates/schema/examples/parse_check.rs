//! Dev tool: parse files and list lines the grammar could not place.
use refract_schema::ast::Top;
use refract_schema::*;
fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        let files = SourceFiles::single(path.clone(), text);
        let mut d = Diagnostics::new();
        let ast = parse::parse_files(&files, &mut d);
        let mut bad = 0;
        for t in &ast.tops {
            match t {
                Top::Invalid { span } | Top::InvalidBlock { span, .. } => {
                    bad += 1;
                    println!("{path}: top invalid: {:?}", files.slice(*span));
                }
                Top::Model(m) => {
                    for s in &m.invalid_lines {
                        bad += 1;
                        println!(
                            "{path}: {}: invalid line {:?}",
                            m.name.name,
                            files.slice(*s)
                        );
                    }
                }
                Top::Enum(m) => {
                    for s in &m.invalid_lines {
                        bad += 1;
                        println!(
                            "{path}: {}: invalid line {:?}",
                            m.name.name,
                            files.slice(*s)
                        );
                    }
                }
                _ => {}
            }
        }
        if bad == 0 {
            println!("{path}: ok ({} tops)", ast.tops.len());
        }
    }
}
