//! The `go-*` models: the same workload run by real goroutines, so Go's
//! scheduler, timers and preemption decide what happens. `runner.go`, Go
//! source compiled into conlab, is built on first use with the cell's Go
//! toolchain (`go` on PATH, or `go = "..."`) into conlab's cache directory
//! ([`build_cache`](super::build_cache)), keyed by the source's hash and the
//! Go version, with Go's own build cache there too; the binary then runs
//! on the generic runner path ([`external`](super::external)).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::build_cache::{self, built, digest, toolchain_version};
use super::external::Program;
use super::external::execute::{self, Bounds, End};
use crate::matrix::Cell;

/// The program every go model runs, as source.
pub const RUNNER: &str = include_str!("runner.go");

/// The Go toolchain `go-*` cells use unless they name one.
pub const DEFAULT_GO: &str = "go";

/// The oldest Go the runner builds with (it uses `sync.Mutex.TryLock`).
pub const MIN_MINOR: u32 = 18;

/// How long `go env GOVERSION` may take, and a build.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// How the fix reads in every message.
pub const HOW_TO_INSTALL: &str = "install Go 1.18 or later (Debian and Ubuntu: `apt-get install \
     golang-go`, or a release from go.dev/dl), or name one with go = \"...\" in [experiment] or \
     in the [[model]]";

/// The Go toolchain a cell builds its runner with.
pub fn go_of(cell: &Cell) -> &str {
    cell.go.as_deref().unwrap_or(DEFAULT_GO)
}

/// A built runner: the binary, the Go version that built it, and how long
/// the build took if this call made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub binary: PathBuf,
    pub version: String,
    pub build_seconds: Option<f64>,
}

/// The runner built by `go`: found in the cache, or built there now. The
/// error says why it cannot be, and how to fix it.
pub fn prepare(go: &str) -> Result<Built, String> {
    let cache = build_cache::cache_dir()?;
    let version = toolchain_version(&cache, go, ask_version).map_err(|e| {
        if e == "not found" {
            format!("Go `{go}` not found; {HOW_TO_INSTALL}")
        } else {
            format!("cannot use Go `{go}`: {e}; {HOW_TO_INSTALL}")
        }
    })?;
    judge(go, &version)?;
    let dir = cache.join("go").join(format!(
        "{version}-{}",
        digest(&[RUNNER.as_bytes(), version.as_bytes()], 16)
    ));
    let mut build_seconds = None;
    let dir = built(&dir, |into| {
        let started = Instant::now();
        build(go, &cache, into)?;
        build_seconds = Some(started.elapsed().as_secs_f64());
        Ok(())
    })?;
    Ok(Built {
        binary: dir.join("conlab-go-runner"),
        version,
        build_seconds,
    })
}

/// The runner for a cell: its binary, built first if need be.
pub fn program(go: &str) -> Result<Program, String> {
    let built = prepare(go)?;
    Ok(Program {
        runner: format!("the Go runner (built by `{go}`, {})", built.version),
        argv: vec![built.binary.display().to_string()],
    })
}

/// `go env GOVERSION`: `go1.19.8`.
fn ask_version(go: &std::path::Path) -> Result<String, String> {
    let argv = [
        go.display().to_string(),
        "env".to_string(),
        "GOVERSION".to_string(),
    ];
    let bounds = Bounds {
        stdout: 4096,
        stderr: 65536,
        deadline: Some(Instant::now() + PROBE_TIMEOUT),
    };
    let done = execute::execute_env(&argv, &toolchain_env(None), Vec::new(), bounds)
        .map_err(|e| format!("cannot start it: {e}"))?;
    let said = String::from_utf8_lossy(&done.stdout).trim().to_string();
    match done.end {
        End::Exited(s) if s.success() && !said.is_empty() => Ok(said),
        End::Deadline { .. } => Err(format!(
            "`go env GOVERSION` did not answer within {}s",
            PROBE_TIMEOUT.as_secs()
        )),
        _ => Err(format!(
            "`go env GOVERSION` failed ({})",
            crate::model::external::stderr_tail(&done.stderr).trim_start_matches(": ")
        )),
    }
}

/// What every go command conlab runs is told: no module of the directory
/// conlab runs in, no download of another toolchain, no cgo, and the build
/// cache inside conlab's.
fn toolchain_env(cache: Option<&std::path::Path>) -> Vec<(String, String)> {
    let mut env = vec![
        ("GO111MODULE".to_string(), "off".to_string()),
        ("GOWORK".to_string(), "off".to_string()),
        ("GOTOOLCHAIN".to_string(), "local".to_string()),
        ("GOFLAGS".to_string(), String::new()),
        ("CGO_ENABLED".to_string(), "0".to_string()),
    ];
    if let Some(cache) = cache {
        env.push((
            "GOCACHE".to_string(),
            cache.join("go-build").display().to_string(),
        ));
    }
    env
}

/// Builds the runner into `into` with `go`.
fn build(go: &str, cache: &std::path::Path, into: &std::path::Path) -> Result<(), String> {
    let source = into.join("runner.go");
    std::fs::write(&source, RUNNER)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let argv = [
        go.to_string(),
        "build".to_string(),
        "-trimpath".to_string(),
        "-o".to_string(),
        into.join("conlab-go-runner").display().to_string(),
        source.display().to_string(),
    ];
    let bounds = Bounds {
        stdout: 1 << 20,
        stderr: 1 << 20,
        deadline: Some(Instant::now() + BUILD_TIMEOUT),
    };
    let done = execute::execute_env(&argv, &toolchain_env(Some(cache)), Vec::new(), bounds)
        .map_err(|e| format!("cannot start Go `{go}` to build the runner: {e}"))?;
    match done.end {
        End::Exited(s) if s.success() => Ok(()),
        End::Deadline { .. } => Err(format!(
            "Go `{go}` did not build the runner within {}s",
            BUILD_TIMEOUT.as_secs()
        )),
        _ => Err(format!(
            "Go `{go}` could not build the runner{}",
            crate::model::external::stderr_tail(&done.stderr)
        )),
    }
}

/// Whether `version` (`go1.19.8`, `go1.22rc1`) builds the runner.
fn judge(go: &str, version: &str) -> Result<(), String> {
    let minor = version
        .strip_prefix("go1.")
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if m >= MIN_MINOR => Ok(()),
        Some(_) => Err(format!(
            "`{go}` is {version}; the go-* models need Go 1.{MIN_MINOR} or newer"
        )),
        None => Err(format!(
            "`{go}` does not look like Go: `go env GOVERSION` said {version:?}; {HOW_TO_INSTALL}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_judged() {
        assert_eq!(judge("go", "go1.19.8"), Ok(()));
        assert_eq!(judge("go", "go1.22rc1"), Ok(()));
        assert_eq!(
            judge("go", "go1.17.3"),
            Err("`go` is go1.17.3; the go-* models need Go 1.18 or newer".to_string())
        );
        assert!(judge("go", "devel").is_err_and(|e| e.contains("does not look like Go")));
    }

    #[test]
    fn a_missing_go_says_how_to_install_one() {
        assert_eq!(
            prepare("/nonexistent/conlab-test/go"),
            Err(format!(
                "Go `/nonexistent/conlab-test/go` not found; {HOW_TO_INSTALL}"
            ))
        );
    }
}
