//! The runtimes an experiment's runner cells need, found before anything
//! runs: the Python interpreters of its `python-*` cells
//! ([`Interpreters`]), the Node.js of its `node-*` cells and the programs
//! of its `custom` cells. `conlab validate` only locates them; `conlab
//! run` probes each once (an interpreter's and Node.js's version) and
//! times each runtime's start-up once. A cell whose runtime is missing or
//! unusable is skipped with the reason and how to install one; the other
//! cells run.

use std::collections::BTreeMap;
use std::time::Duration;

use super::external::execute::{self, Bounds, End};
use super::python::{Interpreters, Located, interpreter_of, locate, locate_for};
use super::{custom, node};
use crate::config::Runtime;
use crate::matrix::Cell;

/// What is known of every runtime the cells need.
#[derive(Debug, Default)]
pub struct Runtimes {
    pub python: Interpreters,
    /// Each Node.js named, and its version or why it cannot be used.
    node: BTreeMap<String, Result<String, String>>,
    /// Each custom runner's program, and why it cannot be started if it
    /// cannot.
    custom: BTreeMap<String, Option<String>>,
}

/// A custom runner's program, found without running it.
fn custom_problem(program: &str) -> Option<String> {
    match locate(program) {
        Located::Executable(_) => None,
        Located::NotExecutable(path) => Some(format!(
            "cannot start the custom runner `{program}`: {} is not an executable file; make it \
             executable (chmod +x) or name another in `command`",
            path.display()
        )),
        Located::Missing => Some(format!(
            "the custom runner `{program}` not found; give `command` a program on PATH or a path \
             to one (relative paths are from the directory conlab runs in)"
        )),
    }
}

fn runner_cells(cells: &[Cell], runtime: Runtime) -> impl Iterator<Item = &Cell> {
    cells
        .iter()
        .filter(move |c| c.kind.runtime() == Some(runtime))
}

fn custom_program(cell: &Cell) -> &str {
    cell.command
        .as_ref()
        .and_then(|c| c.first())
        .map_or("", String::as_str)
}

impl Runtimes {
    /// What can be known without running anything (`conlab validate`).
    pub fn located(cells: &[Cell]) -> Runtimes {
        let located = locate_for(cells);
        let mut node = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Node) {
            let name = node::node_of(cell);
            node.entry(name.to_string())
                .or_insert_with(|| match locate(name) {
                    Located::Executable(_) => Ok(String::new()),
                    Located::NotExecutable(path) => Err(format!(
                        "cannot start Node.js `{name}`: {} is not an executable file; {}",
                        path.display(),
                        node::HOW_TO_INSTALL
                    )),
                    Located::Missing => Err(format!(
                        "Node.js `{name}` not found; {}",
                        node::HOW_TO_INSTALL
                    )),
                });
        }
        Runtimes {
            python: Interpreters::from_located(&located),
            node,
            custom: custom_programs(cells),
        }
    }

    /// Probes every runtime the cells need, once each (`conlab run`).
    pub fn probe_for(cells: &[Cell]) -> Runtimes {
        let mut node = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Node) {
            let name = node::node_of(cell);
            if !node.contains_key(name) {
                node.insert(name.to_string(), node::probe(name));
            }
        }
        Runtimes {
            python: Interpreters::probe_for(cells),
            node,
            custom: custom_programs(cells),
        }
    }

    /// Why `cell` cannot run, if its runtime is missing or unusable.
    pub fn skip_reason(&self, cell: &Cell) -> Option<String> {
        match cell.kind.runtime()? {
            Runtime::Python => self.python.skip_reason(cell),
            Runtime::Node => self.node.get(node::node_of(cell))?.clone().err(),
            Runtime::Custom => self.custom.get(custom_program(cell))?.clone(),
        }
    }

    /// Each Node.js probed and its version (`v20.20.2`) or why it cannot
    /// be used, for the environment record.
    pub fn describe_node(&self) -> Vec<(String, String)> {
        self.node
            .iter()
            .map(|(name, found)| {
                let what = match found {
                    Ok(version) => format!("Node.js {version}"),
                    Err(e) => e.clone(),
                };
                (name.clone(), what)
            })
            .collect()
    }

    /// The runtimes whose start-up [`startup_ms`] times: each usable
    /// Python interpreter and Node.js, with an empty program for each.
    pub fn empty_programs(&self, cells: &[Cell]) -> Vec<(String, Vec<String>)> {
        let mut programs: Vec<(String, Vec<String>)> = Vec::new();
        let mut add = |name: &str, argv: Vec<String>| {
            if !programs.iter().any(|(n, _)| n == name) {
                programs.push((name.to_string(), argv));
            }
        };
        for cell in cells.iter().filter(|c| self.skip_reason(c).is_none()) {
            match cell.kind.runtime() {
                Some(Runtime::Python) => {
                    let name = interpreter_of(cell);
                    add(
                        name,
                        vec![name.into(), "-I".into(), "-c".into(), String::new()],
                    );
                }
                Some(Runtime::Node) => {
                    let name = node::node_of(cell);
                    add(name, vec![name.into(), "-e".into(), String::new()]);
                }
                Some(Runtime::Custom) | None => {}
            }
        }
        programs
    }
}

