//! `io = "tcp"`: every model does its IO over loopback sockets to a delay
//! server that lives exactly as long as its run.

use crate::common::*;

/// Delay servers started by the conlab under test: processes whose
/// command line names the delay server and whose program is this build's
/// `conlab` (other checkouts on the machine may be running their tests).
fn delay_servers() -> usize {
    let ours = std::fs::canonicalize(env!("CARGO_BIN_EXE_conlab")).ok();
    // A failed read of /proc must not pass a leak check by finding none.
    let entries = std::fs::read_dir("/proc").unwrap_or_else(|e| panic!("cannot list /proc: {e}"));
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains("__delay-server"))
        })
        .filter(|e| {
            // A process that has exited but not been reaped has no program
            // to read: count it, it still outlived its run.
            std::fs::read_link(e.path().join("exe")).map_or(true, |exe| Some(exe) == ours)
        })
        .count()
}

const EVERY_MODEL: &str = r#"
[[model]]
kind = "sequential"
[[model]]
kind = "threads"
[[model]]
kind = "thread-pool"
workers = 4
[[model]]
kind = "async"
[[model]]
kind = "async-multi"
[[model]]
kind = "gil-threads"
[[model]]
kind = "processes"
workers = 2
[[model]]
kind = "async-blocking"
[[model]]
kind = "polling"
poll_interval = "100us"
"#;

#[test]
fn every_model_waits_over_tcp_about_as_long_as_on_timers() {
    let _cores = serial();
    let dir = tempdir();
    let file = write(
        dir.path(),
        "tcp.toml",
        &format!(
            "[experiment]\nrepetitions = 3\nwarmup = 1\n\
             [[workload]]\nname = \"timer\"\ntasks = 4\nio_latency = \"10ms\"\nrounds = 2\n\
             [[workload]]\nname = \"tcp\"\ntasks = 4\nio_latency = \"10ms\"\nrounds = 2\nio = \"tcp\"\n\
             {EVERY_MODEL}"
        ),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    for variant in [
        "sequential",
        "threads",
        "thread-pool workers=4",
        "async",
        "async-multi",
        "gil-threads",
        "processes workers=2",
        "async-blocking",
        "polling poll_interval=100us",
    ] {
        let timer = median(&cells, "timer", variant);
        let tcp = median(&cells, "tcp", variant);
        // Within half again and 10 ms of the same waits on timers: a
        // `processes` that served its two workers one after the other
        // (80 ms against 40) would fail this.
        assert!(
            tcp > 0.5 * timer && tcp < 1.5 * timer + 10.0,
            "{variant}: tcp {tcp} ms against timer {timer} ms"
        );
        // The server wakes after each deadline, and not by a whole wait.
        let served = field(&cells, "tcp", variant, "server_overshoot_median_us");
        assert!(
            served > 0.0 && served < 10_000.0,
            "{variant}: the server answered {served} µs late"
        );
    }
    assert_eq!(delay_servers(), 0, "a delay server outlived its run");
}

/// A stand-in for the interpreter of a `python-*` model: it answers
/// conlab's version probe and, for the run, starts a `sleep` that stays in
/// the run's process group, writes its pid next to the script and waits.
/// The `sleep` has no parent-death signal (conlab sets one on its worker,
/// its delay server and the interpreter, and a fork does not inherit it),
/// like the pool workers a real `python-processes` forks: when its parent
/// dies it lives on, unless the whole group is killed.
fn python_leaving_a_grandchild(dir: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = write(
        dir,
        "python",
        "#!/bin/sh\n\
         case \"$*\" in *conlab-probe*) echo 'conlab-probe cpython 3 12 0'; exit 0 ;; esac\n\
         sleep 300 &\n\
         echo $! > \"$0.grandchild\"\n\
         wait\n",
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("cannot make {} executable: {e}", path.display()));
    path
}

/// Whether `pid` is still the `sleep 300` the stand-in started: a zombie
/// (killed, not yet reaped by whoever inherited it) or another program
/// under a reused pid is not.
fn sleeping(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The state follows the command name's closing parenthesis.
    let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    matches!(state, Some(Some(s)) if s != 'Z') && cmdline == b"sleep\x00300\x00"
}

#[test]
fn a_run_killed_by_its_timeout_takes_its_whole_process_group() {
    let _cores = serial();
    let dir = tempdir();
    let python = python_leaving_a_grandchild(dir.path());
    // 3 s: the stand-in must have started its `sleep` before the kill,
    // even on a busy machine.
    let file = write(
        dir.path(),
        "hang.toml",
        &format!(
            "[experiment]\nrepetitions = 1\nwarmup = 0\ntimeout = \"3s\"\n\
             [[workload]]\nname = \"hangs\"\ntasks = 2\nio_latency = \"60s\"\nio = \"tcp\"\n\
             [[model]]\nkind = \"threads\"\n[[model]]\nkind = \"processes\"\nworkers = 2\n\
             [[model]]\nkind = \"python-sequential\"\npython = \"{}\"\n",
            python.display()
        ),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 1, "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(runs.iter().all(|r| r["status"] == "timed_out"), "{runs:?}");
    let pid_file = dir.path().join("python.grandchild");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap_or_else(|e| panic!("the stand-in interpreter never ran ({e}): {stderr}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", pid_file.display()));
    // conlab has exited: the kill was sent before. Poll rather than sleep
    // a fixed time, with a deadline no busy machine reaches.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sleeping(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let survived = sleeping(pid);
    if survived {
        // SAFETY: kill has no memory effects; `pid` is the test's own
        // `sleep 300`, still running (checked just above).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(
        !survived,
        "the stand-in interpreter's child (pid {pid}) outlived its killed run: \
         only the worker was killed, not its process group"
    );
    // The delay servers die too (they would by their parent-death signal
    // alone, so this proves less).
    for _ in 0..50 {
        if delay_servers() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(delay_servers(), 0, "a delay server outlived its killed run");
}

#[test]
fn the_python_models_wait_over_tcp_through_the_real_server() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let file = write(
        dir.path(),
        "pytcp.toml",
        "[experiment]\nrepetitions = 3\nwarmup = 0\n\
         [[workload]]\nname = \"tcp\"\ntasks = 4\nio_latency = \"10ms\"\nrounds = 2\nio = \"tcp\"\n\
         [[model]]\nkind = \"python-sequential\"\n[[model]]\nkind = \"python-threads\"\n\
         [[model]]\nkind = \"python-thread-pool\"\nworkers = 4\n[[model]]\nkind = \"python-asyncio\"\n\
         [[model]]\nkind = \"python-processes\"\nworkers = 2\n",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    let sequential = median(&cells, "tcp", "python-sequential");
    // 4 tasks × 2 rounds × 10 ms, one after another.
    assert!(
        sequential > 0.9 * 80.0,
        "python-sequential took {sequential} ms"
    );
    for variant in [
        "python-threads",
        "python-thread-pool workers=4",
        "python-asyncio",
    ] {
        // Best of three: a busy machine slows some runs (seen: a median of
        // 69.9 ms for the pool at load 5), and a model that waited one task
        // after another could not do better than the 80 ms of waits.
        let m = field(&cells, "tcp", variant, "wall_min_ms");
        assert!(
            m < 0.5 * sequential,
            "{variant} took {m} ms at best, sequential {sequential} ms"
        );
    }
    assert_eq!(delay_servers(), 0, "a delay server outlived its run");
}
