//! Results: what a run measured ([`record`]), what a cell adds up to
//! ([`summary`]), how results are serialised ([`export`]) and the one
//! place that writes them to disk ([`store`], through [`folder`], which
//! keeps the [`manifest`] of conlab's files and writes with [`safe_fs`]),
//! reading a results directory back ([`load`]), continuing an interrupted
//! run ([`resume`]) and comparing two of them ([`compare`]).

pub mod compare;
pub mod export;
pub mod folder;
pub mod load;
pub mod manifest;
pub mod record;
pub mod resume;
pub mod safe_fs;
pub mod store;
pub mod summary;

pub use compare::{CellComparison, Verdict};
pub use export::SummaryFile;
pub use load::{LoadError, Results};
pub use record::{
    CURVE_QUANTILES, Distribution, GroupMeasurement, GroupRecord, Measurement, RunRecord,
    RunStatus, Timeline,
};
pub use store::{Store, StoreError};
pub use summary::{CellPlan, CellStatus, CellSummary, GroupSummary, summarize};
