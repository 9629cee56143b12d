//! Records the git commit and rustc version conlab was built from, for
//! `environment.json`.
//!
//! It reruns when HEAD or the index changes, found where git keeps them
//! (`git rev-parse --git-path`): in a worktree `.git` is a file, and a
//! `rerun-if-changed` on a missing `.git/HEAD` reran the script and rebuilt
//! conlab on every build. `git status` runs without optional locks so that
//! it never rewrites the index it watches.

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".to_string());
    let commit = output("git", &["rev-parse", "--short=12", "HEAD"])
        .unwrap_or_else(|| "unknown".to_string());
    let dirty = output(
        "git",
        &[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
    )
    .map(|s| !s.is_empty())
    .unwrap_or(false);
    println!("cargo:rustc-env=CONLAB_RUSTC_VERSION={version}");
    println!(
        "cargo:rustc-env=CONLAB_GIT_COMMIT={commit}{}",
        if dirty { "-dirty" } else { "" }
    );
    // Outside a git checkout (a source archive) nothing is watched: a
    // missing path would rerun the script on every build.
    for name in ["HEAD", "index"] {
        let path = output("git", &["rev-parse", "--git-path", name])
            .filter(|path| std::path::Path::new(path).exists());
        if let Some(path) = path {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
