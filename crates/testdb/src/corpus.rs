//! The folder of Prisma's corpus that the corpus tests read in place, named by
//! `REFRACT_CORPUS` (`cargo xtask conformance` sets it).

use std::path::PathBuf;

/// The corpus `REFRACT_CORPUS` names. Tests need it: a missing corpus fails loudly rather
/// than testing nothing. A relative path is read from the folder of the crate under test.
pub fn corpus() -> PathBuf {
    let Some(path) = std::env::var_os("REFRACT_CORPUS").map(PathBuf::from) else {
        panic!(
            "REFRACT_CORPUS is not set: it names the corpus these tests read (run them with `cargo xtask conformance tests`)"
        );
    };
    assert!(
        path.is_dir(),
        "the corpus is missing at {} (REFRACT_CORPUS; a relative path is read from the crate's folder)",
        path.display()
    );
    path
}
