//! Parsing and validation, checked against the exact messages users see.

use super::*;

fn errors(text: &str) -> String {
    match from_text("exp.toml", text, "exp") {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(ConfigError::Invalid(d)) => d.to_string(),
        Err(e) => panic!("unexpected error {e}"),
    }
}

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

#[test]
fn unknown_key_suggests_the_right_one() {
    let text = "[[workload]]\ntasks = 3\nio_latancy = \"50ms\"\n[[model]]\nkind = \"threads\"\n";
    assert_eq!(
        errors(text),
        "error: unknown key `io_latancy` in [[workload]]\n \
         --> exp.toml:3:1, at workload[0].io_latancy\n  |\n\
         3 | io_latancy = \"50ms\"\n  | ^^^^^^^^^^\n  = help: did you mean `io_latency`?\n"
    );
}

#[test]
fn a_key_in_the_wrong_section_says_where_it_belongs() {
    let text = "[experiment]\ntasks = 3\n[[workload]]\ntasks = 3\n[[model]]\nkind = \"threads\"\n";
    assert!(errors(text).contains("help: `tasks` belongs in [[workload]]"));
}

#[test]
fn durations_need_units() {
    let text = "[[workload]]\ntasks = 3\nio_latency = 50\n[[model]]\nkind = \"threads\"\n";
    assert_eq!(
        errors(text),
        "error: `io_latency` is a duration and needs a unit\n \
         --> exp.toml:3:14, at workload[0].io_latency\n  |\n\
         3 | io_latency = 50\n  |              ^^\n  \
         = help: write it as a string with a unit, e.g. io_latency = \"50ms\"\n"
    );
    let text = "[[workload]]\ntasks = 3\ncpu_cost = \"50\"\n[[model]]\nkind = \"threads\"\n";
    assert!(errors(text).contains("invalid duration for `cpu_cost`: `50` has no unit"));
}

#[test]
fn impossible_counts_are_rejected() {
    for (key, text) in [
        (
            "tasks",
            "[[workload]]\ntasks = 0\n[[model]]\nkind = \"threads\"\n",
        ),
        (
            "tasks",
            "[[workload]]\ntasks = [5, -1]\n[[model]]\nkind = \"threads\"\n",
        ),
        (
            "rounds",
            "[[workload]]\ntasks = 1\nrounds = 0\n[[model]]\nkind = \"threads\"\n",
        ),
        (
            "workers",
            "[[workload]]\ntasks = 1\n[[model]]\nkind = \"thread-pool\"\nworkers = 0\n",
        ),
        (
            "repetitions",
            "[experiment]\nrepetitions = 0\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
        ),
        (
            "warmup",
            "[experiment]\nwarmup = -1\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
        ),
    ] {
        let e = errors(text);
        assert!(e.contains(&format!("error: `{key}` = ")), "{e}");
        assert!(e.contains("is impossible"), "{e}");
    }
}

#[test]
fn wrong_types_name_the_expected_type() {
    let e = errors("[[workload]]\ntasks = \"ten\"\n[[model]]\nkind = \"threads\"\n");
    assert!(
        e.contains("error: `tasks` must be a whole number, not a string"),
        "{e}"
    );
    let e = errors("[[workload]]\ntasks = 1.5\n[[model]]\nkind = \"threads\"\n");
    assert!(
        e.contains("error: `tasks` must be a whole number, not 1.5"),
        "{e}"
    );
    let e = errors("[[workload]]\ntasks = 1\nname = 3\n[[model]]\nkind = \"threads\"\n");
    assert!(
        e.contains("error: `name` must be a string, not a whole number"),
        "{e}"
    );
}

#[test]
fn duplicate_names_are_rejected() {
    let e = errors(
        "[[workload]]\nname = \"a\"\ntasks = 1\n[[workload]]\nname = \"a\"\ntasks = 2\n\
         [[model]]\nkind = \"threads\"\n[[model]]\nkind = \"threads\"\n",
    );
    assert!(e.contains("error: two workloads are named \"a\""), "{e}");
    assert!(e.contains("at workload[1].name"), "{e}");
    assert!(e.contains("error: two models are named \"threads\""), "{e}");
}

#[test]
fn unknown_model_kind_lists_the_valid_ones() {
    let e = errors("[[workload]]\ntasks = 1\n[[model]]\nkind = \"fibers\"\n");
    assert!(e.contains("error: unknown model kind \"fibers\""), "{e}");
    assert!(
        e.contains("valid kinds: sequential, threads, thread-pool, async,"),
        "{e}"
    );
}

#[test]
fn parameters_must_belong_to_the_kind() {
    let e = errors("[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\nworkers = 4\n");
    assert!(
        e.contains("error: `workers` does not apply to model kind \"threads\""),
        "{e}"
    );
}

