//! Joining results folders of one experiment into one (`conlab merge`):
//! the shards of a run (`run --shard K/N`), or the same experiment
//! measured on several machines. Pure: the folders' contents in, the
//! joined contents out (or why they cannot be joined); writing is the
//! store's job.
//!
//! Each folder belongs to a machine: the name `--label NAME=DIR` gives it,
//! else its `environment.json` hostname, else the folder's name. Folders
//! of one machine must hold different cells (they are shards or partial
//! runs of it); cells keep their matrix indices. Results of more than one
//! machine get a **machine axis**: each cell carries its machine (in
//! `summary.json`, in `runs.csv`'s last column, in its label as
//! `machine=NAME`), and cells are numbered again, machine after machine.
//! Shards of one run (every folder records a different `--shard K/N` of
//! the same N, and no label is given) are one machine however many hosts
//! ran them: a cluster of identical nodes; where their environments differ
//! in what moves measurements (CPU, cores, memory, OS, kernel, conlab,
//! clock source, frequency scaling, …), the merge warns and names the
//! differences.
//!
//! What is refused, before anything is joined (issue 22):
//! - a folder whose `experiment.toml` is missing or does not parse:
//!   nothing else tells that it is a run of the same experiment;
//! - folders that disagree on what shapes their cells: conlab's version,
//!   the experiment file (its SHA-256, or else its seed, workloads and
//!   models), the repetitions per cell;
//! - a measured run in two folders (or twice in one): a run is known by
//!   its cell's label, its repetition and what it measured, so a folder
//!   merged again with one it already holds is refused, naming both;
//! - a `--label` on a merged folder of several machines, whose machines
//!   keep their own names: such a folder joins as its machines, each with
//!   its cells (their labels without the old `machine=` part), never as
//!   one machine named after the folder.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value as Json, json};

use super::export::SummaryFile;
use super::load::Results;
use super::manifest::StartedRun;
use super::record::{Distribution, GroupRecord, RunRecord, RunStatus, Timeline};
use super::summary::{CellSummary, fill_speedups};
use crate::config;
use crate::matrix::Shard;

/// One folder to join.
pub struct Part {
    /// The folder as the user named it, for messages.
    pub dir: String,
    /// `--label NAME=DIR`, if given for it.
    pub label: Option<String>,
    /// The run its manifest records (its settings and `--shard`), if any:
    /// a merged folder records none.
    pub run: Option<StartedRun>,
    pub results: Results,
}

impl Part {
    /// The `--shard` its run recorded, if any.
    fn shard(&self) -> Option<Shard> {
        self.run.as_ref().and_then(|r| r.shard)
    }
}

/// The joined folder's contents.
#[derive(Debug)]
pub struct Merged {
    pub summary: SummaryFile,
    pub runs: Vec<RunRecord>,
    pub groups: Vec<GroupRecord>,
    pub timelines: Vec<Timeline>,
    pub distributions: Vec<Distribution>,
    pub experiment_text: Option<String>,
    pub environment: Json,
    /// The machines, in order, with their folders; one (and no machine
    /// axis) or several.
    pub machines: Vec<(String, Vec<String>)>,
    /// What the user should know: environments that differ, missing
    /// shards.
    pub warnings: Vec<String>,
}

/// Environment fields that move measurements: shards of one machine
/// whose environments differ in these are warned about.
pub const COMPARED: &[&str] = &[
    "cpu_model",
    "logical_cpus",
    "usable_cores",
    "memory_total_mb",
    "os",
    "kernel",
    "arch",
    "conlab_version",
    "git_commit",
    "rustc_version",
    "python",
    "virtualization",
    "clock_source",
    "cpu_governor",
    "turbo",
    "smt",
    "isolated_cpus",
];

/// Why folders cannot be joined: the message says which and why, and
/// what to do.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn refuse(message: String) -> MergeError {
    MergeError(message)
}

/// Whether `name` can be a machine's name: it becomes part of labels
/// (`machine=NAME`) and keys (`NAME|…`).
pub fn label_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("a machine's name cannot be empty")
    } else if name
        .chars()
        .any(|c| c.is_control() || crate::format::is_hidden_control(c))
    {
        Some("a machine's name cannot contain control characters or bidirectional text controls")
    } else if name
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '|' | ';' | '='))
    {
        Some(
            "a machine's name becomes part of labels like `machine=NAME`: no spaces, `|`, `;` or `=`",
        )
    } else {
        None
    }
}

/// The machine a folder ran on, by default.
fn host_of(part: &Part) -> String {
    let host = part
        .results
        .environment
        .as_ref()
        .and_then(|e| e.get("hostname"))
        .and_then(Json::as_str)
        .filter(|h| label_problem(h).is_none());
    match host {
        Some(h) => h.to_string(),
        None => {
            let name = std::path::Path::new(&part.dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "results".to_string());
            name.chars()
                .map(|c| {
                    if label_problem(&c.to_string()).is_some() {
                        '-'
                    } else {
                        c
                    }
                })
                .collect()
        }
    }
}

