//! The `node-*` models: the same workload run by a real Node.js, so its
//! event loop, timers, promises and `worker_threads` decide what happens.
//! `runner.js`, fixed JavaScript compiled into conlab, is started as
//! `node --input-type=commonjs -e <runner.js>` on the generic runner path
//! ([`external`](super::external)); this module says which program that
//! is, and finds and probes the Node.js that cells name.

use std::time::{Duration, Instant};

use super::external::Program;
use super::external::execute::{self, Bounds, End};
use crate::matrix::Cell;

/// The program every node model runs.
pub const RUNNER: &str = include_str!("runner.js");

/// The Node.js `node-*` cells use unless they name one.
pub const DEFAULT_NODE: &str = "node";

/// The oldest Node.js the runner is made for.
pub const MIN_MAJOR: u32 = 20;

/// How long `node --version` may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How the fix reads in every message.
pub const HOW_TO_INSTALL: &str = "install Node.js 20 or later (Debian and Ubuntu: `apt-get \
     install nodejs`, or a build from nodejs.org), or name one with node = \"...\" in \
     [experiment] or in the [[model]]";

/// The Node.js a cell runs in (its model's or the experiment's `node`,
/// else `node`).
pub fn node_of(cell: &Cell) -> &str {
    cell.node.as_deref().unwrap_or(DEFAULT_NODE)
}

/// The runner in `node`: `<node> --input-type=commonjs -e <runner.js>`.
pub fn program(node: &str) -> Program {
    Program {
        runner: format!("the Node.js runner (`{node}`)"),
        argv: vec![
            node.to_string(),
            "--input-type=commonjs".to_string(),
            "-e".to_string(),
            RUNNER.to_string(),
        ],
    }
}

/// Runs `node --version` and checks what it says: its version
/// (`v20.20.2`), or why the `node-*` cells cannot use it.
pub fn probe(node: &str) -> Result<String, String> {
    let argv = [node.to_string(), "--version".to_string()];
    let bounds = Bounds {
        stdout: 4096,
        stderr: 4096,
        deadline: Some(Instant::now() + PROBE_TIMEOUT),
    };
    let done = match execute::execute(&argv, Vec::new(), bounds) {
        Ok(done) => done,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("Node.js `{node}` not found; {HOW_TO_INSTALL}"));
        }
        Err(e) => {
            return Err(format!(
                "cannot start Node.js `{node}`: {e}; {HOW_TO_INSTALL}"
            ));
        }
    };
    let said = String::from_utf8_lossy(&done.stdout).trim().to_string();
    match done.end {
        End::Exited(status) if status.success() => judge(node, &said),
        End::Deadline { .. } => Err(format!(
            "Node.js `{node}` did not answer `--version` within {}s",
            PROBE_TIMEOUT.as_secs()
        )),
        _ => Err(format!(
            "`{node}` does not look like Node.js: `{node} --version` failed; {HOW_TO_INSTALL}"
        )),
    }
}

/// Whether what `node --version` said is a Node.js the runner can use.
fn judge(node: &str, said: &str) -> Result<String, String> {
    let major = said
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m >= MIN_MAJOR => Ok(said.to_string()),
        Some(_) => Err(format!(
            "`{node}` is Node.js {said}; the node-* models need Node.js {MIN_MAJOR} or newer"
        )),
        None => Err(format!(
            "`{node}` does not look like Node.js: `--version` said {said:?}; {HOW_TO_INSTALL}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_judged() {
        assert_eq!(judge("node", "v20.20.2"), Ok("v20.20.2".to_string()));
        assert_eq!(judge("node", "v22.1.0"), Ok("v22.1.0".to_string()));
        assert_eq!(
            judge("node18", "v18.19.0"),
            Err("`node18` is Node.js v18.19.0; the node-* models need Node.js 20 or newer".into())
        );
        assert!(judge("x", "Python 3.11").is_err_and(|e| e.contains("does not look like")));
    }

    #[test]
    fn a_missing_node_says_how_to_install_one() {
        let missing = probe("/nonexistent/conlab-test/node");
        assert_eq!(
            missing,
            Err(format!(
                "Node.js `/nonexistent/conlab-test/node` not found; {HOW_TO_INSTALL}"
            ))
        );
    }
}