#[test]
fn sweeps_reject_empty_lists_and_repeats() {
    let e = errors("[[workload]]\ntasks = []\n[[model]]\nkind = \"threads\"\n");
    assert!(e.contains("`tasks` is an empty list"), "{e}");
    let e = errors("[[workload]]\ntasks = [1, 2, 1]\n[[model]]\nkind = \"threads\"\n");
    assert!(e.contains("`tasks` lists the same value twice"), "{e}");
    assert!(e.contains("at workload[0].tasks[2]"), "{e}");
}

#[test]
fn distributions_are_checked() {
    let e = errors(
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"uniform\", min = \"9ms\", max = \"1ms\" }\n\
         [[model]]\nkind = \"threads\"\n",
    );
    assert!(e.contains("min (9ms) above max (1ms)"), "{e}");
    let e = errors(
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"gauss\", mean = \"9ms\" }\n[[model]]\nkind = \"threads\"\n",
    );
    assert!(e.contains("unknown distribution \"gauss\""), "{e}");
    let e = errors(
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"normal\", mean = \"9ms\", sdev = \"1ms\" }\n\
         [[model]]\nkind = \"threads\"\n",
    );
    assert!(
        e.contains("unknown key `sdev` in a normal distribution"),
        "{e}"
    );
    assert!(e.contains("did you mean `sd`?"), "{e}");
}

#[test]
fn syntax_errors_show_the_place() {
    let e = errors("[experiment\nname = \"x\"\n");
    assert!(e.starts_with("error: invalid TOML: "), "{e}");
    assert!(e.contains("--> exp.toml:1:12"), "{e}");
}

#[test]
fn missing_sections_and_keys() {
    let e = errors("[experiment]\nname = \"x\"\n");
    assert!(
        e.contains("error: the experiment has no [[workload]]"),
        "{e}"
    );
    assert!(e.contains("error: the experiment has no [[model]]"), "{e}");
    let e = errors("[[workload]]\nname = \"w\"\n[[model]]\nkind = \"threads\"\n");
    assert!(
        e.contains("error: [[workload]] is missing the key `tasks`"),
        "{e}"
    );
    assert!(e.contains("--> exp.toml:1:1, at workload[0].tasks"), "{e}");
}

#[test]
fn experiment_names_must_make_a_directory() {
    let e = errors(
        "[experiment]\nname = \"../up\"\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
    );
    assert!(e.contains("invalid name \"../up\""), "{e}");
}

#[test]
fn charts_must_name_what_exists() {
    let base = "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n";
    let e = errors(&format!("{base}[[chart]]\nworkload = \"v\"\n"));
    assert!(
        e.contains("names workload \"v\", which the experiment does not have"),
        "{e}"
    );
    let e = errors(&format!(
        "{base}[[chart]]\nworkload = \"w\"\ny = \"latency\"\n"
    ));
    assert!(e.contains("unknown chart y \"latency\""), "{e}");
    let e = errors(&format!(
        "{base}[[chart]]\nworkload = \"w\"\nx = \"rounds\"\n"
    ));
    assert!(e.contains("chart x = \"rounds\" is not swept"), "{e}");
    let ok_chart = ok(&format!(
        "{base}[[chart]]\nworkload = \"w\"\nx = \"tasks\"\ny = \"cpu\"\n"
    ));
    assert_eq!(
        ok_chart.charts[0].x,
        Some(crate::config::Axis::plain(crate::config::Field::Tasks))
    );
}

#[test]
fn several_errors_are_all_reported() {
    let e =
        errors("[experiment]\nrepetitons = 3\n[[workload]]\ntasks = 0\n[[model]]\nkind = \"x\"\n");
    assert_eq!(e.matches("error:").count(), 3, "{e}");
}

