//! Parsing and validation of files conlab accepts: what each key reads
//! into, defaults, and the edges of what is allowed. What conlab says
//! about a file it refuses is pinned in `tests/ui/config/` (see
//! `messages.rs`), each refusal beside the files here that it borders.

use super::*;

fn ok(text: &str) -> Experiment {
    match from_text("exp.toml", text, "exp") {
        Ok(l) => l.experiment,
        Err(e) => panic!("expected a valid file, got:\n{e}"),
    }
}

const MINIMAL: &str = "[[workload]]\ntasks = 3\n[[model]]\nkind = \"threads\"\n";

#[test]
fn a_full_file_parses_into_the_schema() {
    let exp = ok(r#"
        [experiment]
        name = "동시성 실험"
        description = "the note's claims"
        repetitions = 7
        warmup = 0
        seed = 42
        timeout = "90s"

        [[workload]]
        name = "io-bound"
        tasks = [1, 10, 100]
        io_latency = { dist = "uniform", min = "10ms", max = "90ms" }
        cpu_cost = "1.5ms"
        rounds = 2

        [[workload]]
        name = "jitter"
        tasks = 5
        io_latency = [{ dist = "exponential", mean = "20ms" }, { dist = "normal", mean = "20ms", sd = "5ms" }, "250us"]

        [[model]]
        kind = "thread-pool"
        workers = [2, 8]
        name = "pool"

        [[model]]
        kind = "sequential"

        [[chart]]
        workload = "io-bound"
        y = "speedup"
        log_x = true
        width = 800
        height = 600
        models = ["pool"]
    "#);
    assert_eq!(exp.name, "동시성 실험");
    assert_eq!((exp.repetitions, exp.warmup, exp.seed), (7, 0, 42));
    assert_eq!(exp.timeout, Nanos(90_000_000_000));
    let w = &exp.workloads[0].groups[0];
    assert_eq!(w.tasks.values, [1, 10, 100]);
    assert_eq!(
        w.io_latency.values,
        [IoLatency::Uniform {
            min: Nanos(10_000_000),
            max: Nanos(90_000_000)
        }]
    );
    assert_eq!(w.cpu_cost.values, [Nanos(1_500_000)]);
    assert_eq!(w.rounds.values, [2]);
    assert_eq!(exp.workloads[1].groups[0].io_latency.values.len(), 3);
    assert_eq!(exp.models[0].name, "pool");
    assert_eq!(
        exp.models[0].workers.as_ref().map(|s| s.values.clone()),
        Some(vec![2, 8])
    );
    assert_eq!(exp.models[1].name, "sequential");
    assert_eq!(exp.charts[0].y, ChartY::Speedup);
    assert_eq!(exp.charts[0].log_x, Some(true));
    assert_eq!(exp.charts[0].models, ["pool"]);
}

#[test]
fn defaults_apply() {
    let exp = ok(MINIMAL);
    assert_eq!(exp.name, "exp");
    assert_eq!((exp.repetitions, exp.warmup, exp.seed), (5, 1, 0));
    assert_eq!(exp.timeout, Nanos(300_000_000_000));
    assert_eq!(exp.workloads[0].name, "workload-1");
    assert_eq!(exp.workloads[0].groups[0].rounds.values, [1]);
    assert_eq!(exp.workloads[0].io, IoKind::Sleep);
}

#[test]
fn derived_model_names_carry_fixed_parameters() {
    let exp = ok(
        "[[workload]]\ntasks = 3\n[[model]]\nkind = \"thread-pool\"\nworkers = 8\n\
                  [[model]]\nkind = \"thread-pool\"\nworkers = 2\n",
    );
    assert_eq!(exp.models[0].name, "thread-pool workers=8");
    assert_eq!(exp.models[1].name, "thread-pool workers=2");
}

/// Beside `chart_x_not_swept` in `tests/ui/config/`.
#[test]
fn a_chart_x_is_a_swept_axis() {
    let base = "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n";
    let ok_chart = ok(&format!(
        "{base}[[chart]]\nworkload = \"w\"\nx = \"tasks\"\ny = \"cpu\"\n"
    ));
    assert_eq!(
        ok_chart.charts[0].x,
        Some(crate::config::Axis::plain(crate::config::Field::Tasks))
    );
}

/// Issue 10's example of `[[workload.group]]`.
const CONVOY: &str = r#"
[[workload]]
name = "convoy"
io = "sleep"
[[workload.group]]
name = "cpu"
tasks = 1
cpu_cost = "400ms"
[[workload.group]]
name = "io"
tasks = 1
io_latency = "1ms"
cpu_cost = "20us"
rounds = [50, 200]
[[model]]
kind = "threads"
[[model]]
kind = "gil-threads"
"#;

#[test]
fn groups_are_read_in_file_order_with_their_own_fields() {
    let exp = ok(CONVOY);
    let w = &exp.workloads[0];
    assert!(w.grouped);
    assert_eq!(w.io, IoKind::Sleep);
    let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["cpu", "io"]);
    assert_eq!(w.groups[0].cpu_cost.values, [Nanos(400_000_000)]);
    assert_eq!(w.groups[0].rounds.values, [1], "defaults as a workload's");
    assert_eq!(
        w.groups[0].io_latency.values,
        [IoLatency::Fixed { value: Nanos(0) }]
    );
    assert_eq!(w.groups[1].rounds.values, [50, 200]);
    assert_eq!(
        w.swept(),
        [Axis::parse("io.rounds").unwrap_or(Axis::plain(Field::Tasks))]
    );
}

