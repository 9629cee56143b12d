//! conlab's end-to-end tests: one test binary (linked once) that runs the
//! real `conlab` executable on experiment files in temporary directories.
//! Each module covers one area; `common` holds the shared helpers.

mod charts;
mod claims;
mod common;
mod errors;
mod hostile;
mod python;
mod run;
mod tcp;