#[test]
fn python_must_name_an_interpreter() {
    let e = errors(
        "[experiment]\npython = \"\"\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"python-threads\"\n",
    );
    assert!(e.contains("error: `python` is empty"), "{e}");
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

#[test]
fn group_names_cannot_break_axis_names_or_labels() {
    for bad in ["a.b", "a;b", "a=b", "a b", "a\\tb", ""] {
        let text = format!(
            "[[workload]]\n[[workload.group]]\nname = \"{bad}\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        );
        let e = errors(&text);
        assert!(e.contains("error: invalid name"), "{bad:?}: {e}");
    }
    ok(
        "[[workload]]\n[[workload.group]]\nname = \"입출력-io_2\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
    );
}

#[test]
fn a_grouped_workload_keeps_each_group_field_in_its_groups() {
    for key in [
        "tasks = 1",
        "io_latency = \"1ms\"",
        "cpu_cost = \"1ms\"",
        "rounds = 2",
    ] {
        let text = format!(
            "[[workload]]\nname = \"w\"\n{key}\n[[workload.group]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        );
        let name = key.split(' ').next().unwrap_or("");
        assert!(
            errors(&text).contains(&format!("help: move `{name}` into each [[workload.group]]")),
            "{key}"
        );
    }
}

#[test]
fn the_task_round_bound_covers_every_group_together() {
    // Each group alone is within 10,000,000 task rounds; together they are not.
    let text = "[[workload]]\nname = \"w\"\n[[workload.group]]\ntasks = 1000\nrounds = 6000\n\
                [[workload.group]]\ntasks = 1000\nrounds = 5000\n[[model]]\nkind = \"threads\"\n";
    assert!(errors(text).contains("= 11000000 task rounds per cell"));
    let text = "[[workload]]\nname = \"w\"\n[[workload.group]]\ntasks = 1000\nrounds = 5000\n\
                [[workload.group]]\ntasks = 1000\nrounds = 5000\n[[model]]\nkind = \"threads\"\n";
    ok(text);
}

#[test]
fn charts_take_group_axes_and_list_the_swept_ones() {
    let chart = |x: &str| format!("{CONVOY}[[chart]]\nworkload = \"convoy\"\nx = \"{x}\"\n");
    let exp = ok(&chart("io.rounds"));
    assert_eq!(exp.charts[0].x, Axis::parse("io.rounds"));
    let e = errors(&chart("cpu.rounds"));
    assert!(
        e.contains("help: give that field a list of values, or choose a swept axis: io.rounds\n"),
        "{e}"
    );
    let e = errors(&chart("rounds"));
    assert!(e.contains("chart x = \"rounds\" is not swept"), "{e}");
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
fn an_empty_list_of_workloads_is_no_workload() {
    let e = errors("workload = []\n[[model]]\nkind = \"threads\"\n");
    assert!(
        e.starts_with("error: the experiment has no [[workload]]\n"),
        "{e}"
    );
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

#[test]
fn limits_may_be_equal_or_ordered_but_not_reversed() {
    let with = |limits: &str| {
        format!("{AGAINST}[[claim]]\nworkload = \"io\"\nmodel = \"sequential\"\n{limits}\n")
    };
    let exp = ok(&with("at_least = \"1ms\"\nat_most = \"1ms\""));
    assert_eq!(exp.claims[0].at_least, exp.claims[0].at_most);
    ok(&with("at_least = \"1ms\"\nat_most = \"2ms\""));
    assert!(
        errors(&with("at_least = \"2ms\"\nat_most = \"1ms\""))
            .contains("`at_least` is above `at_most`: no value can be both"),
    );
}

#[test]
fn a_ratio_of_a_swept_model_is_fixed_only_by_one_value_of_that_parameter() {
    let with = |wheres: &str| {
        format!(
            "{AGAINST}[[claim]]\nworkload = \"io\"\nmodel = \"pool2\"\n\
             at_most = {{ ratio = 1, of = \"pool\" }}\n{wheres}\n"
        )
    };
    ok(&with("where = { workers = 2 }"));
    let sweeps = "model \"pool\" sweeps workers, so \"a ratio of pool\" does not say which";
    assert!(errors(&with("where = { tasks = 10 }")).contains(sweeps));
    assert!(errors(&with("")).contains(sweeps));
}

#[test]
fn a_crossover_range_may_touch_the_swept_values_but_not_miss_them() {
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
    let outside = "lies outside the values workload \"io\" sweeps";
    assert!(errors(&with("tasks", "[1, 3]")).contains(outside));
    assert!(errors(&with("tasks", "[11, 20]")).contains(outside));
    assert!(errors(&with("io_latency", "[\"20ms\", \"50ms\"]")).contains(outside));
    // A workload without [[workload.group]] has no group to name.
    assert!(
        errors(&with("io.tasks", "[4, 10]"))
            .contains("crossover axis \"io.tasks\" is not swept in workload \"io\"")
    );
    let at = |wheres: &str| {
        format!(
            "[[workload]]\nname = \"io\"\ntasks = [4, 10]\n[[model]]\nkind = \"sequential\"\n\
             [[claim]]\nworkload = \"io\"\nmodel = \"sequential\"\nat_most = \"1s\"\n{wheres}\n"
        )
    };
    ok(&at("where = { tasks = 4 }"));
    assert!(
        errors(&at("where = { \"io.tasks\" = 4 }"))
            .contains("workload \"io\" has no groups, so `io.tasks` names none")
    );
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
    assert!(
        errors(&with(
            "gil-threads",
            "where = { switch_interval = \"2ms\" }"
        ))
        .contains("`where` switch_interval = 2ms is not a value of model \"gil-threads\"")
    );
    // polling's poll interval is its default, 0 (a busy spin), when the
    // file says none.
    ok(&with("polling", "where = { poll_interval = \"0ms\" }"));
    assert!(
        errors(&with("polling", "where = { poll_interval = \"1ms\" }"))
            .contains("`where` poll_interval = 1ms is not a value of model \"polling\"")
    );
    assert!(
        errors(&with("threads", "where = { switch_interval = \"5ms\" }"))
            .contains("model \"threads\" has no switch_interval")
    );
    assert!(
        errors(&with("threads", "where = { poll_interval = \"1ms\" }"))
            .contains("model \"threads\" has no poll_interval")
    );
}
