//! What a runner writes on stdout (runner protocol, version
//! [`PROTOCOL`]), read and checked against the job, and how it becomes a
//! [`ModelRun`]: the runner's timestamps are on conlab's own clock
//! (`CLOCK_MONOTONIC`), so they go into the run's records unchanged.
//! `docs/src/runner-reply.schema.json` says the same as a JSON Schema,
//! which a test holds these types to.

use serde::Deserialize;

use super::request::{PROTOCOL, Request};
use crate::measure::Usage;
use crate::model::{ModelRun, Records, Span, SpanKind, WaitLog};

/// How much earlier than its deadline a wait may be reported as resumed:
/// clocks kept as float seconds (asyncio's) round by less than this.
pub const EARLY_TOLERANCE_NS: u64 = 1_000;

/// The last line of a runner's stdout, as sent.
#[derive(Debug, Deserialize)]
struct Wire {
    protocol: Option<u64>,
    #[serde(default)]
    refused: Option<String>,
    #[serde(default)]
    runtime: Option<Runtime>,
    #[serde(default)]
    t0: Option<u64>,
    #[serde(default)]
    startup_usage: Option<Usage>,
    #[serde(default)]
    tasks: Option<Vec<TaskReply>>,
    #[serde(default)]
    shared: Vec<Option<CounterReply>>,
}

/// What runtime ran the job, as the runner says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Runtime {
    /// `python`, `node`, or a custom runner's own word.
    pub name: String,
    /// The runtime's version as it gives it (`3.11.7`, `v20.20.2`).
    pub version: String,
    /// Python: `cpython`, `pypy`, ….
    #[serde(default)]
    pub implementation: Option<String>,
    /// Python: whether the interpreter runs with a GIL.
    #[serde(default)]
    pub gil: Option<bool>,
}

impl Runtime {
    /// `node v20.20.2`, `python 3.11.7 (cpython, GIL)`.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}", self.name, self.version);
        let mut extra = Vec::new();
        if let Some(i) = &self.implementation {
            extra.push(i.clone());
        }
        if let Some(gil) = self.gil {
            extra.push(if gil { "GIL" } else { "no GIL" }.to_string());
        }
        if !extra.is_empty() {
            text.push_str(&format!(" ({})", extra.join(", ")));
        }
        text
    }
}

/// A runner's answer: it ran the job, or it refused it.
#[derive(Debug)]
pub enum Answer {
    Ran(Ran),
    /// It cannot run this job (a mode it lacks, a counter it has not):
    /// the cell is skipped with the reason.
    Refused {
        reason: String,
    },
}

/// The reply of a runner that ran the job.
#[derive(Debug)]
pub struct Ran {
    pub runtime: Runtime,
    /// Taken right before the model started: the start of wall time.
    pub t0: u64,
    /// What the runner used before `t0`; absent where it cannot tell.
    pub startup_usage: Option<Usage>,
    /// One record per task, in task order.
    pub tasks: Vec<TaskReply>,
    /// Each group's shared counter at the end, in group order (`None` for
    /// a group without one).
    pub shared: Vec<Option<CounterReply>>,
}

/// One group's shared counter at the end of the run.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct CounterReply {
    /// The counter's value.
    #[serde(rename = "final")]
    pub value: u64,
    /// Time tasks waited for its lock, all together.
    pub lock_wait_ns: u64,
}

/// One task's record.
#[derive(Debug, Deserialize)]
pub struct TaskReply {
    pub start: u64,
    pub end: u64,
    /// Per IO wait, in round order: `[deadline, completed, resumed]`, when
    /// it was due, when the IO completed (a sleep's deadline; when the
    /// delay server sent its answer) and when the task ran again.
    pub waits: Vec<[u64; 3]>,
    /// CPU the task's bursts took on the clock of the thread that ran them.
    pub cpu_ns: u64,
    /// `[kind, start, end, thread]`; empty without a timeline.
    #[serde(default)]
    pub spans: Vec<(SpanKind, u64, u64, u32)>,
}

