//! Dev tool: run one front-end stage on a file N times, for profilers
//! (`valgrind --tool=callgrind`, `perf`). Stages: `parse` (AST only),
//! `validate` (parse + resolve + validate), or `phases` (wall time of each).
//!
//! `cargo run --release -p refract-schema --example profile -- validate FILE 10`
use refract_schema::{Diagnostics, SourceFiles, parse, validate};

// The allocator `gen` ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(stage), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: profile parse|validate FILE [N]");
        std::process::exit(2);
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let files = SourceFiles::single(path.clone(), text);
    let mut errors = 0;
    if stage == "resolve" {
        // Resolution alone, `n` times over one AST.
        let mut d = Diagnostics::new();
        let ast = parse::parse_files(&files, &mut d);
        let t = std::time::Instant::now();
        for _ in 0..n {
            let mut d = Diagnostics::new();
            drop(refract_schema::resolve::resolve(&ast, &mut d));
        }
        println!(
            "resolve {:.2} ms",
            t.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
        return;
    }
    if stage == "phases" {
        // Wall time per phase, averaged over `n` runs.
        let (mut parse_t, mut resolve_t, mut drop_t) = Default::default();
        for _ in 0..n {
            let t = std::time::Instant::now();
            let mut d = Diagnostics::new();
            let ast = parse::parse_files(&files, &mut d);
            let t1 = std::time::Instant::now();
            let schema = refract_schema::resolve::resolve(&ast, &mut d);
            let t2 = std::time::Instant::now();
            drop(ast);
            let t3 = std::time::Instant::now();
            drop(schema);
            parse_t += t1 - t;
            resolve_t += t2 - t1;
            drop_t += t3 - t2;
        }
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / n as f64;
        println!(
            "parse {:.2} ms, resolve {:.2} ms, drop ast {:.2} ms",
            ms(parse_t),
            ms(resolve_t),
            ms(drop_t)
        );
        return;
    }
    for _ in 0..n {
        match stage.as_str() {
            "parse" => {
                let mut d = Diagnostics::new();
                let ast = parse::parse_files(&files, &mut d);
                errors += usize::from(d.has_errors() || ast.tops.is_empty());
            }
            _ => errors += usize::from(!validate(&files).is_valid()),
        }
    }
    println!("{n} runs, {errors} with errors");
}
