//! `conlab schema`: the experiment file as a JSON Schema (draft 2020-12),
//! generated from the key declarations, so editors (Taplo, Even Better
//! TOML) complete and check the same keys the reader accepts. The schema
//! says what one key can say: types, ranges, words, the duration grammar,
//! which parameters a model kind takes, and that a workload sets its tasks
//! or has groups. Cross-references (a chart's workload, a model's name)
//! are for `conlab validate`.

use serde_json::{Map, Value as Json, json};

use super::arrival::MAX_RATE;
use super::duration::{GRAMMAR, PATTERN};
use super::field::Field;
use super::keys::{
    ARRIVAL, CHART, CLAIM, CROSSOVER, DISTRIBUTION, DISTRIBUTIONS, DISTS, EXPERIMENT, Fallback,
    GROUP, Key, MODEL, NameRule, Read, Section, TOP_LEVEL, WORKLOAD,
};
use super::kind::ModelKind;
use super::param::Param;

/// Characters no name may contain: control characters and bidirectional
/// controls, as a regular-expression class.
const HIDDEN: &str = r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]";

/// The name of a section's definition: `[[workload.group]]` → `workload.group`.
fn def_name(title: &str) -> &str {
    title.trim_matches(|c| c == '[' || c == ']')
}

fn reference(def: &str) -> Json {
    json!({ "$ref": format!("#/$defs/{def}") })
}

/// One value or a non-empty list of different ones.
fn sweep(one: Json) -> Json {
    json!({ "anyOf": [one.clone(), { "type": "array", "minItems": 1, "uniqueItems": true, "items": one }] })
}

fn name(rule: NameRule) -> Json {
    let mut not = vec![json!({ "pattern": HIDDEN })];
    match rule {
        NameRule::Directory => not.push(json!({ "pattern": "[/\\\\]|^\\." })),
        NameRule::Group => not.push(json!({ "pattern": "[.;=\\s]" })),
        NameRule::Label => {}
    }
    json!({ "type": "string", "pattern": "\\S", "not": { "anyOf": not } })
}

fn value<S>(read: &Read<S>) -> Json {
    let duration = |zero: bool| {
        reference(if zero {
            "duration"
        } else {
            "positive-duration"
        })
    };
    match read {
        Read::Text(_) => json!({ "type": "string" }),
        Read::Name(rule, _) => name(*rule),
        Read::Program(_) => json!({ "type": "string", "pattern": "\\S" }),
        Read::Flag(_) => json!({ "type": "boolean" }),
        Read::Count((min, max), _) => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Read::Counts((min, max), _) => {
            sweep(json!({ "type": "integer", "minimum": min, "maximum": max }))
        }
        Read::Duration(zero, _) => duration(*zero),
        Read::Durations(zero, _) => sweep(duration(*zero)),
        Read::Latencies(_) => sweep(reference("latency")),
        Read::Rates(_) => {
            sweep(json!({ "type": "number", "exclusiveMinimum": 0, "maximum": MAX_RATE }))
        }
        Read::Arrival(_) => reference("arrival"),
        Read::Choice(choices, _) => json!({ "enum": choices.names }),
        Read::Words(choices, _) => sweep(json!({ "enum": choices.names })),
        Read::Texts(_) => sweep(json!({ "type": "string" })),
        Read::Command(_) => json!({
            "type": "array",
            "minItems": 1,
            "prefixItems": [{ "type": "string", "pattern": "\\S" }],
            "items": { "type": "string" }
        }),
        Read::Tables(title) => {
            json!({ "type": "array", "minItems": 1, "items": reference(def_name(title)) })
        }
        Read::Limit(_) => reference("limit"),
        Read::Limits(_) => reference("limits"),
        Read::Points(_) => json!({
            "anyOf": [reference("point"), { "type": "array", "minItems": 1, "items": reference("point") }]
        }),
        Read::Range(_) => json!({
            "anyOf": [pair(json!({ "type": "number", "minimum": 0 })), pair(reference("duration"))]
        }),
        Read::Crossover(_) => reference("crossover"),
    }
}

/// A list of exactly two `item`s.
fn pair(item: Json) -> Json {
    json!({ "type": "array", "minItems": 2, "maxItems": 2, "items": item })
}

