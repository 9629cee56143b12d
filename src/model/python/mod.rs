//! The `python-*` models: the same workload run by a real CPython (or
//! any Python 3.8 or newer), so the real GIL, `time.sleep`, asyncio and
//! multiprocessing decide what happens.
//!
//! The worker process (`conlab __worker`) starts the interpreter as
//! `<interpreter> -I -c <runner.py>`, where `runner.py` is fixed code
//! compiled into conlab, on the generic runner path ([`external`]): the job
//! reaches it only as JSON on stdin, and it answers in the runner protocol.
//! This module says which program that is, and finds and probes the
//! interpreters cells name.

mod interpreter;
mod interpreters;
#[cfg(test)]
mod tests;

pub use interpreter::{Located, locate, probe};
pub use interpreters::{DEFAULT_INTERPRETER, Interpreters, interpreter_of, locate_for};

use super::external::Program;

/// The program every python model runs.
pub const RUNNER: &str = include_str!("runner.py");

/// The runner in `interpreter`: `<interpreter> -I -c <runner.py>`.
pub fn program(interpreter: &str) -> Program {
    Program {
        runner: format!("the Python interpreter `{interpreter}`"),
        argv: vec![
            interpreter.to_string(),
            "-I".to_string(),
            "-c".to_string(),
            RUNNER.to_string(),
        ],
    }
}
