//! The study note's claims, measured through the real binary on small
//! workloads. Margins are wide and ratio-based: these run on a noisy
//! 2-core machine. Each test holds a lock so they never share the cores.

mod common;

use common::*;

#[test]
fn io_bound_models_overlap_waits_and_sequential_adds_them_up() {
    let _cores = serial();
    let dir = tempdir();
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&fixture("io_small.toml"), &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    let sequential = median(&cells, "io", "sequential");
    // 6 tasks × 20 ms: sequential waits them one after another.
    assert!(
        (0.9 * 120.0..2.0 * 120.0).contains(&sequential),
        "sequential took {sequential} ms for 6 × 20 ms"
    );
    for model in ["threads", "thread-pool workers=6", "async"] {
        let m = median(&cells, "io", model);
        assert!(
            m < 0.5 * sequential,
            "{model} took {m} ms, sequential {sequential} ms"
        );
    }
}
