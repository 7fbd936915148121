//! Migration checksums exactly as Prisma computes and compares them.
//!
//! SHA-256 of the script bytes, lowercase hex zero-padded to 64 characters. A stored checksum
//! matches a script if it matches the script as-is, with CRLF turned into LF, or with LF
//! turned into CRLF (git may rewrite line endings). Stored checksums shorter than 64
//! characters come from old Prisma versions that did not zero-pad each byte, and are compared
//! in that format.

use sha2::{Digest, Sha256};

/// The checksum of a script, as stored in `_prisma_migrations.checksum`.
pub fn render_checksum(script: &str) -> String {
    hex::encode(Sha256::digest(script.as_bytes()))
}

/// The legacy format: each byte in `{:x}`, without zero padding.
fn render_legacy_checksum(script: &str) -> String {
    Sha256::digest(script.as_bytes())
        .iter()
        .map(|b| format!("{b:x}"))
        .collect()
}

/// Whether `stored` is the checksum of `script` (or of its LF/CRLF variant).
pub fn checksum_matches(stored: &str, script: &str) -> bool {
    let render = if stored.len() == 64 {
        render_checksum
    } else {
        render_legacy_checksum
    };
    if render(script) == stored {
        return true;
    }
    let lf = script.replace("\r\n", "\n");
    if render(&lf) == stored {
        return true;
    }
    render(&lf.replace('\n', "\r\n")) == stored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        assert_eq!(
            render_checksum("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn line_endings_are_tolerated_both_ways() {
        let lf = "CREATE TABLE a();\nCREATE TABLE b();\n";
        let crlf = "CREATE TABLE a();\r\nCREATE TABLE b();\r\n";
        assert!(checksum_matches(&render_checksum(lf), crlf));
        assert!(checksum_matches(&render_checksum(crlf), lf));
        assert!(!checksum_matches(
            &render_checksum(lf),
            "CREATE TABLE c();\n"
        ));
    }

    #[test]
    fn legacy_unpadded_checksums_match() {
        let script = "SELECT 1;\n";
        let legacy = render_legacy_checksum(script);
        assert!(legacy.len() < 64 || legacy == render_checksum(script));
        assert!(checksum_matches(&legacy, script));
    }
}
