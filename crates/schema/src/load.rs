//! Reading a schema from disk: one `.prisma` file, or a folder of them
//! (Prisma's multi-file schemas), read recursively in sorted path order.

use std::io;
use std::path::{Path, PathBuf};

use crate::source::SourceFiles;

/// Reads `path`: a file, or every `*.prisma` file under a folder.
/// File names in diagnostics are the paths as found from `path`.
pub fn load(path: &Path) -> io::Result<SourceFiles> {
    let mut files = SourceFiles::default();
    if path.is_dir() {
        let mut paths = Vec::new();
        collect(path, &mut paths)?;
        paths.sort();
        if paths.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no .prisma files in folder {}", path.display()),
            ));
        }
        for p in paths {
            let text = std::fs::read_to_string(&p)?;
            files.add(p.display().to_string(), text);
        }
    } else {
        let text = std::fs::read_to_string(path)?;
        files.add(path.display().to_string(), text);
    }
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            // Prisma's migrations folder holds SQL, never schema files.
            if p.file_name()
                .is_some_and(|n| n == "migrations" || n == "node_modules")
            {
                continue;
            }
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "prisma") {
            out.push(p);
        }
    }
    Ok(())
}
