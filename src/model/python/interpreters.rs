//! The interpreters an experiment's `python-*` cells name: located without
//! running them (all `conlab validate` does), or probed once each when a
//! run starts, so that the cells of a missing, old or foreign interpreter
//! (or of one without a module their kind needs) are skipped with the
//! reason and the other cells run, and each cell's prediction and summary
//! know what its interpreter is.
//!
//! A cell names an interpreter (`python3.11`); the program that runs is
//! that interpreter, or for a kind that needs gevent conlab's gevent
//! environment made from it, when there is one ([`program_of`]).

use std::collections::HashMap;

use super::environments;
use super::interpreter::{self, Interpreter, InterpreterFacts, Located, ProbeError};
use crate::config::{DEFAULT_PYTHON, Gil, ModelKind, SharedMode};
use crate::matrix::Cell;

/// The interpreter `python-*` cells use unless they name one.
pub const DEFAULT_INTERPRETER: &str = DEFAULT_PYTHON;

/// The interpreter a cell names (its model's `python`, which the reader
/// fills from the experiment's, else `python3`).
pub fn interpreter_of(cell: &Cell) -> &str {
    cell.python.as_deref().unwrap_or(DEFAULT_INTERPRETER)
}

/// The program a python cell runs: conlab's environment made from its
/// interpreter when its kind needs a module from PyPI and that
/// environment exists, else the interpreter as named.
pub fn program_of(cell: &Cell) -> String {
    program_for(cell.kind, interpreter_of(cell))
}

/// The program `kind` runs under `interpreter` (as a file names it):
/// conlab's gevent environment made from it for a kind that needs gevent,
/// where there is one; else the interpreter itself.
pub fn program_for(kind: ModelKind, interpreter: &str) -> String {
    kind.needs_module()
        .and_then(|_| environments::gevent_python(interpreter))
        .map_or_else(|| interpreter.to_string(), |p| p.display().to_string())
}

/// One program the python cells run, and what asking it found.
#[derive(Debug)]
struct Probed {
    found: Result<Interpreter, ProbeError>,
    /// Its start-up on an empty program, in ms.
    startup_ms: Option<f64>,
}

/// What probing each distinct program found.
#[derive(Debug, Default)]
pub struct Interpreters {
    /// By program.
    probed: HashMap<String, Probed>,
    /// Each interpreter a cell names with the program it runs, in order of
    /// first use.
    uses: Vec<(String, String)>,
}

/// A program the python cells run, found without running it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The interpreter the cells name.
    pub name: String,
    /// What runs: `name`, or conlab's gevent environment made from it.
    pub program: String,
    pub at: Located,
}

/// Each distinct program the python cells among `cells` run, in order of
/// first use, and where it is; nothing is run.
pub fn locate_for(cells: &[Cell]) -> Vec<Program> {
    let mut found: Vec<Program> = Vec::new();
    for cell in cells.iter().filter(|c| c.kind.is_python()) {
        let program = program_of(cell);
        if !found.iter().any(|p| p.program == program) {
            found.push(Program {
                name: interpreter_of(cell).to_string(),
                at: interpreter::locate(&program),
                program,
            });
        }
    }
    found
}

