//! `conlab schema`: prints the experiment file's JSON Schema, generated
//! from the same key declarations the reader uses (see `config::keys`).

use super::{Exit, out, say};
use crate::config;

pub fn run() -> Exit {
    match serde_json::to_string_pretty(&config::json_schema()) {
        Ok(text) => {
            out(text);
            Exit::Ok
        }
        Err(e) => {
            say(format_args!("error: cannot write the schema: {e}"));
            Exit::RunsFailed
        }
    }
}