/// The definitions a claim's values use: limits, a point of the sweeps.
fn claim_defs(defs: &mut Map<String, Json>) {
    let number = json!({ "type": "number", "minimum": 0 });
    let ratio = json!({ "type": "number", "exclusiveMinimum": 0 });
    let ratio_of = |ratio: Json| {
        json!({
            "type": "object",
            "properties": {
                "ratio": ratio,
                "of": { "type": "string", "description": "the model the ratio is of, by name" }
            },
            "required": ["ratio", "of"],
            "additionalProperties": false
        })
    };
    defs.insert(
        "limit".into(),
        json!({ "anyOf": [reference("duration"), number.clone(), ratio_of(ratio.clone())] }),
    );
    defs.insert(
        "limits".into(),
        json!({ "anyOf": [pair(reference("duration")), pair(number), ratio_of(pair(ratio))] }),
    );
    let keys = Field::ALL.map(Field::key).join("|");
    let value = json!({ "anyOf": [{ "type": "integer", "minimum": 0 }, reference("duration")] });
    defs.insert(
        "point".into(),
        json!({
            "type": "object",
            "minProperties": 1,
            "propertyNames": { "pattern": format!("^(([^.;=\\s]+\\.)?({keys})|machine)$") },
            "properties": { "machine": sweep(json!({ "type": "string" })) },
            "additionalProperties": sweep(value)
        }),
    );
    defs.insert("crossover".into(), Json::Object(object(&[&CROSSOVER], &[])));
}

/// A claim states either limits or a crossover, and `between` or its
/// two halves.
fn claim() -> Json {
    let mut object = object(&[&CLAIM], &[]);
    object.insert(
        "allOf".into(),
        json!([
            {
                "if": { "required": ["crossover"] },
                "then": { "properties": { "model": false, "at_most": false, "at_least": false, "between": false } }
            },
            {
                "if": { "required": ["between"] },
                "then": { "properties": { "at_most": false, "at_least": false } }
            }
        ]),
    );
    Json::Object(object)
}

fn property<S: Default>(key: &Key<S>, defaults: &S) -> Json {
    let mut schema = value(&key.read);
    let description = match &key.default {
        Fallback::Required(_) => format!("{} (required)", key.help),
        Fallback::Value(show) => format!("{} (default: {})", key.help, show(defaults)),
        Fallback::Derived(how) => format!("{} (default: {how})", key.help),
    };
    if let Some(object) = schema.as_object_mut() {
        object.insert("description".into(), Json::String(description));
    }
    schema
}

/// A table with the section's keys (and `extra` ones), and no others.
fn object<S: Default>(sections: &[&Section<S>], extra: &[(&str, Json)]) -> Map<String, Json> {
    let defaults = S::default();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for key in sections.iter().flat_map(|s| s.keys) {
        properties.insert(key.name.to_string(), property(key, &defaults));
        if matches!(key.default, Fallback::Required(_)) {
            required.push(key.name);
        }
    }
    for (name, schema) in extra {
        properties.insert(name.to_string(), schema.clone());
    }
    let mut object = Map::new();
    object.insert("type".into(), json!("object"));
    object.insert("properties".into(), Json::Object(properties));
    object.insert("required".into(), json!(required));
    object.insert("additionalProperties".into(), json!(false));
    object
}

/// A group has `tasks`, or `arrival` with exactly one of `requests` and
/// `duration` (and then no `tasks`).
fn tasks_or_arrivals() -> Json {
    json!({
        "if": { "required": ["arrival"] },
        "then": {
            "not": { "required": ["tasks"] },
            "oneOf": [{ "required": ["requests"] }, { "required": ["duration"] }]
        },
        "else": {
            "required": ["tasks"],
            "properties": { "requests": false, "duration": false }
        }
    })
}

/// A group: its keys, and [`tasks_or_arrivals`] instead of a plain
/// required `tasks`.
fn group() -> Json {
    let mut object = object(&[&GROUP], &[]);
    object.insert("required".into(), json!([]));
    object.insert("allOf".into(), json!([tasks_or_arrivals()]));
    Json::Object(object)
}

