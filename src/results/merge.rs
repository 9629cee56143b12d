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

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::export::SummaryFile;
use super::load::Results;
use super::record::{Distribution, GroupRecord, RunRecord, Timeline};
use super::summary::{CellSummary, fill_speedups};
use crate::config;
use crate::matrix::Shard;

/// One folder to join.
pub struct Part {
    /// The folder as the user named it, for messages.
    pub dir: String,
    /// `--label NAME=DIR`, if given for it.
    pub label: Option<String>,
    /// The `--shard` its run recorded, if any.
    pub shard: Option<Shard>,
    pub results: Results,
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
            let who = match p.shard {
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

/// Joins `parts` (at least one) into one results folder's contents.
pub fn merge(parts: Vec<Part>) -> Result<Merged, MergeError> {
    let Some(first) = parts.first() else {
        return Err(refuse(
            "nothing to merge: name two or more results folders".to_string(),
        ));
    };
    for p in &parts[1..] {
        same_experiment(first, p)?;
    }
    let labelled = parts.iter().any(|p| p.label.is_some());
    let one_run_of_shards = !labelled && parts.iter().all(|p| p.shard.is_some()) && {
        let shards: Vec<Shard> = parts.iter().filter_map(|p| p.shard).collect();
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
    let mut warnings = Vec::new();
    let mut cells: Vec<CellSummary> = Vec::new();
    let mut runs: Vec<RunRecord> = Vec::new();
    let mut groups: Vec<GroupRecord> = Vec::new();
    let mut timelines: Vec<Timeline> = Vec::new();
    let mut distributions: Vec<Distribution> = Vec::new();
    for (machine, folders) in &machines {
        // The machine's cells by matrix index: each in one folder only.
        let mut owner: BTreeMap<usize, usize> = BTreeMap::new();
        for &f in folders {
            for c in &parts[f].results.summary.cells {
                if let Some(&other) = owner.get(&c.cell) {
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
                owner.insert(c.cell, f);
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
        for (old, f) in owner {
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
        let count = parts[0].shard.map_or(1, |s| s.count);
        let missing: Vec<String> = (1..=count)
            .filter(|k| !parts.iter().any(|p| p.shard.is_some_and(|s| s.index == *k)))
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
            json!({
                "dir": p.dir,
                "machine": machine,
                "hostname": p.results.environment.as_ref().and_then(|e| e.get("hostname")).cloned().unwrap_or(Json::Null),
                "shard": p.shard.map(|s| s.to_string()),
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
                let m = Measurement {
                    wall_ns: ((wall + f64::from(rep)) * 1e6) as u64,
                    ..Measurement::default()
                };
                runs.push(RunRecord::measured(&cell, rep, &m));
            }
            plans.push(CellPlan {
                group_io_latency_mean_ns: vec![0.0],
                requests: vec![None],
                interpreter: None,
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
            shard,
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
        // Speedups over the sequential cell of another shard.
        let speedups: Vec<Option<f64>> = merged.summary.cells.iter().map(|c| c.speedup).collect();
        let expected: Vec<Option<f64>> = whole.summary.cells.iter().map(|c| c.speedup).collect();
        assert_eq!(speedups, expected);
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
}
