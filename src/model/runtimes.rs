//! The runtimes an experiment's runner cells need, found before anything
//! runs: the Python interpreters of its `python-*` cells
//! ([`Interpreters`]), the Node.js of its `node-*` cells and the programs
//! of its `custom` cells. `conlab validate` only locates them; `conlab
//! run` probes each once (an interpreter's and Node.js's version) and
//! times each runtime's start-up once. A cell whose runtime is missing or
//! unusable is skipped with the reason and how to install one; the other
//! cells run.
//!
//! And, for `conlab doctor`, every runtime this machine has, whatever an
//! experiment names ([`find`]): [`RUNTIMES`] lists what is looked for, one
//! row each, [`FINDERS`] the functions that look, one per family (one
//! search of the Python interpreters finds CPython, PyPy and gevent). A
//! new runtime (Go, the JVM) is a row there and a finder: doctor lists it
//! with no other change.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::external::execute::{self, Bounds, End};
use super::python::found::{FoundPython, pythons};
use super::python::{Interpreters, Located, locate, locate_for, program_of};
use super::{custom, go, java, node};
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
    /// Each Go toolchain named, and what it built (its version, and the
    /// build's time if this run made it) or why it cannot be used.
    go: BTreeMap<String, Result<String, String>>,
    /// Each JVM named, and what it is or why it cannot be used.
    java: BTreeMap<String, Result<(java::Jvm, Option<f64>), String>>,
}

