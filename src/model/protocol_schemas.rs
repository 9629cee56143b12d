//! The protocol as the book's JSON Schemas say it and as conlab's own
//! types speak it agree: every job conlab writes is valid against
//! `docs/src/runner-job.schema.json` and has exactly its fields, and the
//! built-in runners' real replies (and refusals) are valid against
//! `docs/src/runner-reply.schema.json` and read by [`reply::parse`].

use super::external::execute::{Bounds, End, execute};
use super::external::reply::{self, Answer};
use super::external::request::{GroupRequest, PROTOCOL, Request};
use super::{node, python};

const JOB_SCHEMA: &str = include_str!("../../docs/src/runner-job.schema.json");
const REPLY_SCHEMA: &str = include_str!("../../docs/src/runner-reply.schema.json");

fn schema(text: &str) -> (serde_json::Value, jsonschema::Validator) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        jsonschema::meta::is_valid(&value),
        "not a valid JSON Schema"
    );
    let validator = jsonschema::validator_for(&value).unwrap_or_else(|e| panic!("{e}"));
    (value, validator)
}

fn valid(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// A job of every kind of field: two groups (one with a counter), TCP,
/// arrivals, a stop and a deadline.
fn full_job() -> Request {
    Request {
        protocol: PROTOCOL,
        model: "threads".into(),
        workers: 2,
        cpu_ns: vec![1_000_000, 0, 0],
        latencies: vec![vec![2_000_000, 0], vec![1_000_000], vec![]],
        timeline: true,
        tcp: Some("127.0.0.1:4567".into()),
        due: vec![0, 1_000_000, 1_000_000],
        order: vec![0, 1, 2],
        open_loop: true,
        stop_after: Some(500_000_000),
        deadline: Some(123_456_789_000),
        groups: vec![
            GroupRequest::none(),
            GroupRequest {
                shared: "racy".into(),
                await_inside: true,
            },
        ],
        task_groups: vec![0, 1, 1],
    }
}

#[test]
fn the_job_conlab_writes_is_the_job_the_schema_describes() {
    let (value, validator) = schema(JOB_SCHEMA);
    let mut jobs = vec![full_job()];
    let mut plain = Request::new(
        &crate::model::job::test_job("python-threads", "sleep", false),
        "threads",
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    plain.model = "threads".into();
    jobs.push(plain);
    let properties: Vec<&String> = value["properties"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let required: Vec<&str> = value["required"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    for job in jobs {
        let json = serde_json::to_value(&job).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(valid(&validator, &json), Ok(()), "{json}");
        let mut fields: Vec<&String> = json
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        fields.sort();
        let mut described = properties.clone();
        described.sort();
        assert_eq!(
            fields, described,
            "the job's fields and the schema's properties"
        );
        let mut required = required.clone();
        required.sort();
        let fields: Vec<&str> = fields.iter().map(|s| s.as_str()).collect();
        assert_eq!(fields, required, "every field is required");
    }
    // What the schema refuses, conlab never writes.
    let mut wrong = serde_json::to_value(full_job()).unwrap_or_default();
    wrong["protocol"] = 4.into();
    assert!(valid(&validator, &wrong).is_err());
}

/// The last line a runner printed for `job`, and what conlab reads of it.
fn reply_of(argv: &[String], job: &Request) -> serde_json::Value {
    let input = serde_json::to_vec(job).unwrap_or_else(|e| panic!("{e}"));
    let bounds = Bounds {
        stdout: 1 << 20,
        stderr: 1 << 20,
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(60)),
    };
    let done = execute(argv, input, bounds).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(done.end, End::Exited(_)), "{:?}", done.end);
    let text = String::from_utf8_lossy(&done.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        reply::parse(line.as_bytes()).is_ok(),
        "conlab cannot read {line}"
    );
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn the_built_in_runners_replies_are_what_the_schema_describes() {
    let (_, validator) = schema(REPLY_SCHEMA);
    let mut job = full_job();
    job.tcp = None;
    job.deadline = None;
    job.stop_after = None;
    job.open_loop = false;
    job.due = vec![0; 3];
    let mut runners: Vec<(Vec<String>, &[&str])> = Vec::new();
    if python::probe(python::DEFAULT_INTERPRETER).is_ok() {
        runners.push((
            python::program(python::DEFAULT_INTERPRETER).argv,
            &[
                "sequential",
                "threads",
                "thread-pool",
                "asyncio",
                "asyncio-blocking",
                "processes",
            ],
        ));
    } else {
        crate::test_skip::skip(crate::test_skip::Reason::NoPython, "needs python3");
    }
    if node::probe(node::DEFAULT_NODE).is_ok() {
        runners.push((
            node::program(node::DEFAULT_NODE).argv,
            &["async", "workers"],
        ));
    } else {
        crate::test_skip::skip(crate::test_skip::Reason::NoNode, "needs node");
    }
    for (argv, modes) in runners {
        for &mode in modes {
            job.model = mode.into();
            let reply = reply_of(&argv, &job);
            assert_eq!(valid(&validator, &reply), Ok(()), "{mode}: {reply}");
            assert_eq!(reply["tasks"].as_array().map(Vec::len), Some(3), "{mode}");
        }
        // A refusal, as data.
        job.model = "no-such-model".into();
        let refusal = reply_of(&argv, &job);
        assert_eq!(valid(&validator, &refusal), Ok(()), "{refusal}");
        assert!(matches!(
            reply::parse(refusal.to_string().as_bytes()),
            Ok(Answer::Refused { .. })
        ));
    }
    // What the schema refuses, conlab refuses too.
    let v4 = serde_json::json!({"protocol": 4, "t0": 1, "tasks": []});
    assert!(valid(&validator, &v4).is_err());
    assert!(reply::parse(v4.to_string().as_bytes()).is_err());
    let no_runtime = serde_json::json!({"protocol": 5, "t0": 1, "tasks": []});
    assert!(valid(&validator, &no_runtime).is_err());
    assert!(reply::parse(no_runtime.to_string().as_bytes()).is_err());
}