fn custom_programs(cells: &[Cell]) -> BTreeMap<String, Option<String>> {
    let mut found = BTreeMap::new();
    for cell in runner_cells(cells, Runtime::Custom) {
        let program = custom::program(cell);
        let name = program.argv.first().cloned().unwrap_or_default();
        found
            .entry(name.clone())
            .or_insert_with(|| custom_problem(&name));
    }
    found
}

/// How long `argv`, a runtime's empty program (`node -e ''`, `python3 -I
/// -c ''`), takes from start to exit, in ms: the least of three, so a
/// first start that reads the runtime's files from disk does not count.
/// `None` when it does not run.
pub fn startup_ms(argv: &[String]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for _ in 0..3 {
        let bounds = Bounds {
            stdout: 4096,
            stderr: 4096,
            deadline: Some(std::time::Instant::now() + Duration::from_secs(10)),
        };
        let started = std::time::Instant::now();
        let done = execute::execute(argv, Vec::new(), bounds).ok()?;
        let took = started.elapsed().as_secs_f64() * 1e3;
        if !matches!(done.end, End::Exited(s) if s.success()) {
            return None;
        }
        best = Some(best.map_or(took, |b: f64| b.min(took)));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::matrix;

    fn cells(text: &str) -> Vec<Cell> {
        match config::from_text("t.toml", text, "t") {
            Ok(loaded) => matrix::expand(&loaded.experiment, 2),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn missing_runtimes_skip_their_cells_and_say_how_to_install() {
        let cells = cells(
            r#"
            [experiment]
            node = "/nonexistent/conlab-test/node"
            [[workload]]
            tasks = 1
            [[model]]
            kind = "node-async"
            [[model]]
            kind = "custom"
            name = "missing"
            command = ["/nonexistent/conlab-test/runner", "--fast"]
            [[model]]
            kind = "custom"
            name = "found"
            command = ["sh", "-c", "exit 3"]
            [[model]]
            kind = "threads"
        "#,
        );
        for runtimes in [Runtimes::located(&cells), Runtimes::probe_for(&cells)] {
            let reasons: Vec<Option<String>> =
                cells.iter().map(|c| runtimes.skip_reason(c)).collect();
            assert_eq!(
                reasons[0].as_deref(),
                Some(
                    format!(
                        "Node.js `/nonexistent/conlab-test/node` not found; {}",
                        node::HOW_TO_INSTALL
                    )
                    .as_str()
                )
            );
            assert_eq!(
                reasons[1].as_deref(),
                Some(
                    "the custom runner `/nonexistent/conlab-test/runner` not found; give \
                     `command` a program on PATH or a path to one (relative paths are from the \
                     directory conlab runs in)"
                )
            );
            assert_eq!(reasons[2], None);
            assert_eq!(reasons[3], None);
        }
    }

    #[test]
    fn a_start_up_is_timed_and_a_failing_program_is_none() {
        let took = startup_ms(&["true".to_string()]);
        assert!(took.is_some_and(|ms| ms > 0.0 && ms < 5_000.0), "{took:?}");
        assert_eq!(startup_ms(&["false".to_string()]), None);
        assert_eq!(startup_ms(&["/nonexistent/conlab-test".to_string()]), None);
    }
}
