//! What the Python runner writes on stdout, and how it becomes a
//! [`ModelRun`]: the runner's timestamps are on conlab's own clock
//! (`CLOCK_MONOTONIC`), so they go into the task logs unchanged.

use serde::Deserialize;

use super::request::PROTOCOL;
use crate::measure::Usage;
use crate::model::{ModelRun, Span, SpanKind, TaskLog, WaitLog};

/// The runner's answer.
#[derive(Debug, Deserialize)]
pub struct RunnerReply {
    pub protocol: u32,
    /// Taken right before the model started (before its threads, pool or
    /// event loop): the start of wall time.
    pub t0: u64,
    /// The interpreter's CPU time and context switches up to `t0`, its
    /// waited-for children included; absent without the resource module.
    pub startup_usage: Option<Usage>,
    /// One record per task, in task order.
    pub tasks: Vec<TaskReply>,
}

/// One task's record.
#[derive(Debug, Deserialize)]
pub struct TaskReply {
    pub start: u64,
    pub end: u64,
    pub overshoots: Vec<u64>,
    /// Per IO wait: from its completion until the task ran again.
    pub wakes: Vec<u64>,
    /// `[kind, start, end, thread]`: the native thread id, or the pool
    /// worker's pid for `python-processes`.
    pub spans: Vec<(SpanKind, u64, u64, u32)>,
}

impl RunnerReply {
    /// Reads the reply: the last non-empty line of stdout (anything the
    /// interpreter's site hooks may print comes before it).
    pub fn parse(stdout: &[u8]) -> Result<RunnerReply, String> {
        let text = String::from_utf8_lossy(stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .ok_or("it printed nothing")?;
        let reply: RunnerReply = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if reply.protocol != PROTOCOL {
            return Err(format!("protocol {}, expected {PROTOCOL}", reply.protocol));
        }
        Ok(reply)
    }

    /// Fills `logs` (one per task, in order) and makes the model's run;
    /// `rounds(i)` is how many rounds task i has.
    pub fn into_run(
        self,
        mut logs: Vec<TaskLog>,
        rounds: impl Fn(usize) -> usize,
    ) -> Result<ModelRun, String> {
        if self.tasks.len() != logs.len() {
            return Err(format!(
                "{} task records for {} tasks",
                self.tasks.len(),
                logs.len()
            ));
        }
        for (log, task) in logs.iter_mut().zip(self.tasks) {
            // An end of 0: unfinished at the run's stop (and, if never
            // handed out, no start either).
            let unfinished = task.end == 0 && (task.start == 0 || task.start >= self.t0);
            if !unfinished && (task.end < task.start || task.start < self.t0) {
                return Err(format!("task {} has times out of order", log.task));
            }
            let rounds = rounds(log.task as usize);
            if task.overshoots.len() > rounds || task.wakes.len() != task.overshoots.len() {
                return Err(format!(
                    "task {} reports {} IO waits and {} wake-ups in {rounds} rounds",
                    log.task,
                    task.overshoots.len(),
                    task.wakes.len()
                ));
            }
            log.start_ns = task.start;
            log.end_ns = task.end;
            log.waits = task
                .overshoots
                .iter()
                .zip(&task.wakes)
                .map(|(&overshoot_ns, &wake_ns)| WaitLog {
                    overshoot_ns,
                    wake_ns,
                })
                .collect();
            if log.trace {
                log.spans = task
                    .spans
                    .into_iter()
                    .map(|(kind, start_ns, end_ns, thread)| Span {
                        task: log.task,
                        kind,
                        start_ns,
                        end_ns,
                        thread,
                    })
                    .collect();
            }
        }
        Ok(ModelRun {
            wall_start_ns: Some(self.t0),
            startup_usage: self.startup_usage,
            ..ModelRun::new(self.t0, logs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TASKS: &str = r#"{"protocol":3,"t0":1000,"startup_usage":{"user_ns":40000000,"sys_ns":1000000,"ctx_voluntary":3,"ctx_involuntary":4,"peak_rss_kb":9000},
        "tasks":[{"start":1001,"end":1500,"overshoots":[7],"wakes":[9],"spans":[["io",1001,1400,77],["cpu",1400,1500,77]]},
                 {"start":1002,"end":1600,"overshoots":[],"wakes":[],"spans":[]}]}"#;

    fn logs(n: u32, trace: bool) -> Vec<TaskLog> {
        (0..n)
            .map(|i| TaskLog::new(i, 1, if trace { 16 } else { 0 }))
            .collect()
    }

    #[test]
    fn a_reply_fills_the_logs_and_starts_wall_time_at_t0() {
        let stdout = format!(
            "a line from a site hook\n{}\n\n",
            TWO_TASKS.replace('\n', "")
        );
        let reply = RunnerReply::parse(stdout.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let run = reply
            .into_run(logs(2, true), |_| 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.wall_start_ns, Some(1000));
        assert_eq!(run.ready_ns, 1000);
        assert_eq!(
            run.logs[0].waits,
            [WaitLog {
                overshoot_ns: 7,
                wake_ns: 9
            }]
        );
        assert_eq!(run.logs[1].end_ns, 1600);
        assert_eq!(run.logs[0].spans.len(), 2);
        assert_eq!(run.logs[0].spans[1].kind, SpanKind::Cpu);
        assert_eq!(run.logs[0].spans[1].thread, 77);
        assert_eq!(run.startup_usage.map(|u| u.user_ns), Some(40_000_000));
    }

    #[test]
    fn spans_are_dropped_when_no_timeline_was_asked_for() {
        let reply = RunnerReply::parse(TWO_TASKS.replace('\n', "").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let run = reply
            .into_run(logs(2, false), |_| 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(run.logs[0].spans.is_empty());
    }

    #[test]
    fn replies_that_do_not_fit_the_job_are_refused() {
        let parse = |s: &str| RunnerReply::parse(s.replace('\n', "").as_bytes());
        assert!(parse("").is_err());
        assert!(parse("Traceback").is_err());
        assert!(parse(&TWO_TASKS.replace("\"protocol\":3", "\"protocol\":2")).is_err());
        let wrong_count = parse(TWO_TASKS).and_then(|r| r.into_run(logs(3, false), |_| 1));
        assert_eq!(
            wrong_count.err().as_deref(),
            Some("2 task records for 3 tasks")
        );
        let too_many_waits = parse(&TWO_TASKS.replace("[7]", "[7,8]"))
            .and_then(|r| r.into_run(logs(2, false), |_| 1));
        assert!(too_many_waits.is_err());
        let before_t0 = parse(&TWO_TASKS.replace("\"start\":1001", "\"start\":999"))
            .and_then(|r| r.into_run(logs(2, false), |_| 1));
        assert!(before_t0.is_err());
        // Unfinished at the run's stop: no end, and no start if never
        // handed out; an end before a start is still refused.
        let unfinished =
            parse(&TWO_TASKS.replace("\"start\":1002,\"end\":1600", "\"start\":0,\"end\":0"))
                .and_then(|r| r.into_run(logs(2, false), |_| 1));
        assert_eq!(unfinished.map(|run| run.logs[1].end_ns).ok(), Some(0));
        let backwards = parse(&TWO_TASKS.replace("\"end\":1600", "\"end\":1001"))
            .and_then(|r| r.into_run(logs(2, false), |_| 1));
        assert!(backwards.is_err());
    }
}
