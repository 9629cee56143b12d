//! Every message the config reader can produce, each pinned by its full
//! rendered text (message, place, key path, caret and help) for one
//! representative file. A change to any of them shows here first.

use super::*;

/// What `conlab validate` prints for `text` (before its closing count).
fn rendered(text: &str) -> String {
    match from_text("exp.toml", text, "exp") {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(e) => e.to_string(),
    }
}

macro_rules! pin {
    ($($name:ident: $text:expr => $expected:expr;)*) => {
        $(
            #[test]
            fn $name() {
                assert_eq!(rendered($text), $expected);
            }
        )*
    };
}

pin! {
    unknown_key_suggests_the_right_one:
        "[[workload]]\ntasks = 3\nio_latancy = \"50ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `io_latancy` in [[workload]]
 --> exp.toml:3:1, at workload[0].io_latancy
  |
3 | io_latancy = "50ms"
  | ^^^^^^^^^^
  = help: did you mean `io_latency`?
"##;

    unknown_key_says_where_it_belongs:
        "[experiment]\ntasks = 3\n[[workload]]\ntasks = 3\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `tasks` in [experiment]
 --> exp.toml:2:1, at experiment.tasks
  |
2 | tasks = 3
  | ^^^^^
  = help: `tasks` belongs in [[workload]]
"##;

    unknown_key_lists_the_valid_ones:
        "[[workload]]\ntasks = 1\nspeed = 2\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `speed` in [[workload]]
 --> exp.toml:3:1, at workload[0].speed
  |
3 | speed = 2
  | ^^^^^
  = help: valid keys in [[workload]]: name, io, group, tasks, io_latency, cpu_cost, rounds, shared, await_inside, arrival, requests, duration
"##;

    unknown_top_level_key:
        "colour = 1\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `colour` in the top level
 --> exp.toml:1:1, at colour
  |
1 | colour = 1
  | ^^^^^^
  = help: valid keys in the top level: experiment, workload, model, chart, claim
"##;

    io_in_a_group_belongs_in_the_workload:
        "[[workload]]\n[[workload.group]]\ntasks = 1\nio = \"tcp\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `io` in [[workload.group]]
 --> exp.toml:4:1, at workload[0].group[0].io
  |
4 | io = "tcp"
  | ^^
  = help: `io` belongs in [[workload]]
"##;

    missing_tasks:
        "[[workload]]\nname = \"w\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: [[workload]] is missing the key `tasks`
 --> exp.toml:1:1, at workload[0].tasks
  |
1 | [[workload]]
  | ^^^^^^^^^^^^
  = help: add tasks = 10 (or a list to sweep: [1, 10, 100])
"##;

    missing_tasks_in_a_group:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"g\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: [[workload.group]] is missing the key `tasks`
 --> exp.toml:3:1, at workload[0].group[0].tasks
  |
3 | [[workload.group]]
  | ^^^^^^^^^^^^^^^^^^
  = help: add tasks = 10 (or a list to sweep: [1, 10, 100])
"##;

    missing_kind:
        "[[workload]]\ntasks = 1\n[[model]]\nname = \"m\"\n"
        => r##"error: [[model]] is missing the key `kind`
 --> exp.toml:3:1, at model[0].kind
  |
3 | [[model]]
  | ^^^^^^^^^
  = help: add kind = "threads" (one of: sequential, threads, thread-pool, async, async-multi, gil-threads, processes, async-blocking, polling, python-sequential, python-threads, python-thread-pool, python-asyncio, python-processes)
"##;

    missing_chart_workload:
        "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\ny = \"cpu\"\n"
        => r##"error: [[chart]] is missing the key `workload`
 --> exp.toml:6:1, at chart[0].workload
  |
6 | [[chart]]
  | ^^^^^^^^^
  = help: add workload = "w"
"##;

    missing_dist:
        "[[workload]]\ntasks = 1\nio_latency = { mean = \"1ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: a latency distribution is missing the key `dist`
 --> exp.toml:3:14, at workload[0].io_latency.dist
  |
3 | io_latency = { mean = "1ms" }
  |              ^^^^^^^^^^^^^^^^
  = help: add dist = "uniform", "exponential" or "normal"
"##;

    missing_distribution_key:
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"uniform\", min = \"1ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: a uniform distribution is missing the key `max`
 --> exp.toml:3:14, at workload[0].io_latency.max
  |
3 | io_latency = { dist = "uniform", min = "1ms" }
  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: add max = "10ms" (for example)
"##;

    string_expected:
        "[[workload]]\nname = 3\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `name` must be a string, not a whole number
 --> exp.toml:2:8, at workload[0].name
  |
2 | name = 3
  |        ^
  = help: put the value in double quotes
"##;

    boolean_expected:
        "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\nlog_y = 1\n"
        => r##"error: `log_y` must be true or false, not a whole number
 --> exp.toml:8:9, at chart[0].log_y
  |
8 | log_y = 1
  |         ^
  = help: write `true` or `false`
"##;

    whole_number_expected:
        "[[workload]]\ntasks = true\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` must be a whole number, not true/false
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = true
  |         ^^^^
"##;

    duration_expected:
        "[[workload]]\ntasks = 1\ncpu_cost = true\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `cpu_cost` must be a duration such as "50ms", not true/false
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = true
  |            ^^^^
"##;

    experiment_must_be_a_table:
        "experiment = 1\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `experiment` must be a table, not a whole number
 --> exp.toml:1:14, at experiment
  |
1 | experiment = 1
  |              ^
  = help: write it as [experiment]
"##;

    workload_entries_must_be_tables:
        "workload = [1]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `workload[0]` must be a table, not a whole number
 --> exp.toml:1:13, at workload[0]
  |
1 | workload = [1]
  |             ^
"##;

    models_must_be_a_list_of_tables:
        "model = \"threads\"\n[[workload]]\ntasks = 1\n"
        => r##"error: `model` must be a list of [[model]] tables, not a string
 --> exp.toml:1:9, at model
  |
1 | model = "threads"
  |         ^^^^^^^^^
"##;

    single_brackets:
        "[workload]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: [workload] must be written [[workload]]
 --> exp.toml:1:1, at workload
  |
1 | [workload]
  | ^^^^^^^^^^
  = help: use double brackets: [[workload]] (an experiment may have several)
"##;

    unknown_io:
        "[[workload]]\ntasks = 1\nio = \"udp\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown io "udp"
 --> exp.toml:3:6, at workload[0].io
  |
3 | io = "udp"
  |      ^^^^^
  = help: use io = "sleep" (an OS timer) or io = "tcp" (a loopback delay server)
"##;

    unknown_model_kind_with_a_suggestion:
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"thread\"\n"
        => r##"error: unknown model kind "thread"
 --> exp.toml:4:8, at model[0].kind
  |
4 | kind = "thread"
  |        ^^^^^^^^
  = help: did you mean "threads"? Valid kinds: sequential, threads, thread-pool, async, async-multi, gil-threads, processes, async-blocking, polling, python-sequential, python-threads, python-thread-pool, python-asyncio, python-processes
"##;

    unknown_model_kind:
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"fibers\"\n"
        => r##"error: unknown model kind "fibers"
 --> exp.toml:4:8, at model[0].kind
  |
4 | kind = "fibers"
  |        ^^^^^^^^
  = help: valid kinds: sequential, threads, thread-pool, async, async-multi, gil-threads, processes, async-blocking, polling, python-sequential, python-threads, python-thread-pool, python-asyncio, python-processes
"##;

    unknown_chart_y:
        "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\ny = \"latency\"\n"
        => r##"error: unknown chart y "latency"
 --> exp.toml:8:5, at chart[0].y
  |
8 | y = "latency"
  |     ^^^^^^^^^
  = help: use one of: wall, cpu, speedup, efficiency, ctx_switches, peak_rss, threads, wake_p50, wake_p99, wake_max, completion_p50, completion_p99, rounds_per_s, lost_updates, latency_mean, latency_p50, latency_p99, throughput
"##;

    chart_of_a_group_figure_must_name_the_group:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\ncpu_cost = \"5ms\"\n[[workload.group]]\nname = \"io\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\ny = \"wake_p99\"\n"
        => r##"error: chart y = "wake_p99" is a group's figure, and workload "w" has 2 groups
  --> exp.toml:14:5, at chart[0].y
   |
14 | y = "wake_p99"
   |     ^^^^^^^^^^
   = help: say which: group = "cpu" (groups: cpu, io)
"##;

    chart_names_a_group_the_workload_lacks:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\ncpu_cost = \"5ms\"\n[[workload.group]]\nname = \"io\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\ny = \"wake_p99\"\ngroup = \"disk\"\n"
        => r##"error: [[chart]] names group "disk", which workload "w" does not have
  --> exp.toml:15:9, at chart[0].group
   |
15 | group = "disk"
   |         ^^^^^^
   = help: use one of: cpu, io
"##;

    chart_names_a_group_of_a_workload_without_groups:
        "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\ny = \"wake_p99\"\ngroup = \"io\"\n"
        => r##"error: [[chart]] names group "io", but workload "w" has no [[workload.group]]
 --> exp.toml:9:9, at chart[0].group
  |
9 | group = "io"
  |         ^^^^
  = help: remove group: a workload without groups is one group
"##;

    chart_group_with_a_figure_of_the_whole_run:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\ncpu_cost = \"5ms\"\n[[workload.group]]\nname = \"io\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\ny = \"wall\"\ngroup = \"io\"\n"
        => r##"error: chart y = "wall" is not a group's figure, so `group` does not apply
  --> exp.toml:15:9, at chart[0].group
   |
15 | group = "io"
   |         ^^^^
   = help: remove group, or chart a group's figure: wake_p50, wake_p99, wake_max, completion_p50, completion_p99, rounds_per_s, latency_mean, latency_p50, latency_p99, throughput
"##;

    unknown_distribution_with_a_suggestion:
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"normel\", mean = \"9ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown distribution "normel"
 --> exp.toml:3:23, at workload[0].io_latency.dist
  |
3 | io_latency = { dist = "normel", mean = "9ms" }
  |                       ^^^^^^^^
  = help: did you mean "normal"?
"##;

    unknown_distribution:
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"gauss\", mean = \"9ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown distribution "gauss"
 --> exp.toml:3:23, at workload[0].io_latency.dist
  |
3 | io_latency = { dist = "gauss", mean = "9ms" }
  |                       ^^^^^^^
  = help: use "uniform", "exponential" or "normal"
"##;

    unknown_distribution_key:
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"normal\", mean = \"9ms\", sdev = \"1ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `sdev` in a normal distribution
 --> exp.toml:3:47, at workload[0].io_latency.sdev
  |
3 | io_latency = { dist = "normal", mean = "9ms", sdev = "1ms" }
  |                                               ^^^^
  = help: did you mean `sd`?

error: a normal distribution is missing the key `sd`
 --> exp.toml:3:14, at workload[0].io_latency.sd
  |
3 | io_latency = { dist = "normal", mean = "9ms", sdev = "1ms" }
  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: add sd = "10ms" (for example)
"##;

    out_of_range:
        "[experiment]\nseed = 99999999999999999999999999999999999999999\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `seed` is out of range
 --> exp.toml:2:8, at experiment.seed
  |
2 | seed = 99999999999999999999999999999999999999999
  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
"##;

    impossible_count:
        "[[workload]]\ntasks = 0\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` = 0 is impossible
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = 0
  |         ^
  = help: `tasks` must be at least 1
"##;

    too_large_count:
        "[[workload]]\ntasks = 2000000\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` = 2000000 is too large
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = 2000000
  |         ^^^^^^^
  = help: conlab accepts at most 1000000 here
"##;

    decimal_count:
        "[[workload]]\ntasks = 1.5\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` must be a whole number, not 1.5
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = 1.5
  |         ^^^
  = help: drop the decimal part
"##;

    quoted_count:
        "[[workload]]\ntasks = \"3\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` must be a whole number, not a string
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = "3"
  |         ^^^
  = help: remove the quotes: tasks = 3
"##;

    duration_without_quotes:
        "[[workload]]\ntasks = 3\nio_latency = 50\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `io_latency` is a duration and needs a unit
 --> exp.toml:3:14, at workload[0].io_latency
  |
3 | io_latency = 50
  |              ^^
  = help: write it as a string with a unit, e.g. io_latency = "50ms"
"##;

    zero_duration:
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"gil-threads\"\nswitch_interval = \"0ms\"\n"
        => r##"error: `switch_interval` must be longer than zero
 --> exp.toml:5:19, at model[0].switch_interval
  |
5 | switch_interval = "0ms"
  |                   ^^^^^
  = help: give a positive duration such as "5ms"
"##;

    duration_without_unit:
        "[[workload]]\ntasks = 3\ncpu_cost = \"50\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `50` has no unit
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "50"
  |            ^^^^
  = help: add a unit: "50ms" (units: ns, us, µs, ms, s, m, min, h)
"##;

    duration_with_unknown_unit:
        "[[workload]]\ntasks = 3\ncpu_cost = \"50sec\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `50sec` has an unknown unit `sec`
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "50sec"
  |            ^^^^^^^
  = help: use one of the units ns, us, µs, ms, s, m, min, h
"##;

    negative_duration:
        "[[workload]]\ntasks = 3\ncpu_cost = \"-5ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `-5ms` is negative
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "-5ms"
  |            ^^^^^^
  = help: durations cannot be negative
"##;

    duration_with_a_plus:
        "[[workload]]\ntasks = 3\ncpu_cost = \"1+2ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `1+2ms` contains `+`, which a duration cannot contain
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "1+2ms"
  |            ^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    duration_with_underscores:
        "[[workload]]\ntasks = 3\ncpu_cost = \"_1__0_ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `_1__0_ms` contains `_`, which a duration cannot contain
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "_1__0_ms"
  |            ^^^^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    duration_with_a_space:
        "[[workload]]\ntasks = 3\ncpu_cost = \"10 ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `10 ms` contains a space, which a duration cannot contain
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "10 ms"
  |            ^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    duration_with_two_points:
        "[[workload]]\ntasks = 3\ncpu_cost = \"1.2.3ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `1.2.3ms` has more than one `.`
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "1.2.3ms"
  |            ^^^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    duration_without_number:
        "[[workload]]\ntasks = 3\ncpu_cost = \"ms\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `ms` does not start with a number
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "ms"
  |            ^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    empty_duration:
        "[[workload]]\ntasks = 3\ncpu_cost = \"\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: the duration is empty
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = ""
  |            ^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    too_long_duration:
        "[[workload]]\ntasks = 3\ncpu_cost = \"99999999999h\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `99999999999h` is too long (more than 584 years)
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "99999999999h"
  |            ^^^^^^^^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    too_fine_duration:
        "[[workload]]\ntasks = 3\ncpu_cost = \"1.5ns\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid duration for `cpu_cost`: `1.5ns` is finer than a nanosecond
 --> exp.toml:3:12, at workload[0].cpu_cost
  |
3 | cpu_cost = "1.5ns"
  |            ^^^^^^^
  = help: a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, min, h) and nothing else: "250us", "1.5ms", "2s"
