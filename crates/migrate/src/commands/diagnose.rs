//! Comparing the migrations folder with `_prisma_migrations`: which migrations are applied,
//! pending, failed, edited after being applied, or applied but missing from the folder. Pure.

use crate::checksum::checksum_matches;
use crate::history::MigrationRecord;
use crate::migrations_dir::MigrationDirectory;

/// The state of a migration history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryDiagnosis {
    /// On disk and applied.
    pub applied: Vec<String>,
    /// On disk, not applied (Prisma's "database is behind": they get applied).
    pub pending: Vec<String>,
    /// Recorded as started but neither finished nor rolled back.
    pub failed: Vec<String>,
    /// Applied, but the file's checksum no longer matches.
    pub edited: Vec<String>,
    /// Applied in the database but not in the folder.
    pub missing_from_folder: Vec<String>,
}

impl HistoryDiagnosis {
    /// Whether `migrate dev` must reset before going on (pending migrations are fine).
    pub fn reset_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        for name in &self.failed {
            reasons.push(format!("The migration `{name}` failed."));
        }
        for name in &self.edited {
            reasons.push(format!(
                "The migration `{name}` was modified after it was applied."
            ));
        }
        if !self.missing_from_folder.is_empty() {
            reasons.push(format!(
                "The following migration(s) are applied to the database but missing from the local migrations directory: {}",
                self.missing_from_folder.join(", ")
            ));
        }
        reasons
    }

    pub fn is_in_sync(&self) -> bool {
        self.pending.is_empty()
            && self.failed.is_empty()
            && self.edited.is_empty()
            && self.missing_from_folder.is_empty()
    }
}

/// Classifies `folder` (migrations with their scripts, sorted) against `records`.
pub fn diagnose_history(
    folder: &[(MigrationDirectory, String)],
    records: &[MigrationRecord],
) -> HistoryDiagnosis {
    let mut diagnosis = HistoryDiagnosis::default();
    for record in records.iter().filter(|r| r.is_failed()) {
        diagnosis.failed.push(record.migration_name.clone());
    }
    for (migration, script) in folder {
        let applied: Vec<&MigrationRecord> = records
            .iter()
            .filter(|r| r.migration_name == migration.name && r.is_applied())
            .collect();
        if applied.is_empty() {
            if !diagnosis.failed.contains(&migration.name) {
                diagnosis.pending.push(migration.name.clone());
            }
            continue;
        }
        diagnosis.applied.push(migration.name.clone());
        if !applied
            .iter()
            .any(|r| checksum_matches(&r.checksum, script))
        {
            diagnosis.edited.push(migration.name.clone());
        }
    }
    for record in records.iter().filter(|r| r.is_applied()) {
        if !folder.iter().any(|(m, _)| m.name == record.migration_name)
            && !diagnosis
                .missing_from_folder
                .contains(&record.migration_name)
        {
            diagnosis
                .missing_from_folder
                .push(record.migration_name.clone());
        }
    }
    diagnosis
}