/// A workload either sets its group's keys itself or has groups, which
/// then set them.
fn workload() -> Json {
    let defaults = Default::default();
    let own: Vec<&Key<_>> = GROUP.keys.iter().filter(|k| k.name != "name").collect();
    let mut object = object(&[&WORKLOAD], &[]);
    let mut forbidden = Map::new();
    if let Some(Json::Object(properties)) = object.get_mut("properties") {
        for key in &own {
            properties.insert(key.name.to_string(), property(key, &defaults));
            forbidden.insert(key.name.to_string(), json!(false));
        }
    }
    object.insert("if".into(), json!({ "required": ["group"] }));
    object.insert("then".into(), json!({ "properties": forbidden }));
    object.insert("else".into(), tasks_or_arrivals());
    Json::Object(object)
}

/// A model takes only its kind's parameters.
fn model() -> Json {
    let mut object = object(&[&MODEL], &[]);
    let rules: Vec<Json> = Param::ALL
        .into_iter()
        .map(|param| {
            let takers = ModelKind::taking(param);
            json!({
                "if": { "required": ["kind"], "properties": { "kind": { "not": { "enum": takers } } } },
                "then": { "not": { "required": [param.as_str()] } }
            })
        })
        .collect();
    object.insert("allOf".into(), Json::Array(rules));
    Json::Object(object)
}

