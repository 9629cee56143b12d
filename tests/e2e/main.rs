//! conlab's end-to-end tests: one test binary (linked once) that runs the
//! real `conlab` executable on experiment files in temporary directories.
//! Each module covers one area; `common` holds the shared helpers.

mod behaviours;
mod bounds;
mod charts;
mod check;
mod claims;
mod common;
mod config;
mod doctor;
mod errors;
mod gojvm;
mod groups;
mod hostile;
mod interpreters;
mod merge;
mod noise;
mod openloop;
mod python;
mod reliability;
mod run;
mod runners;
mod shared;
mod shell;
mod soak;
mod tcp;
mod ui;
