//! Results: what a run measured ([`record`]), what a cell adds up to
//! ([`summary`]), how results are serialised ([`export`]) and the one
//! place that writes them to disk ([`store`], through [`folder`], which
//! keeps the [`manifest`] of conlab's files, holds the folder's [`lock`],
//! tells conlab's lost files from the user's ([`recognise`]) and writes
//! with [`safe_fs`]),
//! reading a results directory back ([`load`]), continuing an interrupted
//! run ([`resume`]), comparing two of them ([`compare`]), judging the
//! experiment's `[[claim]]`s ([`claims`]), finding where models' curves
//! cross ([`crossovers`]) and joining folders of one experiment
//! ([`merge`]).

pub mod claims;
pub mod compare;
pub mod crossovers;
pub mod export;
pub mod folder;
pub mod limits;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod recognise;
pub mod record;
pub mod resume;
pub mod safe_fs;
pub mod store;
pub mod summary;

pub use compare::{CellComparison, Verdict};
pub use export::SummaryFile;
pub use load::{LoadError, Results};
pub use record::{
    CURVE_QUANTILES, Distribution, GroupMeasurement, GroupRecord, Measurement, RequestMeasurement,
    RunRecord, RunStatus, Timeline,
};
pub use store::{Store, StoreError};
pub use summary::{
    CellPlan, CellStatus, CellSummary, GroupSummary, RequestPlan, RequestSummary, summarize,
};