/// The JSON Schema of an experiment file.
pub fn json_schema() -> Json {
    let mut defs = Map::new();
    defs.insert(
        "duration".into(),
        json!({ "type": "string", "pattern": PATTERN, "description": GRAMMAR }),
    );
    defs.insert(
        "positive-duration".into(),
        json!({
            "allOf": [reference("duration")],
            "not": { "pattern": "^0*\\.?0*[a-zµ]+$" },
            "description": format!("{GRAMMAR}; longer than zero")
        }),
    );
    let mut latencies = vec![reference("duration")];
    for (section, dist) in DISTRIBUTIONS.iter().zip(DISTS.names) {
        let dist_key = json!({ "const": dist, "description": DISTRIBUTION.keys[0].help });
        let schema = object(&[section], &[("dist", dist_key)]);
        let mut schema = Json::Object(schema);
        if let Some(Json::Array(required)) = schema.get_mut("required") {
            required.insert(0, json!("dist"));
        }
        defs.insert(format!("{dist}-distribution"), schema);
        latencies.push(reference(&format!("{dist}-distribution")));
    }
    defs.insert("latency".into(), json!({ "anyOf": latencies }));
    defs.insert(
        def_name(EXPERIMENT.title).into(),
        Json::Object(object(&[&EXPERIMENT], &[])),
    );
    defs.insert(def_name(WORKLOAD.title).into(), workload());
    defs.insert(def_name(GROUP.title).into(), group());
    defs.insert("arrival".into(), Json::Object(object(&[&ARRIVAL], &[])));
    defs.insert(def_name(MODEL.title).into(), model());
    defs.insert(
        def_name(CHART.title).into(),
        Json::Object(object(&[&CHART], &[])),
    );
    claim_defs(&mut defs);
    defs.insert(def_name(CLAIM.title).into(), claim());
    let mut properties = Map::new();
    for (key, help) in TOP_LEVEL {
        let schema = if key == "experiment" {
            json!({ "allOf": [reference(key)], "description": help })
        } else {
            // A file needs a workload and a model; charts and claims are
            // optional.
            let least = u32::from(!matches!(key, "chart" | "claim"));
            json!({ "type": "array", "minItems": least, "items": reference(key), "description": help })
        };
        properties.insert(key.to_string(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "conlab experiment file",
        "description": "An experiment for conlab: workloads, concurrency models and charts. \
                        Generated by `conlab schema` from the keys conlab reads.",
        "type": "object",
        "properties": properties,
        "required": ["workload", "model"],
        "additionalProperties": false,
        "$defs": defs
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(toml_text: &str) -> Json {
        toml::from_str::<Json>(toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}"))
    }

    fn validator() -> jsonschema::Validator {
        let schema = json_schema();
        assert!(
            jsonschema::meta::is_valid(&schema),
            "not a valid JSON Schema"
        );
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every file the repository ships is valid by the schema, as it is by
    /// the reader.
    #[test]
    fn every_shipped_file_fits_the_schema() {
        let validator = validator();
        let files = crate::config::fuzz::sample_files();
        assert!(files.len() >= 10);
        for path in files.iter().filter(|p| !p.ends_with("typo.toml")) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let instance = json(&text);
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        }
    }

    /// A sample of what `validate` rejects, which the schema rejects too.
    #[test]
    fn the_schema_rejects_what_validate_rejects() {
        let validator = validator();
        let base = "[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n";
        let group = "[[workload]]\nname = \"w\"\n[[workload.group]]\ntasks = 1\n";
        let models = "[[model]]\nkind = \"threads\"\n";
        let rejected = [
            ("the typo fixture", include_str!("../../tests/fixtures/typo.toml").to_string()),
            ("an unknown key", format!("{base}[experiment]\nrepetitons = 3\n")),
            ("an unknown top-level key", format!("colour = 1\n{base}")),
            ("a wrong type", "[[workload]]\ntasks = \"ten\"\n[[model]]\nkind = \"threads\"\n".into()),
            ("an unknown model kind", "[[workload]]\ntasks = 1\n[[model]]\nkind = \"fibers\"\n".into()),
            ("no tasks", format!("[[workload]]\nname = \"w\"\n{models}")),
            ("no model", "[[workload]]\ntasks = 1\n".into()),
            ("zero tasks", "[[workload]]\ntasks = 0\n[[model]]\nkind = \"threads\"\n".into()),
            ("a duration without unit", format!("{base}[experiment]\ntimeout = \"50\"\n")),
            ("a duration with a plus", "[[workload]]\ntasks = 1\ncpu_cost = \"1+2ms\"\n[[model]]\nkind = \"threads\"\n".into()),
            ("a zero switch interval", "[[workload]]\ntasks = 1\n[[model]]\nkind = \"gil-threads\"\nswitch_interval = \"0ms\"\n".into()),
            ("a parameter of another kind", "[[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\nworkers = 4\n".into()),
            ("a repeated sweep value", "[[workload]]\ntasks = [1, 1]\n[[model]]\nkind = \"threads\"\n".into()),
            ("an unknown distribution", "[[workload]]\ntasks = 1\nio_latency = { dist = \"gauss\", mean = \"1ms\" }\n[[model]]\nkind = \"threads\"\n".into()),
            ("tasks beside groups", format!("{group}tasks = 2\n{models}").replacen("[[workload.group]]\ntasks = 1\ntasks = 2", "tasks = 2\n[[workload.group]]\ntasks = 1", 1)),
            ("io in a group", format!("{group}io = \"tcp\"\n{models}")),
            ("a group name with a dot", format!("{group}name = \"a.b\"\n{models}")),
            ("a name with a right-to-left override", format!("{base}[experiment]\nname = \"a\\u202Eb\"\n")),
            ("an unknown chart y", format!("{base}[[chart]]\nworkload = \"workload-1\"\ny = \"latency\"\n")),
            ("an unknown claim metric", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\nmetric = \"latency\"\nat_most = \"1ms\"\n")),
            ("a ratio without its model", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\nat_most = {{ ratio = 0.4 }}\n")),
            ("a claim's between of one value", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\nbetween = [\"1ms\"]\n")),
            ("between beside at_most", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\nbetween = [\"1ms\", \"2ms\"]\nat_most = \"3ms\"\n")),
            ("a where of an unknown key", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\nat_most = \"1ms\"\nwhere = {{ speed = 1 }}\n")),
            ("a crossover with a model", format!("{base}[[claim]]\nworkload = \"workload-1\"\nmodel = \"threads\"\ncrossover = {{ of = \"a\", and = \"b\", axis = \"tasks\", between = [1, 2] }}\n")),
            ("a crossover without between", format!("{base}[[claim]]\nworkload = \"workload-1\"\ncrossover = {{ of = \"a\", and = \"b\", axis = \"tasks\" }}\n")),
        ];
        for (what, text) in rejected {
            assert!(
                crate::config::from_text("x.toml", &text, "x").is_err(),
                "validate accepts {what}"
            );
            assert!(
                !validator.is_valid(&json(&text)),
                "the schema accepts {what}:\n{text}"
            );
        }
    }

    #[test]
    fn the_schema_offers_each_key_with_its_help() {
        let schema = json_schema();
        let tasks = &schema["$defs"]["workload.group"]["properties"]["tasks"]["description"];
        assert_eq!(
            tasks,
            "how many identical tasks; a list is a sweep axis (so is any numeric key) (required)"
        );
        let kinds = &schema["$defs"]["model"]["properties"]["kind"]["enum"];
        assert_eq!(kinds.as_array().map(Vec::len), Some(ModelKind::ALL.len()));
    }
}
