//! `conlab merge DIR... --out DIR`: joins results folders of one
//! experiment — the shards of a run, or the same experiment measured on
//! several machines — into one results folder, then renders its charts
//! and reports (see `results::merge` for the rules).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Exit, read_folder, say, take_folder, tell_rendering};
use crate::cli::MergeArgs;
use crate::render::render_dir;
use crate::results::folder::Purpose;
use crate::results::manifest::{MANIFEST, Manifest};
use crate::results::merge::{self, Part, label_problem};
use crate::results::{Results, export, store};

/// `--label NAME=DIR` as (name, dir); the error says what is wrong.
fn labels(args: &MergeArgs) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    for text in &args.label {
        let Some((name, dir)) = text.split_once('=') else {
            return Err(format!(
                "error: --label {text} is not NAME=DIR\n  = help: name a machine for one of the directories: --label laptop={}",
                args.dirs
                    .first()
                    .map_or("DIR".to_string(), |d| d.display().to_string())
            ));
        };
        if let Some(why) = label_problem(name) {
            return Err(format!("error: --label {text}: {why}"));
        }
        let dir = PathBuf::from(dir);
        if !args.dirs.iter().any(|d| same_dir(d, &dir)) {
            return Err(format!(
                "error: --label {text} names {}, which is not one of the directories to merge\n  = help: give DIR as in the list of directories",
                dir.display()
            ));
        }
        out.push((name.to_string(), dir));
    }
    Ok(out)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The `--shard` the run in `dir` recorded, if its manifest says one.
fn shard_of(dir: &Path) -> Option<crate::matrix::Shard> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    Manifest::parse(&bytes).ok()?.run?.shard
}

pub fn run(args: &MergeArgs) -> anyhow::Result<Exit> {
    let labels = match labels(args) {
        Ok(l) => l,
        Err(message) => {
            say(message);
            return Ok(Exit::BadInput);
        }
    };
    if let Some(d) = args
        .dirs
        .iter()
        .enumerate()
        .find(|(i, d)| args.dirs[..*i].iter().any(|o| same_dir(o, d)))
        .map(|(_, d)| d)
    {
        say(format_args!(
            "error: {} is named twice\n  = help: name each results directory once",
            d.display()
        ));
        return Ok(Exit::BadInput);
    }
    if let Some(dir) = args.dirs.iter().find(|d| same_dir(d, &args.out)) {
        say(format_args!(
            "error: {} is both a directory to merge and --out\n  = help: write the merged results into a new directory",
            dir.display()
        ));
        return Ok(Exit::BadInput);
    }
    // Each input is read under its shared lock (refused while a command
    // writes it); --out is held from then to the end.
    let mut parts = Vec::new();
    for dir in &args.dirs {
        let (results, shard) = match read_folder(dir, || (Results::load(dir), shard_of(dir))) {
            Ok((Ok(r), shard)) => (r, shard),
            Ok((Err(e), _)) => {
                say(format_args!("error: {e}"));
                return Ok(Exit::BadInput);
            }
            Err(exit) => return Ok(exit),
        };
        parts.push(Part {
            dir: dir.display().to_string(),
            label: labels
                .iter()
                .find(|(_, d)| same_dir(d, dir))
                .map(|(n, _)| n.clone()),
            shard,
            results,
        });
    }
    let lock = match take_folder(&args.out, Purpose::Run { force: args.force }) {
        Ok(lock) => lock,
        Err(exit) => return Ok(exit),
    };
    let merged = match merge::merge(parts) {
        Ok(m) => m,
        Err(e) => {
            say(format_args!("error: {e}"));
            return Ok(Exit::BadInput);
        }
    };
    for w in &merged.warnings {
        say(format_args!("warning: {w}"));
    }
    let out = &args.out;
    let encode = |name: &str, e: &dyn std::fmt::Display| {
        anyhow::anyhow!("cannot encode {}: {e}", out.join(name).display())
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(text) = &merged.experiment_text {
        files.push(("experiment.toml".to_string(), text.clone().into_bytes()));
    }
    let mut env = serde_json::to_vec_pretty(&merged.environment)
        .map_err(|e| encode("environment.json", &e))?;
    env.push(b'\n');
    files.push(("environment.json".to_string(), env));
    let mut runs = Vec::new();
    for (i, r) in merged.runs.iter().enumerate() {
        runs.extend(export::run_row(r, i == 0).map_err(|e| encode("runs.csv", &e))?);
    }
    files.push(("runs.csv".to_string(), runs));
    if !merged.groups.is_empty() {
        let groups =
            export::group_rows(&merged.groups, true).map_err(|e| encode("groups.csv", &e))?;
        files.push(("groups.csv".to_string(), groups));
    }
    let csv = export::summary_csv(&merged.summary.cells).map_err(|e| encode("summary.csv", &e))?;
    files.push(("summary.csv".to_string(), csv));
    let json = export::summary_json(&merged.summary).map_err(|e| encode("summary.json", &e))?;
    files.push(("summary.json".to_string(), json));
    for t in &merged.timelines {
        let name = format!("timelines/cell-{}.json", t.cell);
        let bytes = serde_json::to_vec(t).map_err(|e| encode(&name, &e))?;
        files.push((name, bytes));
    }
    for d in &merged.distributions {
        let name = format!("distributions/cell-{}.json", d.cell);
        let bytes = serde_json::to_vec(d).map_err(|e| encode(&name, &e))?;
        files.push((name, bytes));
    }
    if let Err(e) = store::write_merged(&lock, args.force, &files) {
        if e.is_bad_input() {
            say(format_args!("error: {e}"));
            return Ok(Exit::BadInput);
        }
        return Err(anyhow::Error::new(e))
            .with_context(|| format!("cannot write the merged results into {}", out.display()));
    }
    if !args.quiet {
        let machines: Vec<String> = merged
            .machines
            .iter()
            .map(|(m, dirs)| format!("{m} ({})", dirs.join(", ")))
            .collect();
        let what = if merged.machines.len() > 1 {
            format!(
                "{} machines: {}",
                merged.machines.len(),
                machines.join("; ")
            )
        } else {
            format!("one machine: {}", machines.join(""))
        };
        say(format_args!(
            "Merged {} folders of experiment \"{}\" ({what}) into {}: {} cells, {} runs",
            args.dirs.len(),
            merged.summary.experiment,
            out.display(),
            merged.summary.cells.len(),
            merged.runs.len()
        ));
    }
    match render_dir(&lock) {
        Ok(r) => {
            tell_rendering(out, &r, args.quiet);
            Ok(if r.failures.is_empty() {
                Exit::Ok
            } else {
                Exit::RunsFailed
            })
        }
        Err(e) => {
            say(format_args!(
                "error: could not render the charts and reports: {e:#}\n  = help: the merged results are kept in {dir}; `conlab plot {dir}` renders them again",
                dir = out.display()
            ));
            Ok(Exit::RunsFailed)
        }
    }
}
