//! `kind = "custom"`: a user's own runner, any program that speaks the
//! runner protocol, started as the model's `command` says (a program on
//! PATH or a path, then its arguments) on the generic runner path
//! ([`external`](super::external)). conlab knows nothing of how it shares
//! the time, so it predicts nothing for it.

use super::external::Program;
use crate::matrix::Cell;

/// The runner a custom cell names.
pub fn program(cell: &Cell) -> Program {
    let argv = cell.command.clone().unwrap_or_default();
    let shown = argv.first().map_or("", String::as_str);
    Program {
        runner: format!("the custom runner `{shown}`"),
        argv,
    }
}
