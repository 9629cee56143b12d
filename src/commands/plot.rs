//! `conlab plot DIR`: renders the charts and reports of a results directory
//! from its saved files alone, without running anything (see
//! [`crate::render`]).

use super::{Exit, say, tell_rendering};
use crate::cli::PlotArgs;
use crate::render::render_dir;
use crate::results::LoadError;

pub fn run(args: &PlotArgs) -> anyhow::Result<Exit> {
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
            say(format_args!("error: {e:#}"));
            Ok(match e.downcast_ref::<LoadError>() {
                Some(_) => Exit::BadInput,
                None => Exit::RunsFailed,
            })
        }
    }
}
