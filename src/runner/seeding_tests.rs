//! Reproducibility pinned to literal values: the hash that seeds each
//! workload point, the seeds it gives, the first draws of each latency
//! distribution, and every model at one point waiting the same times.
//! A changed hash constant, seed derivation or random stream fails here
//! (comparing the functions with themselves would not notice).

use super::latency::{draw, stable_hash};
use super::*;
use crate::config::{self, IoLatency, Nanos};
use crate::matrix;

/// FNV-1a over the bytes of each part, each followed by 0xff, computed
/// independently (a ten-line Python loop) for these inputs.
#[test]
fn stable_hash_has_fixed_values() {
    assert_eq!(stable_hash(&[]), 0xcbf2_9ce4_8422_2325);
    assert_eq!(stable_hash(&["a"]), 0x089b_c907_b544_c769);
    assert_eq!(stable_hash(&["a", "b"]), 0xd2b3_7181_9297_f98a);
    assert_eq!(stable_hash(&["ab"]), 0xe720_2e19_0542_452f);
    assert_eq!(stable_hash(&["42", "io"]), 0x8d35_ea08_9f81_abc5);
}

/// The first draws of each distribution for a fixed seed, as this
/// version draws them (ChaCha8 seeded with `seed_from_u64`, rand_distr's
/// samplers), task by task.
#[test]
fn the_first_draws_of_each_distribution_are_fixed() {
    let ms = |v: u64| Nanos(v * 1_000_000);
    assert_eq!(
        draw(IoLatency::Fixed { value: ms(5) }, 2, 2, 7),
        [5_000_000; 4]
    );
    assert_eq!(
        draw(
            IoLatency::Uniform {
                min: ms(10),
                max: ms(90)
            },
            2,
            2,
            7
        ),
        [22_623_687, 23_439_149, 66_342_090, 68_139_304]
    );
    assert_eq!(
        draw(IoLatency::Exponential { mean: ms(20) }, 2, 2, 7),
        [3_166_417, 9_487_116, 42_973_380, 8_126_430]
    );
    assert_eq!(
        draw(
            IoLatency::Normal {
                mean: ms(20),
                sd: ms(5)
            },
            2,
            2,
            7
        ),
        [16_123_140, 13_082_891, 24_448_565, 21_798_895]
    );
}

fn experiment(text: &str) -> config::Experiment {
    match config::from_text("t.toml", text, "t") {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    }
}

/// Every model at one workload point waits the same times and gets the
/// same baseline; the seed depends on the point, not the model, and on
/// the experiment's seed; these are the values the default seed gives.
#[test]
fn every_model_at_one_point_waits_the_same_times() {
    let text = "[experiment]\nseed = 42\n\
                [[workload]]\nname = \"io\"\ntasks = [2, 3]\nrounds = 2\n\
                io_latency = { dist = \"exponential\", mean = \"20ms\" }\n\
                [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n\
                [[model]]\nkind = \"processes\"\nworkers = 2\n";
    let exp = experiment(text);
    let cells = matrix::expand(&exp, 2);
    let interpreters = crate::model::runtimes::Runtimes::probe_for(&cells);
    let prepared = prepare(&exp, cells, 2, &Limits::of_this_machine(), &interpreters);
    assert_eq!(prepared.len(), 6);
    let point = |tasks: u64| -> Vec<&Prepared> {
        prepared
            .iter()
            .filter(|p| p.plan.cell.tasks() == tasks)
            .collect()
    };
    for tasks in [2, 3] {
        let at = point(tasks);
        assert_eq!(at.len(), 3, "{tasks} tasks");
        let kinds: Vec<String> = at.iter().map(|p| p.plan.cell.kind.to_string()).collect();
        assert_eq!(kinds, ["sequential", "threads", "processes"]);
        for p in &at[1..] {
            assert_eq!(p.latencies(), at[0].latencies(), "{}", p.plan.cell.label());
            assert_eq!(p.plan.baseline_ns, at[0].plan.baseline_ns);
            assert_eq!(p.plan.io_latency_mean_ns, at[0].plan.io_latency_mean_ns);
        }
    }
    let (two, three) = (point(2)[0], point(3)[0]);
    let g2 = &two.plan.cell.groups[0];
    let g3 = &three.plan.cell.groups[0];
    // FNV-1a of ["42", "io|2|exp(mean 20ms)|0ms|2"] and its neighbours,
    // computed independently (the Python loop of the test above).
    assert_eq!(two.plan.cell.workload_key(), "io|2|exp(mean 20ms)|0ms|2");
    assert_eq!(
        group_seed(42, &two.plan.cell, g2),
        1_690_034_761_530_037_002
    );
    assert_eq!(
        group_seed(42, &three.plan.cell, g3),
        2_772_922_660_128_474_317
    );
    assert_eq!(
        group_seed(43, &two.plan.cell, g2),
        12_588_556_015_217_148_135
    );
    assert_eq!(
        two.latencies(),
        [3_274_303, 70_029_118, 13_616_321, 29_058_983]
    );
    assert_eq!(two.plan.baseline_ns, 115_978_725);
    assert_eq!(three.plan.baseline_ns, 77_915_192);
    // The baseline is the sum of the waits.
    assert_eq!(two.plan.baseline_ns, two.latencies().iter().sum::<u64>());
}