/// What must agree for two folders to be one experiment's: its name, and
/// what its file says runs (workloads, models, seed); claims, charts and
/// the description may have been edited since.
fn same_experiment(a: &Part, b: &Part) -> Result<(), MergeError> {
    let (sa, sb) = (&a.results.summary, &b.results.summary);
    if sa.experiment != sb.experiment {
        return Err(refuse(format!(
            "{} holds results of experiment \"{}\" and {} of experiment \"{}\": conlab merges results of one experiment\n  = help: merge each experiment's folders on their own; `conlab compare` sets two experiments side by side",
            a.dir, sa.experiment, b.dir, sb.experiment
        )));
    }
    let parsed = |p: &Part| {
        p.results.experiment_text.as_ref().and_then(|t| {
            config::from_text("experiment.toml", t, &p.results.summary.experiment)
                .ok()
                .map(|l| l.experiment)
        })
    };
    let (Some(ea), Some(eb)) = (parsed(a), parsed(b)) else {
        return Ok(());
    };
    let differs = |what: String| {
        Err(refuse(format!(
            "{} and {} are results of different versions of experiment \"{}\": {what}\n  = help: merge only folders measured with the same experiment file (claims, charts and the description may differ)",
            a.dir, b.dir, sa.experiment
        )))
    };
    if ea.seed != eb.seed {
        return differs(format!(
            "its seed is {} in one and {} in the other",
            ea.seed, eb.seed
        ));
    }
    for w in &ea.workloads {
        match eb.workloads.iter().find(|o| o.name == w.name) {
            Some(o) if format!("{o:?}") == format!("{w:?}") => {}
            Some(_) => return differs(format!("workload \"{}\" differs", w.name)),
            None => return differs(format!("workload \"{}\" is in one only", w.name)),
        }
    }
    if let Some(w) = eb
        .workloads
        .iter()
        .find(|w| !ea.workloads.iter().any(|o| o.name == w.name))
    {
        return differs(format!("workload \"{}\" is in one only", w.name));
    }
    for m in &ea.models {
        match eb.models.iter().find(|o| o.name == m.name) {
            Some(o) if format!("{o:?}") == format!("{m:?}") => {}
            Some(_) => return differs(format!("model \"{}\" differs", m.name)),
            None => return differs(format!("model \"{}\" is in one only", m.name)),
        }
    }
    if let Some(m) = eb
        .models
        .iter()
        .find(|m| !ea.models.iter().any(|o| o.name == m.name))
    {
        return differs(format!("model \"{}\" is in one only", m.name));
    }
    Ok(())
}