#[test]
fn a_workload_without_groups_is_one_group_named_after_it() {
    let exp = ok("[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n");
    let w = &exp.workloads[0];
    assert!(!w.grouped);
    assert_eq!(w.groups.len(), 1);
    assert_eq!(w.groups[0].name, "w");
    assert_eq!(w.swept(), [Axis::plain(Field::Tasks)]);
}

#[test]
fn groups_without_names_are_numbered() {
    let exp = ok(
        "[[workload]]\n[[workload.group]]\ntasks = 1\n[[workload.group]]\ntasks = 2\n\
                  [[model]]\nkind = \"threads\"\n",
    );
    let names: Vec<&str> = exp.workloads[0]
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(names, ["group-1", "group-2"]);
}

/// Beside `group_name_with_a_dot` (`;`, `=`, a space, a tab, empty) in
/// `tests/ui/config/`.
#[test]
fn group_names_may_be_of_any_script() {
    ok(
        "[[workload]]\n[[workload.group]]\nname = \"입출력-io_2\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
    );
}

/// Beside `too_many_task_rounds_in_numbered_groups` in `tests/ui/config/`
/// (each group alone within 10,000,000 task rounds, together not).
#[test]
fn the_task_round_bound_admits_every_group_together_at_the_limit() {
    let text = "[[workload]]\nname = \"w\"\n[[workload.group]]\ntasks = 1000\nrounds = 5000\n\
                [[workload.group]]\ntasks = 1000\nrounds = 5000\n[[model]]\nkind = \"threads\"\n";
    ok(text);
}

/// Beside `chart_x_group_axis_not_swept` and
/// `chart_x_plain_axis_of_a_grouped_workload` in `tests/ui/config/`.
#[test]
fn charts_take_group_axes() {
    let chart = |x: &str| format!("{CONVOY}[[chart]]\nworkload = \"convoy\"\nx = \"{x}\"\n");
    let exp = ok(&chart("io.rounds"));
    assert_eq!(exp.charts[0].x, Axis::parse("io.rounds"));
}

#[test]
fn every_experiment_and_fixture_still_reads() {
    for path in super::fuzz::sample_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if path.ends_with("typo.toml") {
            continue;
        }
        if let Err(e) = from_text(&path.display().to_string(), &text, "x") {
            panic!("{e}");
        }
    }
}