"##;

    empty_sweep:
        "[[workload]]\ntasks = []\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` is an empty list
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = []
  |         ^^
  = help: give one value, or a list of values to sweep over
"##;

    nested_sweep:
        "[[workload]]\ntasks = [[1]]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: a sweep cannot contain lists
 --> exp.toml:2:10, at workload[0].tasks[0]
  |
2 | tasks = [[1]]
  |          ^^^
"##;

    repeated_sweep_value:
        "[[workload]]\ntasks = [1, 2, 1]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` lists the same value twice
 --> exp.toml:2:16, at workload[0].tasks[2]
  |
2 | tasks = [1, 2, 1]
  |                ^
  = help: remove the repeated value
"##;

    uniform_min_above_max:
        "[[workload]]\ntasks = 1\nio_latency = { dist = \"uniform\", min = \"9ms\", max = \"1ms\" }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: uniform distribution has min (9ms) above max (1ms)
 --> exp.toml:3:14, at workload[0].io_latency
  |
3 | io_latency = { dist = "uniform", min = "9ms", max = "1ms" }
  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: swap min and max
"##;

    empty_python:
        "[experiment]\npython = \"\"\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"python-threads\"\n"
        => r##"error: `python` is empty
 --> exp.toml:2:10, at experiment.python
  |