/// A field of an environment as text (`–` when absent).
fn field_text(env: Option<&Json>, key: &str) -> String {
    match env.and_then(|e| e.get(key)) {
        None | Some(Json::Null) => "–".to_string(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// How the environments of one machine's folders differ, field by field:
/// `usable_cores: 2 (shard 1/3, shard 2/3), 4 (shard 3/3)`.
fn differences(parts: &[&Part]) -> Vec<String> {
    let mut out = Vec::new();
    for key in COMPARED {
        let mut values: Vec<(String, Vec<String>)> = Vec::new();
        for p in parts {
            let value = field_text(p.results.environment.as_ref(), key);
            let who = match p.shard() {
                Some(s) => format!("shard {s}"),
                None => p.dir.clone(),
            };
            match values.iter_mut().find(|(v, _)| *v == value) {
                Some((_, whose)) => whose.push(who),
                None => values.push((value, vec![who])),
            }
        }
        if values.len() > 1 {
            let shown: Vec<String> = values
                .iter()
                .map(|(v, whose)| format!("{v} ({})", whose.join(", ")))
                .collect();
            out.push(format!("{key}: {}", shown.join(", ")));
        }
    }
    out
}

/// The label of a cell of machine `machine`.
fn machine_label(cell: &CellSummary, machine: &str) -> String {
    if cell.axes.of_workload().next().is_some() {
        format!("{} machine={machine}", cell.label)
    } else {
        format!("{} · machine={machine}", cell.label)
    }
}

/// A label of a merged folder's cell without its machine: the inverse of
/// [`machine_label`].
fn label_without_machine(label: &str, machine: &str) -> String {
    [
        format!(" · machine={machine}"),
        format!(" machine={machine}"),
    ]
    .iter()
    .find_map(|suffix| label.strip_suffix(suffix.as_str()))
    .unwrap_or(label)
    .to_string()
}

/// The machines of a merged folder's cells, in order; empty for a folder
/// of one machine.
fn machines_of(results: &Results) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &results.summary.cells {
        if let Some(m) = &c.machine
            && !out.contains(m)
        {
            out.push(m.clone());
        }
    }
    out
}

/// A merged folder with a machine axis as one part per machine, each
/// like a folder of that machine alone (labels without `machine=`, no
/// machine field, that machine's environment). Other folders as they are.
fn split_machines(parts: Vec<Part>) -> Result<Vec<Part>, MergeError> {
    let mut out = Vec::new();
    for part in parts {
        let machines = machines_of(&part.results);
        if machines.is_empty() {
            out.push(part);
            continue;
        }
        let r = &part.results;
        if let Some(c) = r.summary.cells.iter().find(|c| c.machine.is_none()) {
            return Err(refuse(format!(
                "{}: cell \"{}\" has no machine, but the folder's other cells have one: a merged folder's cells all do\n  = help: {REMERGE}",
                part.dir, c.label
            )));
        }
        if let Some(label) = &part.label {
            return Err(refuse(format!(
                "--label {label}={}: {} holds results of {} machines ({}), which keep their own names\n  = help: leave out --label for {}; its machines join as they are",
                part.dir,
                part.dir,
                machines.len(),
                machines.join(", "),
                part.dir
            )));
        }
        let sources: Vec<&Json> = r
            .environment
            .as_ref()
            .and_then(|e| e.get("merged_from"))
            .and_then(Json::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for machine in machines {
            let mine: Vec<&CellSummary> = r
                .summary
                .cells
                .iter()
                .filter(|c| c.machine.as_deref() == Some(&machine))
                .collect();
            let label_of: HashMap<usize, String> = mine
                .iter()
                .map(|c| (c.cell, label_without_machine(&c.label, &machine)))
                .collect();
            let cells = mine
                .iter()
                .map(|c| CellSummary {
                    label: label_of[&c.cell].clone(),
                    machine: None,
                    ..(*c).clone()
                })
                .collect();
            let runs = r
                .runs
                .iter()
                .filter(|x| label_of.contains_key(&x.cell))
                .map(|x| RunRecord {
                    machine: None,
                    ..x.clone()
                })
                .collect();
            let groups = r
                .groups
                .iter()
                .filter(|g| label_of.contains_key(&g.cell))
                .cloned()
                .collect();
            let timelines = r
                .timelines
                .iter()
                .filter_map(|t| {
                    Some(Timeline {
                        label: label_of.get(&t.cell)?.clone(),
                        ..t.clone()
                    })
                })
                .collect();
            let distributions = r
                .distributions
                .iter()
                .filter_map(|d| {
                    Some(Distribution {
                        label: label_of.get(&d.cell)?.clone(),
                        ..d.clone()
                    })
                })
                .collect();
            let environment = r
                .environment
                .as_ref()
                .and_then(|e| e.get("machines"))
                .and_then(|m| m.get(&machine))
                .cloned()
                .map(|mut env| {
                    // What the folders of this machine were run with.
                    if let (Some(object), Some(source)) = (
                        env.as_object_mut(),
                        sources
                            .iter()
                            .find(|s| s.get("machine").and_then(Json::as_str) == Some(&machine)),
                    ) {
                        object.insert("merged_from".to_string(), json!([source]));
                    }
                    env
                });
            out.push(Part {
                dir: part.dir.clone(),
                label: Some(machine),
                run: None,
                results: Results {
                    summary: SummaryFile {
                        cells,
                        ..r.summary.clone()
                    },
                    runs,
                    groups,
                    timelines,
                    distributions,
                    experiment_text: r.experiment_text.clone(),
                    environment,
                },
            });
        }
    }
    Ok(out)
}

const REMERGE: &str =
    "merge the folders it was merged from instead, or restore it from the merge that wrote it";

/// What a folder was run with that shapes its cells, as far as it says:
/// its run record's, or (for a merged folder) what its merge recorded of
/// the folders it joined.
#[derive(Debug, PartialEq)]
struct Shape {
    conlab_version: String,
    experiment_sha256: Option<String>,
    repetitions: Option<u32>,
}

fn shape(part: &Part) -> Shape {
    let env = part.results.environment.as_ref();
    let source = env
        .and_then(|e| e.get("merged_from"))
        .and_then(Json::as_array)
        .and_then(|a| a.first());
    let text = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_string);
    match &part.run {
        Some(run) => Shape {
            conlab_version: run.conlab_version.clone(),
            experiment_sha256: Some(run.experiment_sha256.clone()),
            repetitions: Some(run.repetitions),
        },
        None => Shape {
            conlab_version: text(source.and_then(|s| s.get("conlab_version")))
                .unwrap_or_else(|| part.results.summary.conlab_version.clone()),
            experiment_sha256: text(source.and_then(|s| s.get("experiment_sha256")))
                .or_else(|| text(env.and_then(|e| e.get("experiment_sha256")))),
            repetitions: source
                .and_then(|s| s.get("repetitions"))
                .and_then(Json::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
        },
    }
}

/// The experiment a folder's `experiment.toml` describes; refused when it
/// is missing or does not parse.
fn experiment_of(part: &Part) -> Result<config::Experiment, MergeError> {
    let path = format!("{}/experiment.toml", part.dir.trim_end_matches('/'));
    let Some(text) = &part.results.experiment_text else {
        return Err(refuse(format!(
            "{path} is missing: conlab cannot tell that {} holds results of the same experiment as the others\n  = help: restore it from the run that wrote the folder",
            part.dir
        )));
    };
    config::from_text(&path, text, &part.results.summary.experiment)
        .map(|l| l.experiment)
        .map_err(|e| {
            let first = match &e {
                config::ConfigError::Invalid(d) => d
                    .items
                    .first()
                    .map(|i| crate::format::excerpt(&i.message, 200).into_owned())
                    .unwrap_or_default(),
                other => other.to_string(),
            };
            refuse(format!(
                "{path} does not parse ({first}): conlab cannot tell that {} holds results of the same experiment as the others, and would copy an invalid file into the merged results\n  = help: restore it from the run that wrote the folder; `conlab check {}` shows what is wrong",
                part.dir, part.dir
            ))
        })
}

/// What two folders must agree on: conlab's version and the repetitions
/// per cell, as far as both say.
fn same_shape(a: &Part, b: &Part) -> Result<(), MergeError> {
    let (sa, sb) = (shape(a), shape(b));
    if sa.conlab_version != sb.conlab_version {
        return Err(refuse(format!(
            "{} was measured by conlab {} and {} by conlab {}: a cell of one version is not a cell of the other\n  = help: run the experiment with one version of conlab for every folder you merge",
            a.dir, sa.conlab_version, b.dir, sb.conlab_version
        )));
    }
    if let (Some(ra), Some(rb)) = (sa.repetitions, sb.repetitions)
        && ra != rb
    {
        return Err(refuse(format!(
            "{} ran {ra} repetitions per cell and {} ran {rb}: merged, their cells would have {ra} and {rb} runs under one experiment file\n  = help: run every folder with the same --repetitions (or none), or merge only those that agree",
            a.dir, b.dir
        )));
    }
    Ok(())
}

/// A measured run, as merges know it: its cell's label (without a
/// machine), its repetition and what it measured. Two runs of conlab
/// never measure the same times to the nanosecond.
#[derive(PartialEq, Eq, Hash)]
struct RunKey {
    label: String,
    repetition: u32,
    measured: [u64; 4],
}

/// Refuses a measured run that two folders (or one folder twice) hold.
fn no_run_twice(parts: &[Part]) -> Result<(), MergeError> {
    let mut seen: HashMap<RunKey, usize> = HashMap::new();
    for (i, p) in parts.iter().enumerate() {
        let labels: HashMap<usize, &str> = p
            .results
            .summary
            .cells
            .iter()
            .map(|c| (c.cell, c.label.as_str()))
            .collect();
        for r in p.results.runs.iter().filter(|r| r.status == RunStatus::Ok) {
            let bits = |v: Option<f64>| v.map_or(u64::MAX, f64::to_bits);
            let label = labels.get(&r.cell).copied().unwrap_or("");
            let key = RunKey {
                label: label.to_string(),
                repetition: r.repetition,
                measured: [
                    bits(r.wall_ms),
                    bits(r.user_ms),
                    bits(r.sys_ms),
                    r.peak_rss_kb.unwrap_or(u64::MAX),
                ],
            };
            if let Some(&j) = seen.get(&key) {
                let other = &parts[j];
                let wall = r.wall_ms.map(crate::format::format_ms).unwrap_or_default();
                let (who, help) = if j == i || other.dir == p.dir {
                    (
                        format!(
                            "{} holds run {} of cell \"{label}\" ({wall}) twice",
                            p.dir, r.repetition
                        ),
                        format!(
                            "restore {}/runs.csv from the run that wrote it",
                            p.dir.trim_end_matches('/')
                        ),
                    )
                } else {
                    (
                        format!(
                            "{} and {} both hold run {} of cell \"{label}\" ({wall})",
                            other.dir, p.dir, r.repetition
                        ),
                        format!(
                            "one holds the other's runs (a merged folder holds the runs of the folders it was merged from): leave out {} or {}",
                            other.dir, p.dir
                        ),
                    )
                };
                return Err(refuse(format!(
                    "{who}: a measured run enters a merge once\n  = help: {help}"
                )));
            }
            seen.insert(key, i);
        }
    }
    Ok(())
}

/// Joins `parts` (at least one) into one results folder's contents.
pub fn merge(parts: Vec<Part>) -> Result<Merged, MergeError> {
    if parts.is_empty() {
        return Err(refuse(
            "nothing to merge: name two or more results folders".to_string(),
        ));
    }
    for p in &parts {
        experiment_of(p)?;
    }
    let labelled = parts.iter().any(|p| p.label.is_some());
    let parts = split_machines(parts)?;
    let Some(first) = parts.first() else {
        return Err(refuse(
            "nothing to merge: name two or more results folders".to_string(),
        ));
    };
    for p in &parts[1..] {
        same_experiment(first, p)?;
        same_shape(first, p)?;
    }
    no_run_twice(&parts)?;
    let one_run_of_shards = !labelled && parts.iter().all(|p| p.shard().is_some()) && {
        let shards: Vec<Shard> = parts.iter().filter_map(|p| p.shard()).collect();
        let count = shards[0].count;
        shards.iter().all(|s| s.count == count)
            && shards
                .iter()
                .enumerate()
                .all(|(i, s)| !shards[..i].contains(s))
    };
    // Machines in order of first appearance, each with its folders.
    let mut machines: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let name = if one_run_of_shards {
            host_of(first)
        } else {
            p.label.clone().unwrap_or_else(|| host_of(p))
        };
        match machines.iter_mut().find(|(m, _)| *m == name) {
            Some((_, folders)) => folders.push(i),
            None => machines.push((name, vec![i])),
        }
    }
    let axis = machines.len() > 1;
    // Each cell's place in the matrix, by label.
    let order: HashMap<String, usize> = experiment_of(first)
        .map(|e| {
            crate::matrix::expand(&e, first.results.summary.cores)
                .into_iter()
                .map(|c| (c.label(), c.index))
                .collect()
        })
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let mut cells: Vec<CellSummary> = Vec::new();
    let mut runs: Vec<RunRecord> = Vec::new();
    let mut groups: Vec<GroupRecord> = Vec::new();
    let mut timelines: Vec<Timeline> = Vec::new();
    let mut distributions: Vec<Distribution> = Vec::new();
    for (machine, folders) in &machines {
        // The machine's cells, each in one folder only: known by label (a
        // merged folder's cells are numbered machine after machine, so
        // their numbers are not the matrix's), in matrix order.
        let mut owner: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
        let mut by_label: HashMap<&str, usize> = HashMap::new();
        for &f in folders {
            for c in &parts[f].results.summary.cells {
                if let Some(&other) = by_label.get(c.label.as_str()) {
                    let help = if labelled || one_run_of_shards {
                        "give each folder its own machine name with --label NAME=DIR, or merge only one of them"
                    } else {
                        "they ran on the same host: give each its own machine name with --label NAME=DIR"
                    };
                    return Err(refuse(format!(
                        "{} and {} both hold cell \"{}\" of machine \"{machine}\": a machine's folders must hold different cells (shards of one run)\n  = help: {help}",
                        parts[other].dir, parts[f].dir, c.label
                    )));
                }
                by_label.insert(&c.label, f);
                let place = order.get(c.label.as_str()).copied().unwrap_or(c.cell);
                owner.insert((place, owner.len()), (f, c.cell));
            }
        }
        let mine: Vec<&Part> = folders.iter().map(|&f| &parts[f]).collect();
        let differ = differences(&mine);
        if !differ.is_empty() {
            warnings.push(format!(
                "the folders of machine \"{machine}\" ran on environments that differ, which can move their measurements apart:\n    {}\n  = help: if they are different machines, merge them with --label NAME=DIR for each, to keep them apart",
                differ.join("\n    ")
            ));
        }
        for (f, old) in owner.into_values() {
            let part = &parts[f];
            let Some(cell) = part.results.summary.cells.iter().find(|c| c.cell == old) else {
                continue;
            };
            let index = if axis { cells.len() } else { old };
            let mut cell = cell.clone();
            cell.cell = index;
            if axis {
                cell.label = machine_label(&cell, machine);
                cell.machine = Some(machine.clone());
            }
            for r in part.results.runs.iter().filter(|r| r.cell == old) {
                runs.push(RunRecord {
                    cell: index,
                    machine: cell.machine.clone(),
                    ..r.clone()
                });
            }
            for g in part.results.groups.iter().filter(|g| g.cell == old) {
                groups.push(GroupRecord {
                    cell: index,
                    ..g.clone()
                });
            }
            for t in part.results.timelines.iter().filter(|t| t.cell == old) {
                timelines.push(Timeline {
                    cell: index,
                    label: cell.label.clone(),
                    ..t.clone()
                });
            }
            for d in part.results.distributions.iter().filter(|d| d.cell == old) {
                distributions.push(Distribution {
                    cell: index,
                    label: cell.label.clone(),
                    ..d.clone()
                });
            }
            cells.push(cell);
        }
    }
    if one_run_of_shards {
        let count = parts[0].shard().map_or(1, |s| s.count);
        let missing: Vec<String> = (1..=count)
            .filter(|k| {
                !parts
                    .iter()
                    .any(|p| p.shard().is_some_and(|s| s.index == *k))
            })
            .map(|k| format!("{k}/{count}"))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "shard{} {} of the run {} missing: {} cells are not in the merged results\n  = help: merge again with the missing shards' folders",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                if missing.len() == 1 { "its" } else { "their" }
            ));
        }
    }
    // A shard may have run a cell without the sequential one of its point.
    fill_speedups(&mut cells);
    runs.sort_by_key(|r| (r.cell, r.repetition));
    groups.sort_by(|a, b| (a.cell, a.repetition, &a.group).cmp(&(b.cell, b.repetition, &b.group)));
    timelines.sort_by_key(|t| t.cell);
    distributions.sort_by_key(|d| d.cell);
    let merged_from: Vec<Json> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let machine = machines
                .iter()
                .find(|(_, f)| f.contains(&i))
                .map(|(m, _)| m.clone())
                .unwrap_or_default();
            let shape = shape(p);
            json!({
                "dir": p.dir,
                "machine": machine,
                "hostname": p.results.environment.as_ref().and_then(|e| e.get("hostname")).cloned().unwrap_or(Json::Null),
                "shard": p.shard().map(|s| s.to_string()),
                "conlab_version": shape.conlab_version,
                "experiment_sha256": shape.experiment_sha256,
                "repetitions": shape.repetitions,
            })
        })
        .collect();
    let environment = if axis {
        let mut by_machine = serde_json::Map::new();
        for (machine, folders) in &machines {
            let env = parts[folders[0]]
                .results
                .environment
                .clone()
                .unwrap_or(Json::Null);
            by_machine.insert(machine.clone(), env);
        }
        json!({ "merged_from": merged_from, "machines": by_machine })
    } else {
        let mut env = first
            .results
            .environment
            .clone()
            .unwrap_or_else(|| json!({}));
        if let Some(object) = env.as_object_mut() {
            object.insert("merged_from".to_string(), Json::Array(merged_from));
        }
        env
    };
    let s = &first.results.summary;
    Ok(Merged {
        summary: SummaryFile {
            experiment: s.experiment.clone(),
            description: s.description.clone(),
            conlab_version: s.conlab_version.clone(),
            cores: s.cores,
            cells,
        },
        runs,
        groups,
        timelines,
        distributions,
        experiment_text: first.results.experiment_text.clone(),
        environment,
        machines: machines
            .into_iter()
            .map(|(m, folders)| {
                (
                    m,
                    folders.into_iter().map(|f| parts[f].dir.clone()).collect(),
                )
            })
            .collect(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CellPlan, Measurement, summarize};
    use crate::{config, matrix};

    const EXPERIMENT: &str = "[experiment]\nname = \"e\"\n[[workload]]\nname = \"w\"\ntasks = [1, 2, 4]\n\
                              [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n";

    /// A folder of `text`'s cells that `keep` keeps, two runs each, run
    /// on `host` with `cores` cores.
    fn folder(text: &str, keep: impl Fn(usize) -> bool, host: &str, cores: u64) -> Results {
        let exp = match config::from_text("e.toml", text, "e") {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cells: Vec<_> = matrix::expand(&exp, 2)
            .into_iter()
            .filter(|c| keep(c.index))
            .collect();
        let mut runs = Vec::new();
        let mut plans = Vec::new();
        for cell in cells {
            let wall = if cell.model == "sequential" {
                10.0
            } else {
                5.0
            };
            for rep in 1..=2 {
                // Two runs never measure the same nanoseconds.
                static RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let nth = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let m = Measurement {
                    wall_ns: ((wall + f64::from(rep)) * 1e6) as u64 + nth,
                    ..Measurement::default()
                };
                runs.push(RunRecord::measured(&cell, rep, &m));
            }
            plans.push(CellPlan {
                group_io_latency_mean_ns: vec![0.0],
                requests: vec![None],
                io_latency_mean_ns: 0.0,
                baseline_ns: 0,
                predicted_ns: 1,
                skip: None,
                cell,
            });
        }
        let cells = summarize(&plans, &runs, &[]);
        Results {
            summary: SummaryFile {
                experiment: exp.name.clone(),
                description: String::new(),
                conlab_version: "0.1.0".to_string(),
                cores: 2,
                cells,
            },
            runs,
            groups: Vec::new(),
            timelines: Vec::new(),
            distributions: Vec::new(),
            experiment_text: Some(text.to_string()),
            environment: Some(json!({ "hostname": host, "usable_cores": cores, "cpu_model": "x" })),
        }
    }

    fn part(dir: &str, label: Option<&str>, shard: Option<Shard>, results: Results) -> Part {
        Part {
            dir: dir.to_string(),
            label: label.map(str::to_string),
            run: shard.map(|s| StartedRun {
                conlab_version: "0.1.0".to_string(),
                experiment_file: "e.toml".to_string(),
                experiment_sha256: "abc".to_string(),
                repetitions: 2,
                warmup: 0,
                filter: Vec::new(),
                shard: Some(s),
                cells: Vec::new(),
            }),
            results,
        }
    }

    fn shard(k: u32) -> Shard {
        Shard { index: k, count: 3 }
    }

    #[test]
    fn three_shards_join_into_the_whole_run() {
        let whole = folder(EXPERIMENT, |_| true, "a", 2);
        let parts: Vec<Part> = (1..=3)
            .map(|k| {
                let s = shard(k);
                let host = format!("node{k}");
                part(
                    &format!("s{k}"),
                    None,
                    Some(s),
                    folder(EXPERIMENT, |i| s.contains(i), &host, 2),
                )
            })
            .collect();
        let merged = merge(parts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.machines.len(), 1, "shards are one machine");
        assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
        let labels = |cells: &[CellSummary]| -> Vec<(usize, String)> {
            cells.iter().map(|c| (c.cell, c.label.clone())).collect()
        };
        assert_eq!(labels(&merged.summary.cells), labels(&whole.summary.cells));
        assert_eq!(merged.runs.len(), whole.runs.len());
        // Speedups over the sequential cell of another shard (the runs
        // differ by nanoseconds, as two runs do).
        let speedups: Vec<Option<f64>> = merged.summary.cells.iter().map(|c| c.speedup).collect();
        let expected: Vec<Option<f64>> = whole.summary.cells.iter().map(|c| c.speedup).collect();
        assert_eq!(speedups.len(), expected.len());
        for (got, want) in speedups.iter().zip(&expected) {
            assert!(
                matches!((got, want), (Some(g), Some(w)) if (g - w).abs() < 1e-5),
                "{speedups:?} against {expected:?}"
            );
        }
        assert!(merged.summary.cells.iter().all(|c| c.machine.is_none()));
        assert!(merged.runs.iter().all(|r| r.machine.is_none()));
        assert_eq!(merged.environment["merged_from"][2]["shard"], "3/3");
    }

    #[test]
    fn shards_that_differ_are_named_and_missing_ones_told() {
        let parts = vec![
            part(
                "s1",
                None,
                Some(shard(1)),
                folder(EXPERIMENT, |i| shard(1).contains(i), "n1", 2),
            ),
            part(
                "s3",
                None,
                Some(shard(3)),
                folder(EXPERIMENT, |i| shard(3).contains(i), "n3", 4),
            ),
        ];
        let merged = merge(parts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.warnings.len(), 2, "{:?}", merged.warnings);
        assert!(
            merged.warnings[0].contains("usable_cores: 2 (shard 1/3), 4 (shard 3/3)"),
            "{}",
            merged.warnings[0]
        );
        assert!(
            merged.warnings[1].starts_with("shard 2/3 of the run is missing"),
            "{}",
            merged.warnings[1]
        );
    }

    #[test]
    fn two_machines_get_a_machine_axis() {
        let parts = vec![
            part("a", None, None, folder(EXPERIMENT, |_| true, "laptop", 2)),
            part(
                "b",
                Some("server"),
                None,
                folder(EXPERIMENT, |_| true, "big", 64),
            ),
        ];
        let merged = merge(parts).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = merged.machines.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["laptop", "server"]);
        let cells = &merged.summary.cells;
        assert_eq!(cells.len(), 12);
        assert_eq!(cells[0].label, "w · sequential · tasks=1 machine=laptop");
        assert_eq!(cells[6].label, "w · sequential · tasks=1 machine=server");
        assert_eq!(cells[6].cell, 6);
        assert_eq!(cells[7].machine.as_deref(), Some("server"));
        assert!(
            merged
                .runs
                .iter()
                .filter(|r| r.cell == 7)
                .all(|r| r.machine.as_deref() == Some("server"))
        );
        // Speedups within each machine.
        assert!(cells.iter().all(|c| c.speedup.is_some()));
        assert!(merged.environment["machines"]["server"]["usable_cores"] == 64);
    }

    #[test]
    fn folders_that_cannot_be_joined_are_refused_with_the_reason() {
        let same_host = vec![
            part("a", None, None, folder(EXPERIMENT, |_| true, "lab", 2)),
            part("b", None, None, folder(EXPERIMENT, |_| true, "lab", 2)),
        ];
        let e = merge(same_host).map(|_| ()).unwrap_err();
        assert_eq!(
            e.0,
            "a and b both hold cell \"w · sequential · tasks=1\" of machine \"lab\": a machine's folders must hold different cells (shards of one run)\n  = help: they ran on the same host: give each its own machine name with --label NAME=DIR"
        );
        let other = EXPERIMENT.replace("name = \"e\"", "name = \"f\"");
        let e = merge(vec![
            part("a", None, None, folder(EXPERIMENT, |_| true, "x", 2)),
            part("b", None, None, folder(&other, |_| true, "y", 2)),
        ])
        .map(|_| ())
        .unwrap_err();
        assert!(
            e.0.starts_with("a holds results of experiment \"e\" and b of experiment \"f\""),
            "{e}"
        );
        let edited = EXPERIMENT.replace("[1, 2, 4]", "[1, 2, 8]");
        let e = merge(vec![
            part("a", None, None, folder(EXPERIMENT, |_| true, "x", 2)),
            part("b", None, None, folder(&edited, |_| true, "y", 2)),
        ])
        .map(|_| ())
        .unwrap_err();
        assert!(
            e.0.contains("different versions of experiment \"e\": workload \"w\" differs"),
            "{e}"
        );
    }

    /// `merged`'s contents as a folder (`Results`), as `conlab merge`
    /// writes and loads it.
    fn as_folder(merged: Merged, experiment: &str) -> Results {
        Results {
            summary: merged.summary,
            runs: merged.runs,
            groups: merged.groups,
            timelines: merged.timelines,
            distributions: merged.distributions,
            experiment_text: Some(experiment.to_string()),
            environment: Some(merged.environment),
        }
    }

    fn two_machines() -> Results {
        let merged = merge(vec![
            part("a", Some("a"), None, folder(EXPERIMENT, |_| true, "x", 2)),
            part("b", Some("b"), None, folder(EXPERIMENT, |_| true, "y", 2)),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        as_folder(merged, EXPERIMENT)
    }

    /// Issue 22: a merged folder merged again collapsed its machines into
    /// one named after the folder (labels `machine=a · machine=M1`,
    /// speedups across machines); its machines are kept.
    #[test]
    fn a_merged_folder_merged_again_keeps_its_machines() {
        let merged = merge(vec![
            part("M1", None, None, two_machines()),
            part("C", Some("c"), None, folder(EXPERIMENT, |_| true, "z", 2)),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = merged.machines.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let cells = &merged.summary.cells;
        assert_eq!(cells.len(), 18);
        assert_eq!(cells[0].label, "w · sequential · tasks=1 machine=a");
        assert_eq!(cells[6].label, "w · sequential · tasks=1 machine=b");
        assert_eq!(cells[12].label, "w · sequential · tasks=1 machine=c");
        assert!(
            cells
                .iter()
                .all(|c| c.label.matches("machine=").count() == 1)
        );
        // Each machine's speedups over its own sequential cells.
        for c in cells
            .iter()
            .filter(|c| c.kind == crate::config::ModelKind::Threads)
        {
            let sequential = cells
                .iter()
                .find(|s| {
                    s.kind == crate::config::ModelKind::Sequential
                        && s.machine == c.machine
                        && s.tasks == c.tasks
                })
                .and_then(|s| s.wall_median_ms);
            let expected = sequential.zip(c.wall_median_ms).map(|(s, w)| s / w);
            assert_eq!(c.speedup, expected, "{}", c.label);
        }
        assert!(merged.runs.iter().all(|r| r.machine.is_some()));
        assert_eq!(merged.runs.len(), 36);
    }

    /// Issue 22: `merge M1 A --label a=A` joined A's runs twice (135 rows
    /// for 45 runs).
    #[test]
    fn a_folder_merged_with_one_that_holds_its_runs_is_refused() {
        let a = folder(EXPERIMENT, |_| true, "x", 2);
        let m1 = merge(vec![
            part("A", Some("a"), None, a.clone()),
            part("B", Some("b"), None, folder(EXPERIMENT, |_| true, "y", 2)),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let first = a.runs[0]
            .wall_ms
            .map(crate::format::format_ms)
            .unwrap_or_default();
        let e = merge(vec![
            part("M1", None, None, as_folder(m1, EXPERIMENT)),
            part("A", Some("a"), None, a.clone()),
        ])
        .map(|_| ())
        .unwrap_err();
        assert_eq!(
            e.0,
            format!(
                "M1 and A both hold run 1 of cell \"w · sequential · tasks=1\" ({first}): a measured run enters a merge once\n  = help: one holds the other's runs (a merged folder holds the runs of the folders it was merged from): leave out M1 or A"
            )
        );
        // A copy of a folder is the same runs too, whatever its label.
        let e = merge(vec![
            part("A", Some("a"), None, a.clone()),
            part("A2", Some("b"), None, a),
        ])
        .map(|_| ())
        .unwrap_err();
        assert!(e.0.starts_with("A and A2 both hold run 1 of cell"), "{e}");
    }

    #[test]
    fn a_merged_folder_cannot_be_labelled_as_one_machine() {
        let e = merge(vec![
            part("M1", Some("m"), None, two_machines()),
            part("C", Some("c"), None, folder(EXPERIMENT, |_| true, "z", 2)),
        ])
        .map(|_| ())
        .unwrap_err();
        assert_eq!(
            e.0,
            "--label m=M1: M1 holds results of 2 machines (a, b), which keep their own names\n  = help: leave out --label for M1; its machines join as they are"
        );
    }

    /// Issue 22: shards run with different repetitions, or by different
    /// conlabs, merged as one machine.
    #[test]
    fn folders_that_ran_their_cells_differently_are_refused() {
        let shard_of = |k: u32, reps: u32, version: &str| {
            let s = shard(k);
            let mut p = part(
                &format!("s{k}"),
                None,
                Some(s),
                folder(EXPERIMENT, |i| s.contains(i), "n", 2),
            );
            if let Some(run) = p.run.as_mut() {
                run.repetitions = reps;
                run.conlab_version = version.to_string();
            }
            p
        };
        let e = merge(vec![shard_of(1, 5, "0.1.0"), shard_of(2, 3, "0.1.0")])
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.0,
            "s1 ran 5 repetitions per cell and s2 ran 3: merged, their cells would have 5 and 3 runs under one experiment file\n  = help: run every folder with the same --repetitions (or none), or merge only those that agree"
        );
        let e = merge(vec![shard_of(1, 5, "0.1.0"), shard_of(2, 5, "0.2.0")])
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.0,
            "s1 was measured by conlab 0.1.0 and s2 by conlab 0.2.0: a cell of one version is not a cell of the other\n  = help: run the experiment with one version of conlab for every folder you merge"
        );
    }

    /// Issue 22: a shard whose experiment.toml does not parse was merged
    /// without any check, and its file copied into the output.
    #[test]
    fn a_folder_whose_experiment_file_does_not_parse_is_refused() {
        let mut broken = folder(EXPERIMENT, |_| true, "x", 2);
        broken.experiment_text = Some("[[workload]\n\0\0\0".to_string());
        let e = merge(vec![part("a", None, None, broken)])
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.0.starts_with("a/experiment.toml does not parse (invalid TOML: "),
            "{e}"
        );
        assert!(
            e.0.ends_with(": conlab cannot tell that a holds results of the same experiment as the others, and would copy an invalid file into the merged results\n  = help: restore it from the run that wrote the folder; `conlab check a` shows what is wrong"),
            "{e}"
        );
        let mut missing = folder(EXPERIMENT, |_| true, "x", 2);
        missing.experiment_text = None;
        let e = merge(vec![part("a", None, None, missing)])
            .map(|_| ())
            .unwrap_err();
        assert!(e.0.starts_with("a/experiment.toml is missing"), "{e}");
    }
}