/// A program and the modules its cells need it to import.
type ProgramModules = (String, Vec<&'static str>);
/// An interpreter as cells name it, and the program that runs for it.
type Use = (String, String);

/// Each program the python cells among `cells` run, with the modules
/// their kinds need it to import, in order of first use; and each
/// (interpreter, program) pair.
fn programs(cells: &[Cell]) -> (Vec<ProgramModules>, Vec<Use>) {
    let mut programs: Vec<ProgramModules> = Vec::new();
    let mut uses: Vec<Use> = Vec::new();
    for cell in cells.iter().filter(|c| c.kind.is_python()) {
        let program = program_of(cell);
        let use_ = (interpreter_of(cell).to_string(), program.clone());
        if !uses.contains(&use_) {
            uses.push(use_);
        }
        let index = match programs.iter().position(|(p, _)| *p == program) {
            Some(i) => i,
            None => {
                programs.push((program, Vec::new()));
                programs.len() - 1
            }
        };
        if let Some(module) = cell.kind.needs_module()
            && !programs[index].1.contains(&module)
        {
            programs[index].1.push(module);
        }
    }
    (programs, uses)
}

impl Interpreters {
    /// What `located` says without running anything: the cells of a
    /// missing or non-executable program cannot run; the others may.
    pub fn from_located(located: &[Program]) -> Interpreters {
        let probed = located
            .iter()
            .filter_map(|p| {
                let found = Err(p.at.problem(&p.program)?);
                Some((
                    p.program.clone(),
                    Probed {
                        found,
                        startup_ms: None,
                    },
                ))
            })
            .collect();
        Interpreters {
            probed,
            uses: Vec::new(),
        }
    }

    /// Probes every program the python cells among `cells` run, once
    /// each, and times its start-up; cells of conlab's own models start
    /// nothing.
    pub fn probe_for(cells: &[Cell]) -> Interpreters {
        Interpreters::probe_with(cells, interpreter::probe)
    }

    /// `probe_for` with the probe given (tests pass a fake): it answers a
    /// program and the modules to import with what the program is.
    pub fn probe_with(
        cells: &[Cell],
        mut probe: impl FnMut(&str, &[&str]) -> Result<Interpreter, ProbeError>,
    ) -> Interpreters {
        let (programs, uses) = programs(cells);
        let probed = programs
            .into_iter()
            .map(|(program, modules)| {
                let found = probe(&program, &modules);
                let startup_ms = None;
                (program, Probed { found, startup_ms })
            })
            .collect();
        Interpreters { probed, uses }
    }

    /// Records `program`'s start-up on an empty program, in ms, for its
    /// cells' facts.
    pub fn set_startup(&mut self, program: &str, ms: f64) {
        if let Some(probed) = self.probed.get_mut(program) {
            probed.startup_ms = Some(ms);
        }
    }

    /// Each probed program and what it is (`CPython 3.11.7`) or why it
    /// cannot be used, sorted by name, for the environment record.
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .probed
            .iter()
            .map(|(name, probed)| {
                let what = match &probed.found {
                    Ok(interpreter) => interpreter.describe(),
                    Err(e) => e.to_string(),
                };
                (name.clone(), what)
            })
            .collect();
        all.sort();
        all
    }

    /// What each interpreter the cells name is, as each program that runs
    /// for it described itself, in order of first use: the environment
    /// record's `interpreters`.
    pub fn facts(&self) -> Vec<InterpreterFacts> {
        self.uses
            .iter()
            .filter_map(|(name, program)| self.facts_of(name, program))
            .collect()
    }

    fn facts_of(&self, name: &str, program: &str) -> Option<InterpreterFacts> {
        let probed = self.probed.get(program)?;
        let found = probed.found.as_ref().ok()?;
        Some(InterpreterFacts::of(
            name,
            program,
            found,
            probed.startup_ms,
        ))
    }

    fn found(&self, cell: &Cell) -> Option<&Interpreter> {
        self.probed.get(&program_of(cell))?.found.as_ref().ok()
    }

    /// What `cell`'s interpreter is, if it is a python cell whose
    /// interpreter answered.
    pub fn facts_for(&self, cell: &Cell) -> Option<InterpreterFacts> {
        if !cell.kind.is_python() {
            return None;
        }
        self.facts_of(interpreter_of(cell), &program_of(cell))
    }

    /// Whether `cell`'s runtime runs its threads under a GIL: what its
    /// interpreter said, and a GIL where nothing was asked (conlab's own
    /// models, which do not ask, and interpreters not probed).
    pub fn gil(&self, cell: &Cell) -> Gil {
        self.found(cell).map_or(Gil::On, |i| i.gil)
    }

    /// Why `cell` cannot run, if its interpreter failed the probe, lacks
    /// a module its kind needs, or runs without a GIL a counter relies on.
    pub fn skip_reason(&self, cell: &Cell) -> Option<String> {
        if !cell.kind.is_python() {
            return None;
        }
        let name = interpreter_of(cell);
        let found = match &self.probed.get(&program_of(cell))?.found {
            Err(e) => return Some(e.to_string()),
            Ok(found) => found,
        };
        if let Some(module) = cell.kind.needs_module()
            && found.module(module).is_none()
        {
            return Some(missing_module(cell, name, module));
        }
        let atomic = cell.groups.iter().any(|g| g.shared == SharedMode::Atomic);
        (atomic && found.gil == Gil::Off).then(|| {
            format!(
                "shared = \"atomic\" is not supported by {} under `{name}`, which runs without a \
                 GIL: the runner's atomic increment (next() of an itertools.count) is atomic only \
                 under one; use shared = \"locked\", or an interpreter with a GIL",
                cell.kind
            )
        })
    }
}