2 | python = ""
  |          ^^
  = help: name an interpreter, e.g. python = "python3.12" or a path to one
"##;

    empty_name:
        "[[workload]]\nname = \" \"\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid name " "
 --> exp.toml:2:8, at workload[0].name
  |
2 | name = " "
  |        ^^^
  = help: a name cannot be empty
"##;

    name_with_a_control_character:
        "[[workload]]\nname = \"a\\u001b[31mred\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid name "a\u{1b}[31mred"
 --> exp.toml:2:8, at workload[0].name
  |
2 | name = "a\u001b[31mred"
  |        ^^^^^^^^^^^^^^^^
  = help: a name cannot contain control characters
"##;

    name_with_a_right_to_left_override:
        "[[model]]\nkind = \"threads\"\nname = \"evil\\u202etxt\"\n[[workload]]\ntasks = 1\n"
        => r##"error: invalid name "evil\u{202e}txt"
 --> exp.toml:3:8, at model[0].name
  |
3 | name = "evil\u202etxt"
  |        ^^^^^^^^^^^^^^^
  = help: a name cannot contain bidirectional text controls (U+202A–U+202E, U+2066–U+2069 and the like): they make a name show in another order than it reads
"##;

    experiment_name_that_leaves_its_directory:
        "[experiment]\nname = \"../up\"\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid name "../up"
 --> exp.toml:2:8, at experiment.name
  |
2 | name = "../up"
  |        ^^^^^^^
  = help: the name is the results folder's name (output/<name>) and must be one plain folder name, but it contains `/` or `\`
"##;

    group_name_with_a_dot:
        "[[workload]]\n[[workload.group]]\nname = \"io.x\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: invalid name "io.x"
 --> exp.toml:3:8, at workload[0].group[0].name
  |
3 | name = "io.x"
  |        ^^^^^^
  = help: a group's name becomes part of axis names like `io.rounds` and labels like `io.rounds=50`: no `.`, `;`, `=` or whitespace
"##;

    two_workloads_with_one_name:
        "[[workload]]\nname = \"a\"\ntasks = 1\n[[workload]]\nname = \"a\"\ntasks = 2\n[[model]]\nkind = \"threads\"\n"
        => r##"error: two workloads are named "a"
 --> exp.toml:5:8, at workload[1].name
  |
5 | name = "a"
  |        ^^^
  = help: give each [[workload]] its own name
"##;

    two_models_with_one_name:
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: two models are named "threads"
 --> exp.toml:5:1, at model[1].name
  |
5 | [[model]]
  | ^^^^^^^^^
  = help: give each [[model]] its own name
"##;

    two_groups_with_one_name:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"g\"\ntasks = 1\n[[workload.group]]\nname = \"g\"\ntasks = 2\n[[model]]\nkind = \"threads\"\n"
        => r##"error: two groups of workload "w" are named "g"
 --> exp.toml:7:8, at workload[0].group[1].name
  |
7 | name = "g"
  |        ^^^
  = help: give each [[workload.group]] its own name
"##;

    invalid_toml:
        "[experiment\nname = \"x\"\n"
        => r##"error: invalid TOML: unclosed table, expected `]`
 --> exp.toml:1:12
  |
1 | [experiment
  |            ^
  = help: fix the TOML syntax; see https://toml.io for the rules
"##;

    no_workload_and_no_model:
        "[experiment]\nname = \"x\"\n"
        => r##"error: the experiment has no [[workload]]
  --> exp.toml, at workload
   = help: add a [[workload]] with name and tasks

error: the experiment has no [[model]]
  --> exp.toml, at model
   = help: add a [[model]] with kind = "threads"
"##;

    grouped_workload_sets_tasks_itself:
        "[[workload]]\nname = \"w\"\ntasks = 2\n[[workload.group]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: workload "w" has [[workload.group]] entries, so `tasks` cannot be set on the workload itself
 --> exp.toml:3:9, at workload[0].tasks
  |
3 | tasks = 2
  |         ^
  = help: move `tasks` into each [[workload.group]]
"##;

    empty_group_list:
        "[[workload]]\nname = \"w\"\ngroup = []\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `group` is an empty list
 --> exp.toml:3:9, at workload[0].group
  |
3 | group = []
  |         ^^
  = help: add [[workload.group]] tables, or remove `group` and give the workload tasks
"##;

    too_many_task_rounds:
        "[[workload]]\nname = \"w\"\ntasks = [10, 1000]\nrounds = 20000\n[[model]]\nkind = \"threads\"\n"
        => r##"error: workload "w" asks for 1000 tasks × 20000 rounds
 --> exp.toml:1:1, at workload[0]
  |
1 | [[workload]]
  | ^^^^^^^^^^^^
  = help: conlab runs at most 10000000 task rounds per cell; lower tasks or rounds
"##;

    too_many_task_rounds_in_groups:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"a\"\ntasks = 1000\nrounds = 6000\n[[workload.group]]\nname = \"b\"\ntasks = 1000\nrounds = [10, 5000]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: workload "w" asks for a: 1000 tasks × 6000 rounds + b: 1000 tasks × 5000 rounds = 11000000 task rounds per cell
 --> exp.toml:1:1, at workload[0]
  |
1 | [[workload]]
  | ^^^^^^^^^^^^
  = help: conlab runs at most 10000000 task rounds per cell; lower tasks or rounds
"##;

    too_many_tasks_in_groups:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\ntasks = 600000\n[[workload.group]]\ntasks = 600000\n[[model]]\nkind = \"threads\"\n"
        => r##"error: workload "w" has 1200000 tasks per cell in its groups
 --> exp.toml:1:1, at workload[0]
  |
1 | [[workload]]
  | ^^^^^^^^^^^^
  = help: conlab runs at most 1000000 tasks per cell; lower tasks
"##;

    work_that_overflows:
        "[[workload]]\nname = \"w\"\ntasks = 100\nrounds = 1000\ncpu_cost = \"6000h\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: workload "w" adds up to more than 584 years per cell: tasks × rounds × (io_latency + cpu_cost) = 100 × 1000 × (0ms + 21600000s)
 --> exp.toml:1:1, at workload[0]
  |
1 | [[workload]]
  | ^^^^^^^^^^^^
  = help: conlab counts time in nanoseconds, at most 584 years; lower tasks, rounds, io_latency or cpu_cost
"##;

    parameter_of_another_kind:
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\nworkers = 4\n"
        => r##"error: `workers` does not apply to model kind "threads"
 --> exp.toml:5:11, at model[0].workers
  |
5 | workers = 4
  |           ^
  = help: remove it; `workers` is a parameter of thread-pool, async-multi, processes, python-thread-pool, python-processes
"##;

    chart_of_a_missing_workload:
        "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"v\"\n"
        => r##"error: [[chart]] names workload "v", which the experiment does not have
 --> exp.toml:7:12, at chart[0].workload
  |
7 | workload = "v"
  |            ^^^
  = help: workloads: w
"##;

    chart_x_not_swept:
        "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\nx = \"rounds\"\n"
        => r##"error: chart x = "rounds" is not swept in workload "w" or its models
 --> exp.toml:8:5, at chart[0].x
  |
8 | x = "rounds"
  |     ^^^^^^^^
  = help: give that field a list of values, or choose a swept axis: tasks
"##;

    chart_x_when_nothing_is_swept:
        "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\nx = \"tasks\"\n"
        => r##"error: chart x = "tasks" is not swept in workload "w" or its models
 --> exp.toml:8:5, at chart[0].x
  |
8 | x = "tasks"
  |     ^^^^^^^
  = help: give that field a list of values; nothing is swept here yet
"##;

    unknown_chart_x:
        "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\nx = \"speed\"\n"
        => r##"error: unknown chart x "speed"
 --> exp.toml:8:5, at chart[0].x
  |
8 | x = "speed"
  |     ^^^^^^^
  = help: use one of: tasks, io_latency, cpu_cost, rounds, rate, workers, switch_interval, poll_interval
"##;

    chart_of_a_missing_model:
        "[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"threads\"\n[[chart]]\nworkload = \"w\"\nmodels = [\"threads\", \"async\"]\n"
        => r##"error: [[chart]] names model "async", which the experiment does not have
 --> exp.toml:8:22, at chart[0].models[1]
  |
8 | models = ["threads", "async"]
  |                      ^^^^^^^
  = help: models: threads
"##;

    too_many_cells:
        "[[workload]]\ntasks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nrounds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\ncpu_cost = [\"1ms\", \"2ms\", \"3ms\", \"4ms\", \"5ms\", \"6ms\", \"7ms\", \"8ms\", \"9ms\", \"10ms\"]\n[[model]]\nkind = \"thread-pool\"\nworkers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101]\n"
        => r##"error: the experiment has 101000 cells (1000 workload points × 101 model variants); conlab runs at most 100000
  --> exp.toml
   = help: sweep fewer values, or split the experiment into several files
"##;

    too_many_runs:
        "[experiment]\nrepetitions = 100000\n[[workload]]\ntasks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: the experiment asks for 1100011 runs (11 cells × (1 warm-up + 100000 measured)); conlab runs at most 1000000
  --> exp.toml
   = help: lower repetitions or warmup, or sweep fewer values
"##;

    too_many_task_rounds_in_all:
        "[[workload]]\ntasks = [1000000, 999999, 999998]\nrounds = [10, 9]\n[[model]]\nkind = \"threads\"\n[[model]]\nkind = \"async\"\n"
        => r##"error: the experiment's cells have 113999886 task rounds (tasks × rounds) in all; conlab prepares at most 100000000
  --> exp.toml
   = help: every model runs every workload point, so a sweep of tasks adds up quickly: sweep fewer or smaller values
"##;

    group_written_with_single_brackets:
        "[[workload]]\nname = \"w\"\n[workload.group]\ntasks = 1\n[[model]]\nkind = \"threads\"\n"
        => r##"error: [workload.group] must be written [[workload.group]]
 --> exp.toml:3:1, at workload[0].group
  |
3 | [workload.group]
  | ^^^^^^^^^^^^^^^^
  = help: use double brackets: [[workload.group]] (an experiment may have several)
"##;
    shared_counter_of_one_task:
        "[[workload]]\nname = \"w\"\ntasks = 1\nshared = \"racy\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: shared = "racy" needs two tasks or more to race for the counter, but workload "w" has tasks = 1
 --> exp.toml:4:10, at workload[0].shared
  |
4 | shared = "racy"
  |          ^^^^^^
  = help: give it tasks = 2 or more (in every value of a sweep), or remove `shared`
"##;

    shared_counter_of_a_group_that_sweeps_one_task:
        "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"io\"\ntasks = [1, 4]\nshared = [\"none\", \"locked\"]\n[[model]]\nkind = \"threads\"\n"
        => r##"error: shared = "locked" needs two tasks or more to race for the counter, but group "group-1" of workload "w" has tasks = 1
 --> exp.toml:6:10, at workload[0].group[0].shared
  |
6 | shared = ["none", "locked"]
  |          ^^^^^^^^^^^^^^^^^^
  = help: give it tasks = 2 or more (in every value of a sweep), or remove `shared`
"##;

    shared_counter_of_one_request:
        "[[workload]]\nname = \"w\"\narrival = { rate = 100 }\nrequests = 1\nshared = \"racy\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: shared = "racy" needs two requests or more to race for the counter, but workload "w" brings 1
 --> exp.toml:5:10, at workload[0].shared
  |
5 | shared = "racy"
  |          ^^^^^^
  = help: give it requests = 2 or more (or a duration that brings them at every rate), or remove `shared`
"##;

    await_inside_without_a_counter:
        "[[workload]]\nname = \"w\"\ntasks = 4\nawait_inside = true\n[[model]]\nkind = \"async\"\n"
        => r##"error: await_inside = true yields between a racy counter's read and write, but workload "w" has no shared counter
 --> exp.toml:4:16, at workload[0].await_inside
  |
4 | await_inside = true
  |                ^^^^
  = help: add shared = "racy" (or a list with "racy" in it), or remove `await_inside`
"##;

    await_inside_with_a_locked_counter:
        "[[workload]]\nname = \"w\"\ntasks = 4\nshared = \"locked\"\nawait_inside = true\n[[model]]\nkind = \"async\"\n"
        => r##"error: await_inside = true yields between a racy counter's read and write, but workload "w" has shared = "locked"
 --> exp.toml:5:16, at workload[0].await_inside
  |
5 | await_inside = true
  |                ^^^^
  = help: add shared = "racy" (or a list with "racy" in it), or remove `await_inside`
"##;

    unknown_shared_counter_mode:
        "[[workload]]\nname = \"w\"\ntasks = 4\nshared = \"raccy\"\n[[model]]\nkind = \"async\"\n"
        => r##"error: unknown shared counter "raccy"
 --> exp.toml:4:10, at workload[0].shared
  |
4 | shared = "raccy"
  |          ^^^^^^^
  = help: did you mean "racy"? Valid: none, racy, locked, atomic
"##;

    chart_x_of_words:
        "[[workload]]\nname = \"w\"\ntasks = 4\nshared = [\"racy\", \"locked\"]\n[[model]]\nkind = \"async\"\n[[chart]]\nworkload = \"w\"\nx = \"shared\"\n"
        => r##"error: chart x = "shared" takes words, not numbers a line could run along
 --> exp.toml:9:5, at chart[0].x
  |
9 | x = "shared"
  |     ^^^^^^^^
  = help: leave x out: each value then gets its own charts, and the lost-updates chart sets the values side by side
"##;
}

/// Issue 8: `validate /dev/zero` grew without end; reading stops after
/// 1 MiB of a regular file (issue 22: and is refused before the first
/// byte when the file says it is larger).
#[test]
fn a_file_larger_than_a_mebibyte() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("big.toml");
    std::fs::write(&path, vec![b'#'; (1 << 20) + 1]).unwrap_or_else(|e| panic!("{e}"));
    let shown = match load(&path) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        format!(
            "experiment file {0} is larger than 1 MiB, the most conlab reads\n  = help: an \
             experiment file is a few kilobytes of TOML; is {0} the file you meant?",
            path.display()
        )
    );
}

