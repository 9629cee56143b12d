//! Serialisers for the result files: pure functions from results to bytes.
//! Writing them to disk is `store.rs`'s job alone.

use serde::{Deserialize, Serialize};

use super::claims::ClaimResult;
use super::crossovers::Crossover;
use super::record::{GroupRecord, RunRecord};
use super::summary::CellSummary;

/// The content of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryFile {
    pub experiment: String,
    pub description: String,
    pub conlab_version: String,
    /// Cores the predictions assumed.
    pub cores: usize,
    pub cells: Vec<CellSummary>,
}

/// `summary.csv`: one row per cell. A CSV row is flat, so a cell's groups
/// stay out of it (`summary.json` and `groups.csv` have them).
pub fn summary_csv(cells: &[CellSummary]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for c in cells {
        w.serialize(CellSummary {
            groups: Vec::new(),
            interpreter: None,
            ..c.clone()
        })?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `summary.json`.
pub fn summary_json(file: &SummaryFile) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(file)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `summary.json` as a rendering writes it: the experiment's claims, as
/// judged, and the crossovers first, then the summary. (The runner writes
/// the summary alone; reading it back ignores the first two.)
pub fn summary_json_with(
    file: &SummaryFile,
    claims: &[ClaimResult],
    crossovers: &[Crossover],
) -> Result<Vec<u8>, serde_json::Error> {
    #[derive(Serialize)]
    struct WithClaims<'a> {
        claims: &'a [ClaimResult],
        crossovers: &'a [Crossover],
        #[serde(flatten)]
        summary: &'a SummaryFile,
    }
    let mut bytes = serde_json::to_vec_pretty(&WithClaims {
        claims,
        crossovers,
        summary: file,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// One `runs.csv` row, with the header when `header` is set.
pub fn run_row(record: &RunRecord, header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(header)
        .from_writer(Vec::new());
    w.serialize(record)?;
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// One or more `groups.csv` rows, with the header when `header` is set.
pub fn group_rows(records: &[GroupRecord], header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(header)
        .from_writer(Vec::new());
    for r in records {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Reads `runs.csv` back.
pub fn parse_runs(bytes: &[u8]) -> Result<Vec<RunRecord>, csv::Error> {
    csv::Reader::from_reader(bytes).deserialize().collect()
}

/// Reads `groups.csv` back.
pub fn parse_groups(bytes: &[u8]) -> Result<Vec<GroupRecord>, csv::Error> {
    csv::Reader::from_reader(bytes).deserialize().collect()
}