/// A program named by cells, found without running it: `Ok` with nothing
/// known yet, or why it cannot be started.
fn found_program<T: Default>(name: &str, what: &str, how: &str) -> Result<T, String> {
    match locate(name) {
        Located::Executable(_) => Ok(T::default()),
        Located::NotExecutable(path) => Err(format!(
            "cannot start {what} `{name}`: {} is not an executable file; {how}",
            path.display()
        )),
        Located::Missing => Err(format!("{what} `{name}` not found; {how}")),
    }
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
        let mut go = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Go) {
            let name = go::go_of(cell);
            go.entry(name.to_string())
                .or_insert_with(|| found_program(name, "Go", go::HOW_TO_INSTALL));
        }
        let mut java = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Java) {
            let name = java::java_of(cell);
            java.entry(name.to_string()).or_insert_with(|| {
                found_program(name, "Java", java::HOW_TO_INSTALL).map(|()| (unknown_jvm(), None))
            });
        }
        Runtimes {
            python: Interpreters::from_located(&located),
            node,
            custom: custom_programs(cells),
            go,
            java,
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
        // The Go and Java runners are built here, before any run, so that
        // no build is ever timed (or counted in a worker's memory).
        let mut go = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Go) {
            let name = go::go_of(cell);
            if !go.contains_key(name) {
                let built = go::prepare(name).map(|b| match b.build_seconds {
                    Some(s) => format!("{} (runner built in {s:.1} s)", b.version),
                    None => b.version,
                });
                go.insert(name.to_string(), built);
            }
        }
        let mut java = BTreeMap::new();
        for cell in runner_cells(cells, Runtime::Java) {
            let name = java::java_of(cell);
            if !java.contains_key(name) {
                java.insert(
                    name.to_string(),
                    java::probe(name).map(|(jvm, classes)| (jvm, classes.build_seconds)),
                );
            }
        }
        Runtimes {
            python: Interpreters::probe_for(cells),
            node,
            custom: custom_programs(cells),
            go,
            java,
        }
    }

    /// Why `cell` cannot run, if its runtime is missing or unusable.
    pub fn skip_reason(&self, cell: &Cell) -> Option<String> {
        match cell.kind.runtime()? {
            Runtime::Python => self.python.skip_reason(cell),
            Runtime::Node => self.node.get(node::node_of(cell))?.clone().err(),
            Runtime::Custom => self.custom.get(custom_program(cell))?.clone(),
            Runtime::Go => self.go.get(go::go_of(cell))?.clone().err(),
            Runtime::Java => {
                let name = java::java_of(cell);
                match self.java.get(name)? {
                    Err(e) => Some(e.clone()),
                    // Located only (validate): the version is not known yet.
                    Ok((jvm, _)) if jvm.version.is_empty() => None,
                    Ok((jvm, _)) if cell.kind == crate::config::ModelKind::JavaVirtual => {
                        java::virtual_problem(name, jvm)
                    }
                    Ok(_) => None,
                }
            }
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

    /// Records each runtime's start-up, as [`startup_ms`] timed it, with
    /// what is known of the interpreters (their facts per cell).
    pub fn record_startup(&mut self, startup: &[(String, f64)]) {
        for (program, ms) in startup {
            self.python.set_startup(program, *ms);
        }
    }

    /// Each Go toolchain and what it built, for the environment record.
    pub fn describe_go(&self) -> Vec<(String, String)> {
        self.go
            .iter()
            .map(|(name, found)| {
                let what = match found {
                    Ok(version) => format!("Go {version}"),
                    Err(e) => e.clone(),
                };
                (name.clone(), what)
            })
            .collect()
    }

    /// Each JVM and what it is, for the environment record.
    pub fn describe_java(&self) -> Vec<(String, String)> {
        self.java
            .iter()
            .map(|(name, found)| {
                let what = match found {
                    Ok((jvm, None)) => jvm.to_string(),
                    Ok((jvm, Some(s))) => format!("{jvm} (runner compiled in {s:.1} s)"),
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
                    // The program that runs: for python-gevent, conlab's
                    // gevent environment made from the interpreter.
                    let name = program_of(cell);
                    let argv = vec![name.clone(), "-I".into(), "-c".into(), String::new()];
                    add(&name, argv);
                }
                Some(Runtime::Node) => {
                    let name = node::node_of(cell);
                    add(name, vec![name.into(), "-e".into(), String::new()]);
                }
                Some(Runtime::Java) => {
                    let name = java::java_of(cell);
                    add(name, vec![name.into(), "-version".into()]);
                }
                // A compiled program's start-up is the kernel's exec.
                Some(Runtime::Go | Runtime::Custom) | None => {}
            }
        }
        programs
    }
}

/// A JVM not probed yet.
fn unknown_jvm() -> java::Jvm {
    java::Jvm {
        feature: 0,
        version: String::new(),
        vendor: String::new(),
        virtual_threads: false,
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

/// A runtime doctor looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Installable {
    /// Its key in `conlab doctor --json`'s checks.
    pub key: &'static str,
    /// Its item in doctor's report.
    pub item: &'static str,
    /// The kinds that run in it.
    pub kinds: &'static str,
    /// How to get it, when none is found.
    pub install: &'static str,
}

/// Every runtime doctor looks for, in the order it lists them.
pub const RUNTIMES: &[Installable] = &[
    Installable {
        key: "python",
        item: "Python interpreters",
        kinds: "the python-* cells",
        install: "install CPython 3.8 or newer (e.g. `sudo apt install python3`, or `pyenv install \
                  3.13`), or name one with python = \"...\" in the experiment",
    },
    Installable {
        key: "pypy",
        item: "PyPy",
        kinds: "python-* cells with python = \"pypy3\"",
        install: "`sudo apt install pypy3` (Debian, Ubuntu), or `pyenv install pypy3.10`",
    },
    Installable {
        key: "gevent",
        item: "gevent",
        kinds: "the python-gevent cells",
        install: "`conlab install-gevent --python python3` makes a Python environment with gevent \
                  in conlab's cache directory (your Python stays as it is)",
    },
    Installable {
        key: "node",
        item: "Node.js",
        kinds: "the node-* cells",
        install: node::HOW_TO_INSTALL,
    },
];

/// One installation of a runtime.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    /// The [`Installable`]'s key.
    pub runtime: &'static str,
    /// How an experiment file names it (`python3.11`, a path, `node`).
    pub name: String,
    pub path: String,
    /// What it is (`CPython 3.11.7`, `v20.20.0`), or why conlab cannot use
    /// it.
    pub what: String,
    pub usable: bool,
}

/// The functions that look for runtimes: one per family.
const FINDERS: &[fn() -> Vec<Found>] = &[python_runtimes, node_runtimes];

/// Every installation of every runtime found.
pub fn find() -> Vec<Found> {
    FINDERS.iter().flat_map(|find| find()).collect()
}

/// CPython and PyPy, each interpreter found once; and gevent, once per
/// interpreter that imports it.
fn python_runtimes() -> Vec<Found> {
    pythons().into_iter().flat_map(python_found).collect()
}

fn python_found(p: FoundPython) -> Vec<Found> {
    let path = p.path.display().to_string();
    let found = |runtime, what: String, usable| Found {
        runtime,
        name: p.name.clone(),
        path: path.clone(),
        what,
        usable,
    };
    match &p.found {
        Err(e) => vec![found("python", e.to_string(), false)],
        Ok(i) => {
            let runtime = if i.implementation == "pypy" {
                "pypy"
            } else {
                "python"
            };
            let mut all = vec![found(runtime, i.describe(), true)];
            if let Some(version) = i.module("gevent") {
                all.push(found(
                    "gevent",
                    format!("gevent {version} in {}", i.describe()),
                    true,
                ));
            }
            all
        }
    }
}

/// Node.js on `PATH` (`node`, or Debian's older `nodejs`), each real file
/// once, asked its version as the node-* cells ask it.
fn node_runtimes() -> Vec<Found> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found: Vec<Found> = Vec::new();
    for name in ["node", "nodejs"] {
        let Some(at) = std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
        else {
            continue;
        };
        let real = at.canonicalize().unwrap_or_else(|_| at.clone());
        let real = real.display().to_string();
        if found.iter().any(|f| f.path == real) {
            continue;
        }
        let (what, usable) = match node::probe(&at.display().to_string()) {
            Ok(version) => (version, true),
            Err(why) => (why, false),
        };
        found.push(Found {
            runtime: "node",
            name: name.to_string(),
            path: real,
            what,
            usable,
        });
    }
    found
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
    fn a_missing_go_or_java_skips_its_cells_and_says_how_to_install() {
        let cells = cells(
            r#"
            [experiment]
            go = "/nonexistent/conlab-test/go"
            [[workload]]
            tasks = 1
            [[model]]
            kind = "go-goroutines"
            [[model]]
            kind = "go-pool"
            [[model]]
            kind = "java-virtual"
            java = "/nonexistent/conlab-test/java"
        "#,
        );
        for runtimes in [Runtimes::located(&cells), Runtimes::probe_for(&cells)] {
            let reasons: Vec<Option<String>> =
                cells.iter().map(|c| runtimes.skip_reason(c)).collect();
            let go = format!(
                "Go `/nonexistent/conlab-test/go` not found; {}",
                go::HOW_TO_INSTALL
            );
            assert_eq!(reasons[0].as_deref(), Some(go.as_str()));
            assert_eq!(reasons[1].as_deref(), Some(go.as_str()));
            assert_eq!(
                reasons[2],
                Some(format!(
                    "Java `/nonexistent/conlab-test/java` not found; {}",
                    java::HOW_TO_INSTALL
                ))
            );
        }
    }

    #[test]
    fn a_start_up_is_timed_and_a_failing_program_is_none() {
        let took = startup_ms(&["true".to_string()]);
        assert!(took.is_some_and(|ms| ms > 0.0 && ms < 5_000.0), "{took:?}");
        assert_eq!(startup_ms(&["false".to_string()]), None);
        assert_eq!(startup_ms(&["/nonexistent/conlab-test".to_string()]), None);
    }

    /// Every runtime a finder reports is one doctor lists.
    #[test]
    fn finders_report_listed_runtimes() {
        let keys: Vec<&str> = RUNTIMES.iter().map(|r| r.key).collect();
        assert_eq!(keys, ["python", "pypy", "gevent", "node"]);
        for f in node_runtimes() {
            assert!(keys.contains(&f.runtime), "{f:?}");
        }
    }
}
