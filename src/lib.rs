//! conlab: turns claims about concurrency models into measured,
//! reproducible experiments.
//!
//! Data flows one way: the command line ([`cli`]) → experiment files
//! ([`config`]) → cells ([`matrix`]) → the runner ([`runner`]), which runs
//! each cell's runs in child processes that drive a [`model`] built from
//! [`workload`] primitives and timed by [`measure`] → [`results`] and
//! [`stats`] → charts ([`plot`]) and [`report`].

pub mod cli;
pub mod commands;
pub mod config;
pub mod environment;
pub mod machine;
pub mod matrix;
pub mod measure;
pub mod model;
pub mod noise;
pub mod plot;
pub mod predict;
pub mod progress;
pub mod report;
pub mod results;
pub mod runner;
pub mod stats;
pub mod workload;

use std::sync::atomic::{AtomicBool, Ordering};

use cli::{Cli, Command};
use commands::Exit;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let outcome = match cli.command {
        Command::Worker => return runner::worker::serve(),
        Command::PoolWorker => return model::processes::serve_pool_worker(),
        Command::DelayServer => return workload::delay_server::serve(),
        Command::Models => Ok(commands::models::run()),
        Command::Validate { files } => Ok(commands::validate::run(&files)),
        Command::Plot(args) => commands::plot::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Doctor(args) => Ok(commands::doctor::run(&args)),
        Command::Run(args) => {
            // First Ctrl-C: stop after the current run, keep what was
            // measured. Second: leave at once.
            let _ = ctrlc::set_handler(|| {
                if INTERRUPTED.swap(true, Ordering::SeqCst) {
                    std::process::exit(Exit::Interrupted as i32);
                }
            });
            commands::run::run(&args, &INTERRUPTED)
        }
    };
    match outcome {
        Ok(exit) => exit as i32,
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::RunsFailed as i32
        }
    }
}
