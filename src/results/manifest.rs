//! `conlab-manifest.json`: the list of files conlab wrote in a results
//! folder, and what `run --resume` needs to know about the run that
//! started there.
//!
//! conlab deletes and overwrites only files this list names, so a results
//! folder can hold the user's own notes, and `--out .` can never cost a
//! file. A name is added (and the manifest saved) *before* its file is
//! written, so a run killed at any moment leaves no file of conlab's that
//! the manifest does not name. Only names of the shapes conlab writes are
//! accepted in the list: a hand-edited or forged manifest cannot make
//! `--force` delete anything else.
//!
//! The run record holds a hash of every cell as it was resolved (with the
//! experiment's seed and conlab's version) and the experiment file's hash;
//! `--resume` keeps a recorded run only if its cell's hash still matches.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::matrix::{Cell, Shard};

/// The manifest's file name, in the results folder's top level.
pub const MANIFEST: &str = "conlab-manifest.json";
/// The manifest format this conlab writes and reads.
pub const FORMAT: u32 = 1;

/// Files a run writes at the top level of its results folder.
pub const RUN_FILES: &[&str] = &[
    "experiment.toml",
    "environment.json",
    "runs.csv",
    "groups.csv",
    "summary.csv",
    "summary.json",
];
/// Files a rendering writes at the top level, beside `charts/`.
pub const REPORT_FILES: &[&str] = &["report.html", "report.md", "summary.tex"];
/// Files `conlab compare` writes into its `--out` folder.
pub const COMPARE_FILES: &[&str] = &["compare.md", "compare.png", "compare.svg"];
/// Sub-folders conlab makes.
pub const SUBDIRS: &[&str] = &["charts", "timelines", "distributions"];

/// The content of `conlab-manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format: tells this file from any other JSON.
    pub conlab_manifest: u32,
    /// The conlab that last wrote the folder.
    pub conlab_version: String,
    /// Every file conlab wrote here, relative and `/`-separated.
    pub files: BTreeSet<String>,
    /// The run started here; absent where only `plot` or `compare` wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<StartedRun>,
}

/// What `run --resume` compares against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartedRun {
    /// The conlab that started the run.
    pub conlab_version: String,
    /// The experiment file as the user named it.
    pub experiment_file: String,
    pub experiment_sha256: String,
    /// Measured runs per cell and warm-ups, as the run was started.
    pub repetitions: u32,
    pub warmup: u32,
    /// The run's `--filter` texts.
    pub filter: Vec<String>,
    /// The run's `--shard K/N`, if it ran one share of the cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Every cell of the run, in matrix order.
    pub cells: Vec<CellHash>,
}

/// One cell of a started run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellHash {
    pub cell: usize,
    pub label: String,
    /// [`cell_sha256`] of the cell.
    pub sha256: String,
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            conlab_manifest: FORMAT,
            conlab_version: env!("CARGO_PKG_VERSION").to_string(),
            files: BTreeSet::new(),
            run: None,
        }
    }

    /// Reads a manifest, checking that every name it lists is one conlab
    /// writes; the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if m.conlab_manifest != FORMAT {
            return Err(format!(
                "its format is {}, and this conlab reads format {FORMAT}",
                m.conlab_manifest
            ));
        }
        if let Some(bad) = m.files.iter().find(|f| !is_output_name(f)) {
            return Err(format!(
                "it lists `{bad}`, which is not a file conlab writes"
            ));
        }
        Ok(m)
    }

    /// The manifest as written: pretty JSON and a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

impl Default for Manifest {
    fn default() -> Manifest {
        Manifest::new()
    }
}

