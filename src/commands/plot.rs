//! `conlab plot DIR`: renders the charts and reports of a results directory
//! from its saved files alone, without running anything (see
//! [`crate::render`]), holding the folder's lock while it does.

use super::{Exit, say, tell_rendering, took};
use crate::cli::PlotArgs;
use crate::render::render_dir;
use crate::results::folder::{Folder, FolderError, Purpose};
use crate::results::{LoadError, Results, StoreError};

pub fn run(args: &PlotArgs) -> anyhow::Result<Exit> {
    // A folder that is not results at all is told as loading tells it;
    // links, files in the way and a folder in use are refused before
    // anything is drawn.
    let lock = match Folder::lock(&args.dir, Purpose::Render) {
        Err(e @ (FolderError::NotResults { .. } | FolderError::Missing { .. })) => {
            match Results::load(&args.dir) {
                Err(load) => say(format_args!("error: {load}")),
                Ok(_) => say(format_args!("error: {e}")),
            }
            return Ok(Exit::BadInput);
        }
        taken => match took(taken) {
            Ok(lock) => lock,
            Err(exit) => return Ok(exit),
        },
    };
    match render_dir(&lock) {
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