impl TaskReply {
    /// Whether the task ended (an end of 0: left unfinished at the stop).
    pub fn finished(&self) -> bool {
        self.end != 0
    }
}

/// Reads the reply: the last non-empty line of stdout (anything a runtime
/// prints on its own, a site hook or a warning, comes before it).
pub fn parse(stdout: &[u8]) -> Result<Answer, String> {
    let text = String::from_utf8_lossy(stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .ok_or("it printed nothing on stdout")?;
    let wire: Wire = serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(80).collect();
        format!("its last line is not a reply ({e}): {shown:?}")
    })?;
    match wire.protocol {
        Some(p) if p == u64::from(PROTOCOL) => {}
        Some(p) => {
            let fix = if p < u64::from(PROTOCOL) {
                "the runner is older than this conlab: update it to protocol 5 (the book's \
                 chapter \"The runner protocol\" says what changed)"
            } else {
                "the runner is newer than this conlab: update conlab"
            };
            return Err(format!(
                "it speaks runner protocol {p} and conlab speaks {PROTOCOL}; {fix}"
            ));
        }
        None => return Err("its reply has no \"protocol\"".to_string()),
    }
    if let Some(reason) = wire.refused {
        return Ok(Answer::Refused { reason });
    }
    let runtime = wire
        .runtime
        .ok_or("its reply has no \"runtime\" (name and version), which protocol 5 requires")?;
    if runtime.name.trim().is_empty() || runtime.version.trim().is_empty() {
        return Err("its reply's \"runtime\" has an empty name or version".to_string());
    }
    if runtime.name == "python" && (runtime.implementation.is_none() || runtime.gil.is_none()) {
        return Err(
            "its reply's \"runtime\" is Python's but does not say its \"implementation\" and \
             \"gil\""
                .to_string(),
        );
    }
    let t0 = match wire.t0 {
        Some(t0) if t0 > 0 => t0,
        _ => return Err("its reply has no \"t0\"".to_string()),
    };
    let tasks = wire.tasks.ok_or("its reply has no \"tasks\"")?;
    Ok(Answer::Ran(Ran {
        runtime,
        t0,
        startup_usage: wire.startup_usage,
        tasks,
        shared: wire.shared,
    }))
}

impl Ran {
    /// Whether the reply fits the job it answers: a record per task, times
    /// in order, every IO wait of a finished task reported and none early,
    /// a counter for each group that keeps one. The first problem found.
    pub fn fits(&self, job: &Request) -> Result<(), String> {
        if self.tasks.len() != job.tasks() {
            return Err(format!(
                "{} task records for {} tasks",
                self.tasks.len(),
                job.tasks()
            ));
        }
        for (i, task) in self.tasks.iter().enumerate() {
            // An end of 0: unfinished at the run's stop (and, if never
            // handed out, no start either).
            let unfinished = !task.finished() && (task.start == 0 || task.start >= self.t0);
            if !unfinished && (task.end < task.start || task.start < self.t0) {
                return Err(format!("task {i} has times out of order"));
            }
            let waits = job.waits_of(i);
            let reported = task.waits.len();
            if reported > waits || (task.finished() && reported != waits) {
                return Err(format!(
                    "task {i} reports {reported} IO waits of the {waits} it has"
                ));
            }
            for (k, &[deadline, _, resumed]) in task.waits.iter().enumerate() {
                if resumed.saturating_add(EARLY_TOLERANCE_NS) < deadline {
                    return Err(format!(
                        "task {i}'s wait {k} ended {} µs before its deadline; a runner never \
                         ends a wait early",
                        (deadline - resumed) / 1_000
                    ));
                }
            }
        }
        for (g, group) in job.groups.iter().enumerate() {
            if group.shared != "none" && !matches!(self.shared.get(g), Some(Some(_))) {
                return Err(format!("no shared counter reported for group {g}"));
            }
        }
        Ok(())
    }