/// Issue 22: a device (`/dev/zero`), a FIFO or a folder is refused before
/// it is opened, not read up to the limit (or waited on).
#[test]
fn a_device_is_not_an_experiment_file() {
    let shown = match load(std::path::Path::new("/dev/zero")) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        "experiment file /dev/zero is a character device, not a regular file: conlab reads an \
         experiment file only from a regular file\n  = help: write the experiment to a file and \
         name that file; is /dev/zero the file you meant?"
    );
}

#[test]
fn a_file_that_cannot_be_read() {
    let shown = match load(std::path::Path::new("/nonexistent/exp.toml")) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        "cannot read experiment file /nonexistent/exp.toml: No such file or directory (os error 2)"
    );
}

#[test]
fn a_file_that_is_not_text() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("bin.toml");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap_or_else(|e| panic!("{e}"));
    let shown = match load(&path) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        format!(
            "cannot read experiment file {}: invalid utf-8 sequence of 1 bytes from index 0",
            path.display()
        )
    );
}

// Open-loop load: a group's `arrival`, `requests` and `duration`.
pin! {
    arrival_rate_zero:
        "[[workload]]\narrival = { rate = 0 }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `rate` = 0 is impossible
 --> exp.toml:2:20, at workload[0].arrival.rate
  |
2 | arrival = { rate = 0 }
  |                    ^
  = help: a rate is requests per second, above 0: rate = 50 (or 0.5 for one every 2 s)
"##;

    arrival_rate_negative:
        "[[workload]]\narrival = { rate = [50, -5] }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `rate` = -5 is impossible
 --> exp.toml:2:25, at workload[0].arrival.rate[1]
  |
2 | arrival = { rate = [50, -5] }
  |                         ^^
  = help: a rate is requests per second, above 0: rate = 50 (or 0.5 for one every 2 s)
"##;

    arrival_rate_quoted:
        "[[workload]]\narrival = { rate = \"50\" }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `rate` must be a number, not a string
 --> exp.toml:2:20, at workload[0].arrival.rate
  |
2 | arrival = { rate = "50" }
  |                    ^^^^
  = help: remove the quotes: rate = 50
"##;

    arrival_rate_too_large:
        "[[workload]]\narrival = { rate = 1e9 }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `rate` = 1e9 is too large
 --> exp.toml:2:20, at workload[0].arrival.rate
  |
2 | arrival = { rate = 1e9 }
  |                    ^^^
  = help: conlab accepts at most 10000000 requests per second
"##;

    arrival_rate_missing:
        "[[workload]]\narrival = { dist = \"uniform\" }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: an arrival table is missing the key `rate`
 --> exp.toml:2:11, at workload[0].arrival.rate
  |
2 | arrival = { dist = "uniform" }
  |           ^^^^^^^^^^^^^^^^^^^^
  = help: add rate = 100 (requests per second, or a list to sweep)
"##;

    arrival_dist_unknown:
        "[[workload]]\narrival = { rate = 50, dist = \"gauss\" }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown arrival distribution "gauss"
 --> exp.toml:2:31, at workload[0].arrival.dist
  |
2 | arrival = { rate = 50, dist = "gauss" }
  |                               ^^^^^^^
  = help: use dist = "poisson" (independent arrivals, exponential gaps) or dist = "uniform" (evenly spaced)
"##;

    arrival_key_misspelt:
        "[[workload]]\narrival = { rate = 50, dst = \"uniform\" }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: unknown key `dst` in an arrival table
 --> exp.toml:2:24, at workload[0].arrival.dst
  |
2 | arrival = { rate = 50, dst = "uniform" }
  |                        ^^^
  = help: did you mean `dist`?
"##;

    arrival_not_a_table:
        "[[workload]]\narrival = 50\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `arrival` must be a table, not a whole number
 --> exp.toml:2:11, at workload[0].arrival
  |
2 | arrival = 50
  |           ^^
  = help: write it as a table: arrival = { rate = 100, dist = "poisson" }
"##;

    tasks_and_arrival:
        "[[workload]]\ntasks = 10\narrival = { rate = 50 }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `tasks` and `arrival` cannot both be set in one group: its tasks either start together or arrive as requests
 --> exp.toml:2:9, at workload[0].tasks
  |
2 | tasks = 10
  |         ^^
  = help: remove `tasks` and say how many requests arrive with requests = 2000 or duration = "10s", or remove `arrival`
"##;

    requests_and_duration:
        "[[workload]]\narrival = { rate = 50 }\nrequests = 10\nduration = \"2s\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `requests` and `duration` cannot both be set: each says how many requests arrive
 --> exp.toml:4:12, at workload[0].duration
  |
4 | duration = "2s"
  |            ^^^^
  = help: keep one: requests = 2000 (a count), or duration = "10s" (rate × duration requests)
"##;

    arrival_without_requests_or_duration:
        "[[workload]]\n[[workload.group]]\nname = \"web\"\narrival = { rate = 50 }\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `arrival` needs `requests` or `duration`: how many requests arrive
 --> exp.toml:4:11, at workload[0].group[0].arrival
  |
4 | arrival = { rate = 50 }
  |           ^^^^^^^^^^^^^
  = help: add requests = 2000, or duration = "10s"
"##;

    requests_without_arrival:
        "[[workload]]\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `requests` needs `arrival`: the rate its requests arrive at
 --> exp.toml:2:12, at workload[0].requests
  |
2 | requests = 10
  |            ^^
  = help: add arrival = { rate = 100, dist = "poisson" }, or give tasks = 10 for tasks that start together
"##;

    duration_without_arrival:
        "[[workload]]\n[[workload.group]]\nname = \"web\"\ntasks = 2\nduration = \"2s\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `duration` needs `arrival`: the rate its requests arrive at
 --> exp.toml:5:12, at workload[0].group[0].duration
  |
5 | duration = "2s"
  |            ^^^^
  = help: add arrival = { rate = 100, dist = "poisson" }, or give tasks = 10 for tasks that start together
"##;

    duration_brings_no_request:
        "[[workload]]\narrival = { rate = [50, 0.1] }\nduration = \"2s\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: at rate = 0.1, `duration` = "2s" brings no request
 --> exp.toml:3:12, at workload[0].duration
  |
3 | duration = "2s"
  |            ^^^^
  = help: lengthen duration, or give requests = N instead
"##;

    // Issue 22: `rate = 1e-9` with 3 requests and a 4 s timeout passed
    // validation, and every run ended with its requests unfinished.
    arrivals_slower_than_the_timeout:
        "[experiment]\ntimeout = \"4s\"\n[[workload]]\narrival = { rate = 1e-9 }\nrequests = 3\n[[model]]\nkind = \"threads\"\n"
        => r##"error: at rate = 0.000000001, the 3 requests of workload "workload-1" arrive over 63 years on average, but a run stops taking requests 3s after it starts (its timeout, 4s, less a margin)
 --> exp.toml:5:12, at workload[0].requests
  |
5 | requests = 3
  |            ^
  = help: raise the rate, or ask for fewer requests
"##;

    a_duration_of_arrivals_longer_than_the_timeout:
        "[experiment]\ntimeout = \"3s\"\n[[workload]]\nname = \"site\"\n[[workload.group]]\nname = \"web\"\narrival = { rate = [100, 10] }\nduration = \"10s\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: at rate = 100, the 1000 requests of group "web" of workload "site" arrive over 9.99 s on average, but a run stops taking requests 2s after it starts (its timeout, 3s, less a margin)
 --> exp.toml:8:12, at workload[0].group[0].duration
  |
8 | duration = "10s"
  |            ^^^^^
  = help: raise the rate, ask for fewer requests, or give timeout = "14s" or more in [experiment]
"##;

    duration_brings_too_many_requests:
        "[[workload]]\narrival = { rate = 1000000 }\nduration = \"10s\"\n[[model]]\nkind = \"threads\"\n"
        => r##"error: at rate = 1000000, `duration` = "10s" brings 10000000 requests
 --> exp.toml:3:12, at workload[0].duration
  |
3 | duration = "10s"
  |            ^^^^^
  = help: conlab runs at most 1000000 tasks per cell; shorten duration or lower the rate
"##;
}

