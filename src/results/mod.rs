//! Results: what a run measured ([`record`]), what a cell adds up to
//! ([`summary`]), how results are serialised ([`export`]) and the one
//! place that writes them to disk ([`store`]).

pub mod export;
pub mod record;
pub mod store;
pub mod summary;

pub use export::SummaryFile;
pub use record::{Measurement, RunRecord, RunStatus, Timeline};
pub use store::{Store, StoreError};
pub use summary::{CellPlan, CellStatus, CellSummary, summarize};
