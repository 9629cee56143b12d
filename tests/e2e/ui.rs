//! The real binary against the pinned messages of `tests/ui/config/`
//! (`src/config/messages.rs` runs them in-process and rewrites them with
//! `BLESS=1`): `conlab validate` on every case at once, from the
//! repository root, must print exactly the cases' `.stderr` files one
//! after another, nothing on stdout, and exit with status 2.

use std::path::Path;
use std::time::Duration;

use crate::common::*;

#[test]
fn validate_prints_every_pinned_message_and_exits_2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases: Vec<String> = std::fs::read_dir(root.join("tests/ui/config"))
        .unwrap_or_else(|e| panic!("cannot list tests/ui/config: {e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .map(|name| format!("tests/ui/config/{name}"))
        .collect();
    cases.sort();
    assert!(cases.len() > 100, "only {} cases", cases.len());
    let out = conlab()
        .current_dir(root)
        .arg("validate")
        .args(&cases)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut rest: &str = &stderr;
    for case in &cases {
        let expected_path = root.join(case).with_extension("stderr");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        let Some(after) = rest.strip_prefix(expected.as_str()) else {
            let shown: String = rest.chars().take(expected.len() + 200).collect();
            panic!(
                "conlab validate {case} prints:\n{shown}\n…but {} expects:\n{expected}\n\
                 (`cargo test --lib config::messages` shows whether the in-process \
                 rendering agrees)",
                expected_path.display()
            );
        };
        rest = after;
    }
    assert_eq!(rest, "", "conlab printed more than the cases expect");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(out.status.code(), Some(2));
}