/// The experiment every claim message below is about: a plain workload
/// sweeping tasks, one of two groups, and a pool that sweeps workers. Its
/// `[[claim]]` starts on line 20.
const CLAIMS: &str = "[[workload]]\nname = \"io\"\ntasks = [1, 10, 100]\n[[workload]]\nname = \"mix\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\n[[workload.group]]\nname = \"net\"\ntasks = 2\n[[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n[[model]]\nkind = \"thread-pool\"\nname = \"pool\"\nworkers = [2, 4]\n";

/// `CLAIMS` with one `[[claim]]` of `body` (and `extra` models first).
fn claim(extra: &str, body: &str) -> String {
    format!("{CLAIMS}{extra}[[claim]]\n{body}\n")
}

pin! {
    claim_unknown_workload:
        &claim("", "workload = \"iox\"\nmodel = \"threads\"\nat_most = \"1ms\"")
        => r##"error: [[claim]] names workload "iox", which the experiment does not have
  --> exp.toml:21:12, at claim[0].workload
   |
21 | workload = "iox"
   |            ^^^^^
   = help: workloads: io, mix
"##;

    claim_unknown_model:
        &claim("", "workload = \"io\"\nmodel = \"thread\"\nat_most = \"1ms\"")
        => r##"error: [[claim]] names model "thread", which the experiment does not have
  --> exp.toml:22:9, at claim[0].model
   |
22 | model = "thread"
   |         ^^^^^^^^
   = help: models: sequential, threads, pool
"##;

    claim_unknown_metric:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nmetric = \"walll\"\nat_most = \"1ms\"")
        => r##"error: unknown metric "walll"
  --> exp.toml:23:10, at claim[0].metric
   |