    /// Fills `records` (task by task, in order) and makes the model's run.
    /// Call [`Ran::fits`] first.
    pub fn into_run(self, records: &Records) -> ModelRun {
        for (i, task) in self.tasks.into_iter().enumerate() {
            let mut record = records.task(i);
            record.ended(task.end);
            for [deadline, completed, resumed] in task.waits {
                record.wait(WaitLog {
                    overshoot_ns: resumed.saturating_sub(deadline),
                    wake_ns: resumed.saturating_sub(completed),
                });
            }
            for (kind, start_ns, end_ns, thread) in task.spans {
                record.push_span(Span {
                    task: i as u32,
                    kind,
                    start_ns,
                    end_ns,
                    thread,
                });
            }
        }
        ModelRun {
            wall_start_ns: Some(self.t0),
            startup_usage: self.startup_usage,
            ..ModelRun::new(self.t0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TASKS: &str = r#"{"protocol":5,"runtime":{"name":"python","version":"3.11.7","implementation":"cpython","gil":true},"t0":1000,
        "startup_usage":{"user_ns":40000000,"sys_ns":1000000,"ctx_voluntary":3,"ctx_involuntary":4,"peak_rss_kb":9000},
        "tasks":[{"start":1001,"end":1500,"waits":[[1300,1302,1307]],"cpu_ns":99,"spans":[["io",1001,1400,77],["cpu",1400,1500,77]]},
                 {"start":1002,"end":1600,"waits":[[1500,1500,1510]],"cpu_ns":0,"spans":[]}]}"#;

    fn job(n: usize) -> Request {
        Request {
            protocol: PROTOCOL,
            model: "threads".into(),
            workers: 1,
            cpu_ns: vec![0; n],
            latencies: vec![vec![300]; n],
            timeline: true,
            tcp: None,
            due: vec![0; n],
            order: (0..n).collect(),
            open_loop: false,
            stop_after: None,
            deadline: None,
            groups: vec![super::super::request::GroupRequest::none()],
            task_groups: vec![0; n],
        }
    }

    fn records(n: u64, trace: bool) -> Records {
        Records::new(&crate::model::job::simple_job(
            "python-threads",
            n,
            1,
            trace,
        ))
    }

    fn ran(text: &str) -> Result<Ran, String> {
        match parse(text.replace('\n', "").as_bytes())? {
            Answer::Ran(r) => Ok(r),
            Answer::Refused { reason } => Err(format!("refused: {reason}")),
        }
    }

    #[test]
    fn a_reply_fills_the_records_and_starts_wall_time_at_t0() {
        let stdout = format!(
            "a line from a site hook\n{}\n\n",
            TWO_TASKS.replace('\n', "")
        );
        let Ok(Answer::Ran(reply)) = parse(stdout.as_bytes()) else {
            panic!("not read")
        };
        assert_eq!(reply.fits(&job(2)), Ok(()));
        assert_eq!(reply.runtime.describe(), "python 3.11.7 (cpython, GIL)");
        let records = records(2, true);
        let run = reply.into_run(&records);
        assert_eq!(run.wall_start_ns, Some(1000));
        assert_eq!(run.ready_ns, 1000);
        // Overshoot from the deadline, wake-up from the completion.
        assert_eq!(
            records.waits(0).collect::<Vec<_>>(),
            [WaitLog {
                overshoot_ns: 7,
                wake_ns: 5
            }]
        );
        assert_eq!(records.end_ns(1), 1600);
        let spans = records.spans_of(0);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].kind, SpanKind::Cpu);
        assert_eq!(spans[1].thread, 77);
        assert_eq!(run.startup_usage.map(|u| u.user_ns), Some(40_000_000));
    }

    #[test]
    fn spans_are_dropped_when_no_timeline_was_asked_for() {
        let reply = ran(TWO_TASKS).unwrap_or_else(|e| panic!("{e}"));
        let records = records(2, false);
        reply.into_run(&records);
        assert!(records.spans().is_empty());
    }

