//! `conlab plot DIR`: renders the charts and reports of a results directory
//! from its saved files alone, without running anything (see
//! [`crate::render`]).

use super::{Exit, say, tell_rendering};
use crate::cli::PlotArgs;
use crate::render::render_dir;
use crate::results::folder::{Folder, Purpose};
use crate::results::{LoadError, StoreError};

pub fn run(args: &PlotArgs) -> anyhow::Result<Exit> {
    // Refuse links and files in the way before drawing anything; a folder
    // that is not results at all is told by loading it.
    match Folder::check(&args.dir, Purpose::Render) {
        Err(StoreError::NotResults { .. }) | Ok(()) => {}
        Err(e) => {
            say(format_args!("error: {e}"));
            return Ok(if e.is_bad_input() {
                Exit::BadInput
            } else {
                Exit::RunsFailed
            });
        }
    }
    match render_dir(&args.dir) {
        Ok(r) => {
            tell_rendering(&args.dir, &r, args.quiet);
            Ok(if r.failures.is_empty() {
                Exit::Ok
            } else {
                Exit::RunsFailed
            })
        }
        Err(e) => {
            // A folder refused says itself which file and why.
            match e.downcast_ref::<StoreError>() {
                Some(refused) if refused.is_bad_input() => say(format_args!("error: {refused}")),
                _ => say(format_args!("error: {e:#}")),
            }
            let bad_input = e.downcast_ref::<LoadError>().is_some()
                || e.downcast_ref::<StoreError>()
                    .is_some_and(StoreError::is_bad_input);
            Ok(if bad_input {
                Exit::BadInput
            } else {
                Exit::RunsFailed
            })
        }
    }
}