23 | metric = "walll"
   |          ^^^^^^^
   = help: did you mean "wall"? Metrics: wall, cpu, speedup, efficiency, completion_p50, completion_p99, wake_delay_p50, wake_delay_p99
"##;

    claim_time_without_unit:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = 1")
        => r##"error: `at_most` for metric wall is a time and needs a unit
  --> exp.toml:23:11, at claim[0].at_most
   |
23 | at_most = 1
   |           ^
   = help: write a duration such as at_most = "120ms", or a ratio: at_most = { ratio = 0.4, of = "sequential" }
"##;

    claim_number_metric_with_a_duration:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nmetric = \"speedup\"\nat_least = \"2ms\"")
        => r##"error: `at_least` for metric speedup is a number, not a duration
  --> exp.toml:24:12, at claim[0].at_least
   |
24 | at_least = "2ms"
   |            ^^^^^
   = help: write a number such as at_least = 1.5
"##;

    claim_ratio_of_a_ratio:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nmetric = \"speedup\"\nat_least = { ratio = 2, of = \"sequential\" }")
        => r##"error: speedup is a ratio already (over sequential, or of the prediction), so a ratio of it is not a claim conlab checks
  --> exp.toml:24:12, at claim[0].at_least
   |
24 | at_least = { ratio = 2, of = "sequential" }
   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: give a number: at_least = 1.5
"##;

    claim_between_and_at_least:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_least = \"2ms\"\nbetween = [\"1ms\", \"3ms\"]")
        => r##"error: `between` cannot be given with `at_least`: both set the same limits
  --> exp.toml:24:11, at claim[0].between
   |
24 | between = ["1ms", "3ms"]
   |           ^^^^^^^^^^^^^^
   = help: keep `between = [low, high]`, or `at_least` and `at_most`
"##;

    claim_says_nothing:
        &claim("", "workload = \"io\"\nmodel = \"threads\"")
        => r##"error: [[claim]] says nothing to check
  --> exp.toml:20:1, at claim[0]
   |
20 | [[claim]]
   | ^^^^^^^^^
   = help: add at_most, at_least or between (or a crossover = { of, and, axis, between })
"##;

    claim_without_model:
        &claim("", "workload = \"io\"\nat_most = \"1ms\"")
        => r##"error: [[claim]] is missing the key `model`
  --> exp.toml:20:1, at claim[0].model
   |
20 | [[claim]]
   | ^^^^^^^^^
   = help: add model = "sequential" (models: sequential, threads, pool), or state a crossover = { of, and, axis, between }
