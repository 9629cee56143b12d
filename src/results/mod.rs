//! Results: what a run measured ([`record`]), what a cell adds up to
//! ([`summary`]), how results are serialised ([`export`]) and the one
//! place that writes them to disk ([`store`]), reading a results
//! directory back ([`load`]) and comparing two of them ([`compare`]).

pub mod compare;
pub mod export;
pub mod load;
pub mod record;
pub mod store;
pub mod summary;

pub use compare::{CellComparison, Verdict};
pub use export::SummaryFile;
pub use load::{LoadError, Results};
pub use record::{GroupMeasurement, GroupRecord, Measurement, RunRecord, RunStatus, Timeline};
pub use store::{Store, StoreError};
pub use summary::{CellPlan, CellStatus, CellSummary, summarize};
