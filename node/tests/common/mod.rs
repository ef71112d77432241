//! Running the `yoriai` binary from the integration tests.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_yoriai");

/// Run `yoriai --home HOME ARGS…`.
pub fn yoriai(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Run it with `--json`; it must succeed; its output parsed.
pub fn json(home: &Path, args: &[&str]) -> Value {
    let out = yoriai(home, &[&["--json"], args].concat());
    assert!(
        out.status.success(),
        "yoriai {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json output")
}

/// The titles of a project's ideas, sorted.
pub fn idea_titles(home: &Path, project: &str) -> Vec<String> {
    let v = json(home, &["show", project]);
    let mut t: Vec<String> = v["project"]["ideas"]
        .as_array()
        .expect("ideas")
        .iter()
        .map(|i| i["card"]["title"].as_str().expect("title").to_string())
        .collect();
    t.sort();
    t
}