"##;

    claim_point_that_does_not_exist:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { tasks = 5 }")
        => r##"error: `where` tasks = 5 is not a point of workload "io"
  --> exp.toml:24:19, at claim[0].where.tasks
   |
24 | where = { tasks = 5 }
   |                   ^
   = help: its tasks: 1, 10, 100
"##;

    claim_where_lists_a_value_twice:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = [{ tasks = 10 }, { tasks = [1, 1] }]")
        => r##"error: `tasks` lists the same value twice
  --> exp.toml:24:40, at claim[0].where[1].tasks[1]
   |
24 | where = [{ tasks = 10 }, { tasks = [1, 1] }]
   |                                        ^
   = help: remove the repeated value
"##;

    claim_where_unknown_key:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { taks = 5 }")
        => r##"error: unknown key `taks` in `where`
  --> exp.toml:24:11, at claim[0].where.taks
   |
24 | where = { taks = 5 }
   |           ^^^^
   = help: did you mean `tasks`?
"##;

    claim_where_model_value:
        &claim("", "workload = \"io\"\nmodel = \"pool\"\nat_most = \"1ms\"\nwhere = { workers = 3 }")
        => r##"error: `where` workers = 3 is not a value of model "pool"
  --> exp.toml:24:21, at claim[0].where.workers
   |
24 | where = { workers = 3 }
   |                     ^
   = help: its workers: 2, 4
"##;

    claim_where_parameter_the_model_lacks:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { workers = 3 }")
        => r##"error: model "threads" has no workers
  --> exp.toml:24:21, at claim[0].where.workers
   |
24 | where = { workers = 3 }
   |                     ^
   = help: workers is a parameter of thread-pool, async-multi, processes, python-thread-pool, python-processes
"##;

    claim_where_workers_of_the_cores:
        &claim("[[model]]\nkind = \"thread-pool\"\nname = \"auto\"\n", "workload = \"io\"\nmodel = \"auto\"\nat_most = \"1ms\"\nwhere = { workers = 2 }")
        => r##"error: model "auto" does not set workers, so it runs as many as the machine has usable cores, which the file cannot know
  --> exp.toml:27:21, at claim[0].where.workers
   |
27 | where = { workers = 2 }
   |                     ^
   = help: give the model workers = … to choose among, or remove workers from `where`
"##;

    claim_ratio_of_a_swept_model:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = 1, of = \"pool\" }")
        => r##"error: model "pool" sweeps workers, so "a ratio of pool" does not say which of its variants
  --> exp.toml:23:11, at claim[0].at_most.of
   |
23 | at_most = { ratio = 1, of = "pool" }
   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: choose one in `where`: where = { workers = … }
"##;

    claim_ratio_of_itself:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = 1, of = \"threads\" }")
        => r##"error: a ratio of model "threads" to itself is always 1
  --> exp.toml:23:11, at claim[0].at_most.of
   |
23 | at_most = { ratio = 1, of = "threads" }
   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: name another model in `of`, e.g. of = "sequential"
"##;

    claim_ratio_of_unknown_model:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = 1, of = \"asyncio\" }")
        => r##"error: [[claim]] names model "asyncio", which the experiment does not have
  --> exp.toml:23:11, at claim[0].at_most.of
   |
23 | at_most = { ratio = 1, of = "asyncio" }
   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: models: sequential, threads, pool
"##;

    claim_ratio_without_of:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = 0.4 }")
        => r##"error: a ratio is missing the key `of`
  --> exp.toml:23:11, at claim[0].at_most.of
   |
23 | at_most = { ratio = 0.4 }
   |           ^^^^^^^^^^^^^^^
   = help: add of = "sequential" (the model the ratio is of)
"##;

    claim_ratio_of_zero:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = 0, of = \"sequential\" }")
        => r##"error: `ratio` must be above zero
  --> exp.toml:23:21, at claim[0].at_most.ratio
   |
23 | at_most = { ratio = 0, of = "sequential" }
   |                     ^
   = help: a ratio of zero says nothing
"##;

    claim_mixed_ratio_and_time:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_least = \"1ms\"\nat_most = { ratio = 1, of = \"sequential\" }")
        => r##"error: `at_least` and `at_most` must both be ratios of the same model, or neither be a ratio
  --> exp.toml:24:11, at claim[0].at_most
   |
24 | at_most = { ratio = 1, of = "sequential" }
   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
"##;

    claim_at_least_above_at_most:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_least = \"3ms\"\nat_most = \"1ms\"")
        => r##"error: `at_least` is above `at_most`: no value can be both
  --> exp.toml:23:12, at claim[0].at_least
   |
23 | at_least = "3ms"
   |            ^^^^^
   = help: swap them
"##;

    claim_between_reversed:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nbetween = [\"3ms\", \"1ms\"]")
        => r##"error: `between` has its low value (3ms) above its high value (1ms)
  --> exp.toml:23:11, at claim[0].between
   |
23 | between = ["3ms", "1ms"]
   |           ^^^^^^^^^^^^^^
   = help: swap them
"##;

    claim_between_of_one:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nbetween = [\"3ms\"]")
        => r##"error: `between` needs two values, low and high
  --> exp.toml:23:11, at claim[0].between
   |
23 | between = ["3ms"]
   |           ^^^^^^^
   = help: write between = [low, high]
"##;

    claim_between_mixed:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nbetween = [\"1ms\", 3]")
        => r##"error: `between` mixes a duration and a number
  --> exp.toml:23:11, at claim[0].between
   |
23 | between = ["1ms", 3]
   |           ^^^^^^^^^^
   = help: give two durations ("90ms") or two numbers (1.5)
"##;

    claim_group_metric_needs_a_group:
        &claim("", "workload = \"mix\"\nmodel = \"threads\"\nmetric = \"wake_delay_p50\"\nat_most = \"1ms\"")
        => r##"error: metric wake_delay_p50 is a group's, and workload "mix" has 2 groups
  --> exp.toml:23:10, at claim[0].metric
   |
23 | metric = "wake_delay_p50"
   |          ^^^^^^^^^^^^^^^^
   = help: add group = "cpu" (groups: cpu, net)
"##;

    claim_unknown_group:
        &claim("", "workload = \"mix\"\nmodel = \"threads\"\nmetric = \"wake_delay_p50\"\ngroup = \"disk\"\nat_most = \"1ms\"")
        => r##"error: workload "mix" has no group "disk"
  --> exp.toml:24:9, at claim[0].group
   |
24 | group = "disk"
   |         ^^^^^^
   = help: groups: cpu, net
"##;

    claim_group_of_a_run_metric:
        &claim("", "workload = \"mix\"\nmodel = \"threads\"\ngroup = \"net\"\nat_most = \"1ms\"")
        => r##"error: `group` applies to a group's metrics (completion_p50, completion_p99, wake_delay_p50, wake_delay_p99), not to wall
  --> exp.toml:23:9, at claim[0].group
   |
23 | group = "net"
   |         ^^^^^
   = help: remove `group`, or choose a group's metric
"##;

    claim_where_group_axis_without_group:
        &claim("", "workload = \"mix\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { tasks = 1 }")
        => r##"error: workload "mix" has groups, so `tasks` needs its group
  --> exp.toml:24:19, at claim[0].where.tasks
   |