    #[test]
    fn a_refusal_is_an_answer_with_its_reason() {
        let answer = parse(br#"{"protocol":5,"refused":"no atomic counter here"}"#);
        assert!(
            matches!(answer, Ok(Answer::Refused { ref reason }) if reason == "no atomic counter here"),
            "{answer:?}"
        );
    }

    #[test]
    fn another_protocol_says_which_side_to_update() {
        let older = parse(br#"{"protocol":4,"t0":1,"tasks":[]}"#).map(|_| ());
        assert_eq!(
            older,
            Err(
                "it speaks runner protocol 4 and conlab speaks 5; the runner is older than this \
                 conlab: update it to protocol 5 (the book's chapter \"The runner protocol\" says \
                 what changed)"
                    .to_string()
            )
        );
        let newer = parse(br#"{"protocol":6}"#).map(|_| ());
        assert!(
            newer
                .is_err_and(|e| e.ends_with("the runner is newer than this conlab: update conlab"))
        );
    }

    #[test]
    fn replies_that_do_not_fit_the_job_are_refused() {
        assert_eq!(
            parse(b"").map(|_| ()),
            Err("it printed nothing on stdout".to_string())
        );
        assert!(
            parse(b"Traceback (most recent call last): garbage\n")
                .map(|_| ())
                .is_err_and(|e| e.starts_with("its last line is not a reply"))
        );
        let fits = |text: &str, n: usize| ran(text).and_then(|r| r.fits(&job(n)));
        assert_eq!(
            fits(TWO_TASKS, 3),
            Err("2 task records for 3 tasks".to_string())
        );
        assert_eq!(
            fits(&TWO_TASKS.replace(r#""runtime":{"name":"python","version":"3.11.7","implementation":"cpython","gil":true},"#, ""), 2),
            Err("its reply has no \"runtime\" (name and version), which protocol 5 requires".to_string())
        );
        assert!(fits(&TWO_TASKS.replace(r#","gil":true"#, ""), 2).is_err());
        assert_eq!(
            fits(
                &TWO_TASKS.replace("[[1300,1302,1307]]", "[[1300,1302,1307],[1,1,1]]"),
                2
            ),
            Err("task 0 reports 2 IO waits of the 1 it has".to_string())
        );
        assert_eq!(
            fits(&TWO_TASKS.replace("[[1300,1302,1307]]", "[]"), 2),
            Err("task 0 reports 0 IO waits of the 1 it has".to_string())
        );
        assert_eq!(
            fits(
                &TWO_TASKS.replace("[[1500,1500,1510]]", "[[5000,5000,2000]]"),
                2
            ),
            Err(
                "task 1's wait 0 ended 3 µs before its deadline; a runner never ends a wait early"
                    .to_string()
            )
        );
        // Within the tolerance, a float clock's rounding.
        assert_eq!(
            fits(
                &TWO_TASKS.replace("[[1500,1500,1510]]", "[[2500,2500,1600]]"),
                2
            ),
            Ok(())
        );
        assert!(fits(&TWO_TASKS.replace("\"start\":1001", "\"start\":999"), 2).is_err());
        assert!(fits(&TWO_TASKS.replace("\"end\":1600", "\"end\":1001"), 2).is_err());
        // Unfinished at the run's stop: no end, and no start if never
        // handed out, and no more waits than it has.
        assert_eq!(
            fits(
                &TWO_TASKS.replace(
                    r#""start":1002,"end":1600,"waits":[[1500,1500,1510]]"#,
                    r#""start":0,"end":0,"waits":[]"#
                ),
                2
            ),
            Ok(())
        );
        let mut counted = job(2);
        counted.groups[0].shared = "racy".into();
        assert_eq!(
            ran(TWO_TASKS).and_then(|r| r.fits(&counted)),
            Err("no shared counter reported for group 0".to_string())
        );
    }
}
