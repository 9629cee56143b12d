//! The `python-*` models: the same workload run by a real CPython (or
//! PyPy, or any Python 3.8 or newer), so the real GIL, `time.sleep`,
//! asyncio, gevent and multiprocessing decide what happens.
//!
//! The worker process (`conlab __worker`) starts the interpreter as
//! `<interpreter> -I -c <runner.py>`, where `runner.py` is fixed code
//! compiled into conlab, on the generic runner path ([`external`]): the job
//! reaches it only as JSON on stdin, and it answers in the runner protocol.
//! This module says which program that is (for `python-gevent`, conlab's
//! gevent environment made from the interpreter, where there is one), and
//! finds and probes the interpreters cells name.

mod environments;
pub(super) mod found;
mod interpreter;
mod interpreters;
#[cfg(test)]
mod tests;

pub use environments::{environment_python, gevent_environment};
pub use interpreter::{InterpreterFacts, Located, locate, probe};
pub use interpreters::{DEFAULT_INTERPRETER, Interpreters, locate_for, program_for, program_of};

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