/// Why a cell whose interpreter cannot import `module` is skipped, and how
/// to get it without changing that interpreter.
fn missing_module(cell: &Cell, name: &str, module: &str) -> String {
    let place = environments::gevent_environment(name).map_or_else(
        || "conlab's cache directory".to_string(),
        |p| p.display().to_string(),
    );
    format!(
        "`{name}` cannot import {module}, which {} needs: run `conlab install-gevent --python \
         {name}` (it makes a Python environment with {module} from `{name}` in {place} and \
         leaves `{name}` as it is), or name an interpreter that has {module} with python = \
         \"...\"",
        cell.kind
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::matrix;

    fn cells() -> Vec<Cell> {
        let text = r#"
            [experiment]
            python = "python3.99"
            [[workload]]
            tasks = [1, 2]
            [[model]]
            kind = "python-threads"
            [[model]]
            kind = "python-sequential"
            python = "/opt/py/bin/python3"
            [[model]]
            kind = "threads"
        "#;
        match config::from_text("t.toml", text, "t") {
            Ok(loaded) => matrix::expand(&loaded.experiment, 2),
            Err(e) => panic!("{e}"),
        }
    }

    fn cpython(minor: u32, gil: Gil) -> Interpreter {
        Interpreter {
            implementation: "cpython".into(),
            version: (3, minor, 0),
            gil,
            modules: Vec::new(),
        }
    }

    #[test]
    fn each_interpreter_is_probed_once_and_only_python_cells_skip() {
        let cells = cells();
        let mut asked = Vec::new();
        let mut found = Interpreters::probe_with(&cells, |name, modules| {
            asked.push((name.to_string(), modules.len()));
            if name == "python3.99" {
                Err(ProbeError::NotFound {
                    interpreter: name.to_string(),
                })
            } else {
                Ok(cpython(12, Gil::On))
            }
        });
        found.set_startup("/opt/py/bin/python3", 20.0);
        asked.sort();
        assert_eq!(
            asked,
            [
                ("/opt/py/bin/python3".to_string(), 0),
                ("python3.99".to_string(), 0)
            ]
        );
        let reasons: Vec<Option<String>> = cells.iter().map(|c| found.skip_reason(c)).collect();
        assert!(
            reasons[0]
                .as_deref()
                .is_some_and(|r| r.contains("`python3.99` not found"))
        );
        assert_eq!(reasons[1], None);
        assert_eq!(reasons[2], None);
        let facts = found.facts_for(&cells[1]);
        assert_eq!(
            facts,
            Some(InterpreterFacts {
                name: "/opt/py/bin/python3".into(),
                program: "/opt/py/bin/python3".into(),
                implementation: "CPython".into(),
                version: "3.12.0".into(),
                gil: true,
                gevent: None,
                startup_ms: Some(20.0),
            })
        );
        assert_eq!(found.facts_for(&cells[0]), None);
        assert_eq!(found.facts_for(&cells[2]), None);
        assert_eq!(found.facts().len(), 1);
    }

    #[test]
    fn python3_is_the_default() {
        let mut cell = cells().remove(0);
        cell.python = None;
        assert_eq!(interpreter_of(&cell), "python3");
        assert_eq!(program_of(&cell), "python3");
    }

    /// A free-threaded interpreter's GIL state reaches the prediction; a
    /// counter that relies on the GIL is skipped there, saying why.
    #[test]
    fn a_free_threaded_interpreter_has_no_gil_and_no_atomic_counter() {
        let text = r#"
            [[workload]]
            tasks = 2
            shared = ["locked", "atomic"]
            [[model]]
            kind = "python-threads"
            python = "python3.13t"
            [[model]]
            kind = "threads"
        "#;
        let cells = match config::from_text("t.toml", text, "t") {
            Ok(loaded) => matrix::expand(&loaded.experiment, 2),
            Err(e) => panic!("{e}"),
        };
        let found = Interpreters::probe_with(&cells, |_, _| Ok(cpython(13, Gil::Off)));
        let gils: Vec<Gil> = cells.iter().map(|c| found.gil(c)).collect();
        assert_eq!(gils, [Gil::Off, Gil::On, Gil::Off, Gil::On]);
        assert_eq!(found.skip_reason(&cells[0]), None);
        assert_eq!(
            found.skip_reason(&cells[2]).as_deref(),
            Some(
                "shared = \"atomic\" is not supported by python-threads under `python3.13t`, \
                 which runs without a GIL: the runner's atomic increment (next() of an \
                 itertools.count) is atomic only under one; use shared = \"locked\", or an \
                 interpreter with a GIL"
            )
        );
        assert_eq!(found.skip_reason(&cells[3]), None);
    }

    /// A gevent cell asks its program whether gevent imports, and without
    /// it is skipped with the command that makes an environment that has.
    #[test]
    fn a_gevent_cell_without_gevent_says_how_to_get_it() {
        let text = r#"
            [[workload]]
            tasks = 2
            [[model]]
            kind = "python-gevent"
            python = "/nonexistent/conlab-test/python3"
            [[model]]
            kind = "python-asyncio"
            python = "/nonexistent/conlab-test/python3"
        "#;
        let cells = match config::from_text("t.toml", text, "t") {
            Ok(loaded) => matrix::expand(&loaded.experiment, 2),
            Err(e) => panic!("{e}"),
        };
        let mut asked = Vec::new();
        let found = Interpreters::probe_with(&cells, |name, modules| {
            let modules: Vec<String> = modules.iter().map(|m| m.to_string()).collect();
            asked.push((name.to_string(), modules.clone()));
            let mut i = cpython(11, Gil::On);
            i.modules = modules.into_iter().map(|m| (m, None)).collect();
            Ok(i)
        });
        assert_eq!(
            asked,
            [(
                "/nonexistent/conlab-test/python3".to_string(),
                vec!["gevent".to_string()]
            )]
        );
        let reason = found.skip_reason(&cells[0]).unwrap_or_default();
        assert!(
            reason.starts_with(
                "`/nonexistent/conlab-test/python3` cannot import gevent, which python-gevent \
                 needs: run `conlab install-gevent --python /nonexistent/conlab-test/python3` \
                 (it makes a Python environment with gevent from"
            ),
            "{reason}"
        );
        assert_eq!(found.skip_reason(&cells[1]), None);
    }
}
