//! `conlab merge DIR... --out DIR`: joins results folders of one
//! experiment — the shards of a run, or the same experiment measured on
//! several machines — into one results folder, then renders its charts
//! and reports (see `results::merge` for the rules).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Exit, read_folder, say, tell_rendering, took};
use crate::cli::MergeArgs;
use crate::render::render_dir;
use crate::results::folder::{Folder, FolderError, Purpose};
use crate::results::manifest::{MANIFEST, Manifest, StartedRun};
use crate::results::merge::{self, Part, label_problem};
use crate::results::{Results, export, limits, store};

/// `--label NAME=DIR` as (name, dir); the error says what is wrong.
fn labels(args: &MergeArgs) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
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
        if let Some((other, _)) = out.iter().find(|(_, d)| same_dir(d, &dir)) {
            return Err(format!(
                "error: --label {other}={0} and --label {text} both name {0}: a directory is one machine\n  = help: give {0} one --label",
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

/// The run `dir`'s manifest records (its settings, its `--shard`), if
/// it has a manifest that records one; the error says why it cannot be
/// read.
fn run_of(dir: &Path) -> Result<Option<StartedRun>, String> {
    let path = dir.join(MANIFEST);
    let bytes = match crate::bounded::read_optional(&path, limits::MANIFEST) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(format!(
                "error: {e}\n  = help: conlab writes this file itself; restore it from the run that wrote {}",
                dir.display()
            ));
        }
    };
    match Manifest::parse(&bytes) {
        Ok(m) => Ok(m.run),
        Err(message) => Err(format!(
            "error: {} is not a conlab manifest: {}\n  = help: conlab writes this file itself; restore it from the run that wrote {}",
            path.display(),
            crate::format::excerpt(&message, 200),
            dir.display()
        )),
    }
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
    // writes it).
    let mut parts = Vec::new();
    for dir in &args.dirs {
        let (results, run) = match read_folder(dir, || (Results::load(dir), run_of(dir))) {
            Ok((Ok(r), Ok(run))) => (r, run),
            Ok((Err(e), _)) => {
                say(format_args!("error: {e}"));
                return Ok(Exit::BadInput);
            }
            Ok((_, Err(message))) => {
                say(message);
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
            run,
            results,
        });
    }
    let merged = match merge::merge(parts) {
        Ok(m) => m,
        Err(e) => {
            say(format_args!("error: {e}"));
            return Ok(Exit::BadInput);
        }
    };
    // --out is taken only for a merge that will be written, and held from
    // then to the end.
    let lock = match Folder::lock(&args.out, Purpose::Run { force: args.force }) {
        // `run`'s advice (--resume) is no merge's.
        Err(FolderError::Exists { dir }) => {
            say(format_args!(
                "error: {} already holds results\n  = help: pass --force to replace conlab's files there, or --out DIR to write elsewhere",
                dir.display()
            ));
            return Ok(Exit::BadInput);
        }
        taken => match took(taken) {
            Ok(lock) => lock,
            Err(exit) => return Ok(exit),
        },
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
