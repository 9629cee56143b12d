//! The interpreters an experiment's `python-*` cells name: located without
//! running them (all `conlab validate` does), or probed once when a run
//! starts, so that the cells of a missing, old or foreign interpreter are
//! skipped with the reason and the other cells run.

use std::collections::HashMap;

use super::interpreter::{self, Interpreter, Located, ProbeError};
use crate::matrix::Cell;

/// The interpreter `python-*` cells use unless they name one.
pub const DEFAULT_INTERPRETER: &str = "python3";

/// The interpreter a cell runs in (its model's or the experiment's
/// `python`, else `python3`).
pub fn interpreter_of(cell: &Cell) -> &str {
    cell.python.as_deref().unwrap_or(DEFAULT_INTERPRETER)
}

/// What probing each distinct interpreter found.
#[derive(Debug, Default)]
pub struct Interpreters {
    probed: HashMap<String, Result<Interpreter, ProbeError>>,
}

/// Each distinct interpreter the python cells among `cells` name, in
/// order of first use, and where it is; nothing is run.
pub fn locate_for(cells: &[Cell]) -> Vec<(String, Located)> {
    let mut found: Vec<(String, Located)> = Vec::new();
    for cell in cells.iter().filter(|c| c.kind.is_python()) {
        let name = interpreter_of(cell);
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_string(), interpreter::locate(name)));
        }
    }
    found
}

impl Interpreters {
    /// What `located` says without running anything: the cells of a
    /// missing or non-executable interpreter cannot run; the others may.
    pub fn from_located(located: &[(String, Located)]) -> Interpreters {
        let probed = located
            .iter()
            .filter_map(|(name, at)| Some((name.clone(), Err(at.problem(name)?))))
            .collect();
        Interpreters { probed }
    }

    /// Probes every interpreter the python cells among `cells` name, once
    /// each; cells of conlab's own models start nothing.
    pub fn probe_for(cells: &[Cell]) -> Interpreters {
        Interpreters::probe_with(cells, interpreter::probe)
    }

    /// `probe_for` with the probe given (tests pass a fake).
    pub fn probe_with(
        cells: &[Cell],
        mut probe: impl FnMut(&str) -> Result<Interpreter, ProbeError>,
    ) -> Interpreters {
        let mut probed = HashMap::new();
        for cell in cells.iter().filter(|c| c.kind.is_python()) {
            let name = interpreter_of(cell);
            if !probed.contains_key(name) {
                probed.insert(name.to_string(), probe(name));
            }
        }
        Interpreters { probed }
    }

    /// Each probed interpreter and what it is (`CPython 3.11.7`) or why it
    /// cannot be used, sorted by name, for the environment record.
    pub fn describe(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .probed
            .iter()
            .map(|(name, found)| {
                let what = match found {
                    Ok(interpreter) => interpreter.describe(),
                    Err(e) => e.to_string(),
                };
                (name.clone(), what)
            })
            .collect();
        all.sort();
        all
    }

    /// Why `cell` cannot run, if its interpreter failed the probe.
    pub fn skip_reason(&self, cell: &Cell) -> Option<String> {
        if !cell.kind.is_python() {
            return None;
        }
        match self.probed.get(interpreter_of(cell)) {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        }
    }
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

    #[test]
    fn each_interpreter_is_probed_once_and_only_python_cells_skip() {
        let cells = cells();
        let mut asked = Vec::new();
        let found = Interpreters::probe_with(&cells, |name| {
            asked.push(name.to_string());
            if name == "python3.99" {
                Err(ProbeError::NotFound {
                    interpreter: name.to_string(),
                })
            } else {
                Ok(Interpreter {
                    implementation: "cpython".into(),
                    version: (3, 12, 0),
                })
            }
        });
        asked.sort();
        assert_eq!(asked, ["/opt/py/bin/python3", "python3.99"]);
        let reasons: Vec<Option<String>> = cells.iter().map(|c| found.skip_reason(c)).collect();
        assert!(
            reasons[0]
                .as_deref()
                .is_some_and(|r| r.contains("`python3.99` not found"))
        );
        assert_eq!(reasons[1], None);
        assert_eq!(reasons[2], None);
    }

    #[test]
    fn python3_is_the_default() {
        let mut cell = cells().remove(0);
        cell.python = None;
        assert_eq!(interpreter_of(&cell), "python3");
    }
}