/// Whether `rel` (relative, `/`-separated) has the shape of a file conlab
/// writes: a top-level result, report or comparison file,
/// `charts/<name>.png` or `.svg`, or `timelines/cell-<N>.json` or
/// `distributions/cell-<N>.json`.
pub fn is_output_name(rel: &str) -> bool {
    match rel.split_once('/') {
        None => RUN_FILES
            .iter()
            .chain(REPORT_FILES)
            .chain(COMPARE_FILES)
            .any(|n| *n == rel),
        Some(("charts", name)) => {
            plain(name)
                && (name.ends_with(".png") || name.ends_with(".svg"))
                && name.len() > ".png".len()
        }
        Some(("timelines" | "distributions", name)) => name
            .strip_prefix("cell-")
            .and_then(|n| n.strip_suffix(".json"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        Some(_) => false,
    }
}

/// One file name that is not hidden and not a path.
fn plain(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// The hash `--resume` matches a cell by: conlab's version, the
/// experiment's seed (which draws the cell's latencies) and the cell as
/// resolved (workload point, model, parameters, default workers filled in).
/// Its place in the matrix is not part of it; [`CellHash`] keeps that.
pub fn cell_sha256(cell: &Cell, seed: u64) -> String {
    let placeless = Cell {
        index: 0,
        ..cell.clone()
    };
    let resolved = serde_json::to_string(&placeless).unwrap_or_default();
    let text = format!(
        "conlab {}\nseed {seed}\n{resolved}",
        env!("CARGO_PKG_VERSION")
    );
    hex(&Sha256::digest(text.as_bytes()))
}

/// The SHA-256 of an experiment file's text.
pub fn text_sha256(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_exactly_what_conlab_writes() {
        for ok in [
            "runs.csv",
            "summary.json",
            "report.md",
            "compare.svg",
            "charts/io-bound-wall.png",
            "charts/입출력-wall.svg",
            "timelines/cell-12.json",
            "distributions/cell-3.json",
        ] {
            assert!(is_output_name(ok), "{ok}");
        }
        for bad in [
            "notes.txt",
            "conlab-manifest.json",
            ".conlab-lock",
            ".conlab-tmp-1-2~",
            "charts",
            "charts/.png",
            "charts/.hidden.png",
            "charts/a.txt",
            "charts/../../x.png",
            "charts/a/b.png",
            "timelines/cell-.json",
            "timelines/cell-1x.json",
            "timelines/notes.json",
            "distributions/notes.json",
            "../report.md",
            "/etc/passwd",
            "sub/report.md",
            "",
        ] {
            assert!(!is_output_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_manifest_round_trips_and_foreign_json_is_refused() {
        let mut m = Manifest::new();
        m.files.insert("runs.csv".into());
        m.files.insert("charts/a.png".into());
        assert_eq!(Manifest::parse(&m.to_bytes()), Ok(m.clone()));
        assert!(Manifest::parse(br#"{"name": "my-web-app"}"#).is_err());
        let mut forged = m.clone();
        forged.files.insert("../thesis.tex".into());
        assert_eq!(
            Manifest::parse(&forged.to_bytes()),
            Err("it lists `../thesis.tex`, which is not a file conlab writes".to_string())
        );
        let mut newer = m;
        newer.conlab_manifest = 2;
        assert_eq!(
            Manifest::parse(&newer.to_bytes()),
            Err("its format is 2, and this conlab reads format 1".to_string())
        );
    }

    #[test]
    fn the_cell_hash_changes_with_the_cell_and_the_seed() {
        let exp = match crate::config::from_text(
            "t.toml",
            "[[workload]]\ntasks = [1, 2]\n[[model]]\nkind = \"sequential\"\n",
            "t",
        ) {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cells = crate::matrix::expand(&exp, 2);
        let a = cell_sha256(&cells[0], 0);
        assert_eq!(a, cell_sha256(&cells[0], 0));
        assert_eq!(a.len(), 64);
        assert_ne!(a, cell_sha256(&cells[1], 0));
        assert_ne!(a, cell_sha256(&cells[0], 1));
        let moved = Cell {
            index: 7,
            ..cells[0].clone()
        };
        assert_eq!(a, cell_sha256(&moved, 0));
    }
}
