//! How quiet the machine was (issue 15): the noise columns of `runs.csv`
//! and the summary, and results written before they existed.

use crate::common::*;

const SHORT: &str = r#"
[experiment]
name = "short"
repetitions = 3
warmup = 0

[[workload]]
name = "io"
tasks = [1, 3]
io_latency = "2ms"

[[model]]
kind = "sequential"

[[model]]
kind = "threads"
"#;

const NOISE_COLUMNS: [&str; 3] = ["steal_ms", "foreign_cpu_ms", "load_1m"];

fn header(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let first = text.lines().next().unwrap_or_default();
    first.split(',').map(str::to_string).collect()
}

fn number(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|e| panic!("{key} = {:?} is not a number: {e}", row[key]))
}

#[test]
fn runs_csv_ends_with_non_negative_noise_columns_and_the_summary_has_their_medians() {
    let dir = tempdir();
    let file = write(dir.path(), "short.toml", SHORT);
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let columns = header(&out.join("runs.csv"));
    assert_eq!(columns[columns.len() - 3..], NOISE_COLUMNS);
    assert_eq!(columns[..4], ["cell", "workload", "model", "variant"]);
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 4 * 3);
    for r in &runs {
        for key in NOISE_COLUMNS {
            assert!(number(r, key) >= 0.0, "{key} negative in {r:?}");
        }
    }
    let summary_columns = header(&out.join("summary.csv"));
    assert_eq!(
        summary_columns[summary_columns.len() - 3..],
        ["steal_median_ms", "foreign_cpu_median_ms", "load_1m_median"]
    );
    for c in summary(&out) {
        for key in ["steal_median_ms", "foreign_cpu_median_ms", "load_1m_median"] {
            let v = c[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} missing in {c}"));
            assert!(v >= 0.0, "{key} negative in {c}");
        }
    }
}

/// `tests/fixtures/results-before-noise` holds the `three-tasks` cells of a
/// seed run by conlab 0.1.0 before the noise columns existed: its
/// `runs.csv` rows, `summary.json` cells, `environment.json` and
/// `experiment.toml`, as that version wrote them.
#[test]
fn results_written_before_the_noise_columns_still_plot_and_compare() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    copy_dir(&fixture("results-before-noise"), &a);
    copy_dir(&fixture("results-before-noise"), &b);
    assert!(!header(&a.join("runs.csv")).contains(&"foreign_cpu_ms".to_string()));
    let plotted = conlab()
        .arg("plot")
        .arg(&a)
        .arg("--quiet")
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    assert_eq!(
        plotted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plotted.stderr)
    );
    let report = std::fs::read_to_string(a.join("report.md")).unwrap_or_default();
    assert!(report.contains("three-tasks · threads"), "{report}");
    assert!(!report.contains("**busy machine**"), "{report}");
    let compared = conlab()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(dir.path().join("cmp"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    let stdout = String::from_utf8_lossy(&compared.stdout);
    assert_eq!(
        compared.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&compared.stderr)
    );
    assert!(stdout.contains("no significant difference"), "{stdout}");
    assert!(!stdout.contains("busy"), "{stdout}");
}
