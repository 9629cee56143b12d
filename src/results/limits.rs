//! How much conlab reads of each file of a results folder (through
//! [`crate::bounded`]), and of all its timelines and distributions
//! together. Plain data, at the bottom of the folder's files: the loader,
//! the folder (its manifest, `--resume`'s rows) and `merge` read by it.
//!
//! The limits are far above what a run of conlab writes for any
//! experiment of a few hundred thousand runs (a `runs.csv` row is about
//! 200 bytes; a cell's `summary.json` entry about 3.5 KB), and low enough
//! that reading a folder never takes more than a few hundred megabytes,
//! whatever its files are: a file above its limit is refused unread.

use crate::bounded::Limit;

const MIB: u64 = 1 << 20;

pub const SUMMARY_JSON: Limit = Limit {
    bytes: 64 * MIB,
    what: "summary.json",
};
pub const RUNS_CSV: Limit = Limit {
    bytes: 64 * MIB,
    what: "runs.csv",
};
pub const GROUPS_CSV: Limit = Limit {
    bytes: 64 * MIB,
    what: "groups.csv",
};
pub const ENVIRONMENT_JSON: Limit = Limit {
    bytes: 4 * MIB,
    what: "environment.json",
};
pub const MANIFEST: Limit = Limit {
    bytes: 16 * MIB,
    what: "conlab-manifest.json",
};
/// One timeline or distribution (`cell-N.json`).
pub const CELL_JSON: Limit = Limit {
    bytes: 32 * MIB,
    what: "a timeline or distribution",
};
/// Any other file conlab wrote (a report, a chart), if it is read back.
pub const OTHER: Limit = Limit {
    bytes: 64 * MIB,
    what: "a results file",
};
/// Every timeline and distribution of a folder together.
pub const ALL_CELL_JSON_BYTES: u64 = 256 * MIB;

/// The limit of the file `name` (a top-level name, or the name of a file
/// inside `timelines/` or `distributions/`).
pub fn of(name: &str) -> Limit {
    match name {
        "summary.json" => SUMMARY_JSON,
        "runs.csv" => RUNS_CSV,
        "groups.csv" => GROUPS_CSV,
        "environment.json" => ENVIRONMENT_JSON,
        "experiment.toml" => crate::config::EXPERIMENT_FILE,
        super::manifest::MANIFEST => MANIFEST,
        n if n.starts_with("cell-") && n.ends_with(".json") => CELL_JSON,
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_has_its_own_limit() {
        assert_eq!(of("runs.csv"), RUNS_CSV);
        assert_eq!(of("experiment.toml").bytes, 1 << 20);
        assert_eq!(of("conlab-manifest.json"), MANIFEST);
        assert_eq!(of("cell-12.json"), CELL_JSON);
        assert_eq!(of("report.md"), OTHER);
    }
}