24 | where = { tasks = 1 }
   |                   ^
   = help: name it by group: cpu.tasks, net.tasks
"##;

    claim_where_group_axis_of_a_plain_workload:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { \"net.tasks\" = 1 }")
        => r##"error: workload "io" has no groups, so `net.tasks` names none
  --> exp.toml:24:25, at claim[0].where.net.tasks
   |
24 | where = { "net.tasks" = 1 }
   |                         ^
   = help: write `tasks`
"##;

    claim_where_empty:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = {}")
        => r##"error: `where` is an empty table
  --> exp.toml:24:9, at claim[0].where
   |
24 | where = {}
   |         ^^
   = help: name a swept key and its value: where = { tasks = 100 }
"##;

    claim_where_duration_as_number:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = { io_latency = 1 }")
        => r##"error: `io_latency` must be a duration, not a whole number
  --> exp.toml:24:24, at claim[0].where.io_latency
   |
24 | where = { io_latency = 1 }
   |                        ^
   = help: io_latency is a duration: write it as a string, e.g. io_latency = "1ms"
"##;

    crossover_unknown_model:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"async\", axis = \"tasks\", between = [1, 10] }")
        => r##"error: [[claim]] names model "async", which the experiment does not have
  --> exp.toml:22:37, at claim[0].crossover.and
   |
22 | crossover = { of = "threads", and = "async", axis = "tasks", between = [1, 10] }
   |                                     ^^^^^^^
   = help: models: sequential, threads, pool
"##;

    crossover_of_itself:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"threads\", axis = \"tasks\", between = [1, 10] }")
        => r##"error: a crossover of model "threads" with itself
  --> exp.toml:22:37, at claim[0].crossover.and
   |
22 | crossover = { of = "threads", and = "threads", axis = "tasks", between = [1, 10] }
   |                                     ^^^^^^^^^
   = help: name two models
"##;

    crossover_axis_not_swept:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"rounds\", between = [1, 10] }")
        => r##"error: crossover axis "rounds" is not swept in workload "io"
  --> exp.toml:22:58, at claim[0].crossover.axis
   |
22 | crossover = { of = "threads", and = "sequential", axis = "rounds", between = [1, 10] }
   |                                                          ^^^^^^^^
   = help: swept: tasks
"##;

    crossover_unknown_axis:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"speed\", between = [1, 10] }")
        => r##"error: unknown crossover axis "speed"
  --> exp.toml:22:58, at claim[0].crossover.axis
   |
22 | crossover = { of = "threads", and = "sequential", axis = "speed", between = [1, 10] }
   |                                                          ^^^^^^^
   = help: swept: tasks
"##;

    crossover_outside_the_sweep:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\", between = [1000, 2000] }")
        => r##"error: crossover between [1000, 2000] lies outside the values workload "io" sweeps tasks over
  --> exp.toml:22:77, at claim[0].crossover.between
   |
22 | crossover = { of = "threads", and = "sequential", axis = "tasks", between = [1000, 2000] }
   |                                                                             ^^^^^^^^^^^^
   = help: tasks: 1, 10, 100
"##;

    crossover_durations_for_a_count:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\", between = [\"1ms\", \"2ms\"] }")
        => r##"error: crossover between gives durations, and tasks is a count
  --> exp.toml:22:77, at claim[0].crossover.between
   |
22 | crossover = { of = "threads", and = "sequential", axis = "tasks", between = ["1ms", "2ms"] }
   |                                                                             ^^^^^^^^^^^^^^
   = help: give two numbers: between = [2, 10]
"##;

    crossover_with_a_limit:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = \"1ms\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\", between = [1, 10] }")
        => r##"error: a crossover claim has no `model`: it claims where the curves of crossover.of and crossover.and cross
  --> exp.toml:22:9, at claim[0].model
   |
22 | model = "threads"
   |         ^^^^^^^^^
   = help: remove `model`, or make it a [[claim]] of its own

error: a crossover claim has no `at_most`: it claims where the curves of crossover.of and crossover.and cross
  --> exp.toml:23:11, at claim[0].at_most
   |
23 | at_most = "1ms"
   |           ^^^^^
   = help: remove `at_most`, or make it a [[claim]] of its own
"##;

    crossover_of_speedup:
        &claim("", "workload = \"io\"\nmetric = \"speedup\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\", between = [1, 10] }")
        => r##"error: a crossover compares times, and speedup is not one
  --> exp.toml:22:10, at claim[0].metric
   |
22 | metric = "speedup"
   |          ^^^^^^^^^
   = help: use metric = "wall" (the default), "cpu", or a group's time
"##;

    crossover_missing_between:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\" }")
        => r##"error: a crossover is missing the key `between`
  --> exp.toml:22:13, at claim[0].crossover.between
   |
22 | crossover = { of = "threads", and = "sequential", axis = "tasks" }
   |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: add between = [2, 10] (where the curves cross)
"##;

    crossover_where_names_its_axis:
        &claim("", "workload = \"io\"\ncrossover = { of = \"threads\", and = \"sequential\", axis = \"tasks\", between = [1, 10] }\nwhere = { tasks = 10 }")
        => r##"error: `where` names tasks, the axis the crossover runs along
  --> exp.toml:23:9, at claim[0].where
   |
23 | where = { tasks = 10 }
   |         ^^^^^^^^^^^^^^
   = help: remove tasks from `where`; the crossover looks at all of its values
"##;

    claim_unknown_key:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_mots = \"1ms\"")
        => r##"error: unknown key `at_mots` in [[claim]]
  --> exp.toml:23:1, at claim[0].at_mots
   |
23 | at_mots = "1ms"
   | ^^^^^^^
   = help: did you mean `at_most`?

error: [[claim]] says nothing to check
  --> exp.toml:20:1, at claim[0]
   |
20 | [[claim]]
   | ^^^^^^^^^
   = help: add at_most, at_least or between (or a crossover = { of, and, axis, between })
"##;

    claim_limit_of_another_type:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = true")
        => r##"error: `at_most` must be a duration or a number, not true/false
  --> exp.toml:23:11, at claim[0].at_most
   |
23 | at_most = true
   |           ^^^^
   = help: write a duration such as "120ms" (wall, cpu and the group metrics) or a number (speedup, efficiency)
"##;

    claim_negative_ratio:
        &claim("", "workload = \"io\"\nmodel = \"threads\"\nat_most = { ratio = -1, of = \"sequential\" }")
        => r##"error: `ratio` must be a finite number, zero or more
  --> exp.toml:23:21, at claim[0].at_most.ratio
   |
23 | at_most = { ratio = -1, of = "sequential" }
   |                     ^^
"##;

    rate_above_the_most:
        "[[workload]]\narrival = { rate = 20_000_000 }\nrequests = 10\n[[model]]\nkind = \"threads\"\n"
        => r##"error: `rate` = 20000000 is too large
 --> exp.toml:2:20, at workload[0].arrival.rate
  |
2 | arrival = { rate = 20_000_000 }
  |                    ^^^^^^^^^^
  = help: conlab accepts at most 10000000 requests per second
"##;

}
