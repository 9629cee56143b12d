//! Reports made from results only: the summary table printed at the end of
//! a run.

pub mod table;