#[test]
fn claims_parse_with_their_points_limits_and_crossovers() {
    let exp = ok(r#"
        [[workload]]
        name = "io"
        tasks = [1, 10, 100]
        io_latency = "1ms"

        [[workload]]
        name = "mix"
        [[workload.group]]
        name = "cpu"
        tasks = 1
        cpu_cost = "10ms"
        [[workload.group]]
        name = "net"
        tasks = 2
        io_latency = "1ms"
        rounds = [5, 10]

        [[model]]
        kind = "sequential"
        [[model]]
        kind = "threads"
        [[model]]
        kind = "thread-pool"
        name = "pool"
        workers = [2, 4]

        [[claim]]
        text = "Threads overlap waits"
        workload = "io"
        model = "threads"
        at_most = { ratio = 0.4, of = "sequential" }
        where = [{ tasks = [10, 100] }, { tasks = 1 }]

        [[claim]]
        workload = "io"
        crossover = { of = "threads", and = "pool", axis = "tasks", between = [1, 10] }
        where = { workers = 2 }

        [[claim]]
        workload = "mix"
        model = "threads"
        metric = "wake_delay_p99"
        group = "net"
        between = ["1us", "500us"]
        where = { "net.rounds" = 5 }

        [[claim]]
        workload = "io"
        model = "pool"
        metric = "speedup"
        at_least = 1.5
    "#);
    let [ratio, crossover, wake, speedup] = exp.claims.as_slice() else {
        panic!("4 claims expected, got {:?}", exp.claims);
    };
    assert_eq!(ratio.text, "Threads overlap waits");
    assert_eq!(ratio.reference(), Some("sequential"));
    assert_eq!(ratio.at_most.as_ref().map(Limit::number), Some(0.4));
    assert_eq!(ratio.wheres.len(), 2);
    assert_eq!(ratio.line, 28);
    let x = crossover
        .crossover
        .as_ref()
        .map(|x| (x.of.as_str(), x.and.as_str()));
    assert_eq!(x, Some(("threads", "pool")));
    assert_eq!(
        crossover.text,
        "io: wall of threads and pool crosses between tasks = 1 and 10 at workers=2"
    );
    assert_eq!(wake.metric, Metric::WakeDelayP99);
    assert_eq!(wake.group.as_deref(), Some("net"));
    assert_eq!(wake.at_least.as_ref().map(Limit::number), Some(0.001));
    assert_eq!(wake.at_most.as_ref().map(Limit::number), Some(0.5));
    assert_eq!(
        wake.text,
        "mix · threads: wake_delay_p99 of group net between 1us and 500us at net.rounds=5"
    );
    assert_eq!(speedup.at_least, Some(Limit::Number(1.5)));
    assert_eq!(speedup.text, "io · pool: speedup ≥ 1.5");
}

#[test]
fn whole_numbers_with_a_sign_or_a_base_read_as_their_value() {
    let exp = ok(
        "[experiment]\nseed = +2\nwarmup = -0\n[[workload]]\ntasks = 0x10\n[[model]]\nkind = \"threads\"\n",
    );
    assert_eq!((exp.seed, exp.warmup), (2, 0), "warmup is 1 by default");
    assert_eq!(exp.workloads[0].groups[0].tasks.values, vec![16]);
}

/// Two workloads (`io` of one group, `mix` of two) and a pool that sweeps
/// its workers, for the checks of claims and charts against them.
const AGAINST: &str = "[[workload]]\nname = \"io\"\ntasks = [1, 10]\n\
    [[workload]]\nname = \"mix\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\n\
    [[workload.group]]\nname = \"net\"\ntasks = 2\n\
    [[model]]\nkind = \"sequential\"\n\
    [[model]]\nkind = \"thread-pool\"\nname = \"pool\"\nworkers = [2, 4]\n\
    [[model]]\nkind = \"thread-pool\"\nname = \"pool2\"\nworkers = 2\n";

#[test]
fn a_group_metric_on_a_workload_of_one_group_is_that_groups() {
    let exp = ok(&format!(
        "{AGAINST}[[claim]]\nworkload = \"io\"\nmodel = \"sequential\"\n\
         metric = \"completion_p50\"\nat_most = \"1s\"\n\
         [[chart]]\nworkload = \"io\"\ny = \"wake_p50\"\n\
         [[chart]]\nworkload = \"mix\"\ny = \"wake_p50\"\ngroup = \"net\"\n"
    ));
    let group = exp.workloads[0].groups[0].name.clone();
    assert_eq!(exp.claims[0].group, Some(group));
    assert_eq!(exp.charts.len(), 2);
}

/// Beside `claim_at_least_above_at_most` in `tests/ui/config/`.
#[test]
fn limits_may_be_equal_or_ordered() {
    let with = |limits: &str| {
        format!("{AGAINST}[[claim]]\nworkload = \"io\"\nmodel = \"sequential\"\n{limits}\n")
    };
    let exp = ok(&with("at_least = \"1ms\"\nat_most = \"1ms\""));
    assert_eq!(exp.claims[0].at_least, exp.claims[0].at_most);
    ok(&with("at_least = \"1ms\"\nat_most = \"2ms\""));
}

/// Beside `claim_ratio_of_a_swept_model_where_only_tasks` and
/// `claim_ratio_of_a_swept_model_from_a_model_of_its_kind` in
/// `tests/ui/config/`.
#[test]
fn a_ratio_of_a_swept_model_is_fixed_by_one_value_of_that_parameter() {
    let with = |wheres: &str| {
        format!(
            "{AGAINST}[[claim]]\nworkload = \"io\"\nmodel = \"pool2\"\n\
             at_most = {{ ratio = 1, of = \"pool\" }}\n{wheres}\n"
        )
    };
    ok(&with("where = { workers = 2 }"));
}

/// Beside `crossover_between_below_the_swept_values`,
/// `crossover_between_above_the_swept_values`,
/// `crossover_between_durations_outside_the_swept_values`,
/// `crossover_axis_of_a_group_on_a_workload_without_groups` and
/// `claim_where_group_axis_on_a_workload_without_groups` in
/// `tests/ui/config/`.
#[test]
fn a_crossover_range_may_touch_the_swept_values() {
    let with = |axis: &str, between: &str| {
        format!(
            "[[workload]]\nname = \"io\"\ntasks = [4, 10]\nio_latency = [\"1ms\", \"10ms\"]\n\
             [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n\
             [[claim]]\nworkload = \"io\"\ncrossover = {{ of = \"threads\", and = \"sequential\", \
             axis = \"{axis}\", between = {between} }}\n"
        )
    };
    ok(&with("tasks", "[2, 4]"));
    ok(&with("tasks", "[10, 20]"));
    ok(&with("io_latency", "[\"2ms\", \"5ms\"]"));
    let at = |wheres: &str| {
        format!(
            "[[workload]]\nname = \"io\"\ntasks = [4, 10]\n[[model]]\nkind = \"sequential\"\n\
             [[claim]]\nworkload = \"io\"\nmodel = \"sequential\"\nat_most = \"1s\"\n{wheres}\n"
        )
    };
    ok(&at("where = { tasks = 4 }"));
}

#[test]
fn an_experiment_keeps_its_file_and_needs_a_folder_name_only_from_the_file_name() {
    let text =
        "[experiment]\nname = \"given\"\n[[workload]]\ntasks = 3\n[[model]]\nkind = \"threads\"\n";
    // A default name (from the file name) that cannot name a folder does
    // not matter when the file gives its own.
    let exp = match from_text("dir/exp.toml", text, "a/b") {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(exp.name, "given");
    assert_eq!(exp.source_path, "dir/exp.toml");
    assert_eq!(exp.source_text, text);
    match from_text("dir/exp.toml", MINIMAL, "a/b") {
        Err(ConfigError::Invalid(d)) => assert!(
            d.to_string().contains(
                "the experiment has no [experiment] name, and the one its file name gives"
            ),
            "{d}"
        ),
        Ok(_) => panic!("a/b named a results folder"),
        Err(e) => panic!("unexpected error {e}"),
    }
}

/// Beside `claim_where_switch_interval_the_model_does_not_sweep`,
/// `claim_where_poll_interval_other_than_the_default` and
/// `claim_where_*_of_a_model_without_one` in `tests/ui/config/`.
#[test]
fn a_where_on_a_models_own_interval_takes_its_values_or_its_default() {
    let with = |model: &str, wheres: &str| {
        format!(
            "[[workload]]\nname = \"io\"\ntasks = 3\n\
             [[model]]\nkind = \"gil-threads\"\nswitch_interval = [\"1ms\", \"5ms\"]\n\
             [[model]]\nkind = \"polling\"\n[[model]]\nkind = \"threads\"\n\
             [[claim]]\nworkload = \"io\"\nmodel = \"{model}\"\nat_most = \"1s\"\n{wheres}\n"
        )
    };
    ok(&with(
        "gil-threads",
        "where = { switch_interval = \"1ms\" }",
    ));
    // polling's poll interval is its default, 0 (a busy spin), when the
    // file says none.
    ok(&with("polling", "where = { poll_interval = \"0ms\" }"));
}
