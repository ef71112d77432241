//! A real Polis conversation brought in, analysed, written back out in
//! Polis's layout and brought in again; and a conversation held here.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{json, yoriai};
use serde_json::Value;
use yoriai_crdt::insight::{adjusted_rand_index, polis};

/// participant id -> group, from `insight show --json`.
fn groups_of(show: &Value) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for g in show["insight"]["groups"].as_array().expect("groups") {
        let id = g["id"].as_u64().expect("id") as usize;
        for p in g["participants"].as_array().expect("participants") {
            m.insert(p.as_str().expect("id").to_string(), id);
        }
    }
    m
}

fn ari(export: &polis::Export, ours: &HashMap<String, usize>) -> f64 {
    let a: Vec<Option<usize>> = export
        .conversation
        .participants
        .iter()
        .map(|p| ours.get(p).copied())
        .collect();
    adjusted_rand_index(&a, &export.polis_group)
}

fn read_export(dir: &Path) -> polis::Export {
    let pv = std::fs::read_to_string(dir.join("participants-votes.csv")).expect("pv");
    let c = std::fs::read_to_string(dir.join("comments.csv")).expect("comments");
    polis::read(&pv, &c).expect("export")
}

#[test]
fn a_polis_export_round_trips_and_its_groups_match_polis() {
    let data = Path::new(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../shared/data/polis/ssis.land-bank-farmland.2rumnecbeh.2021-08-01");
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    json(&home, &["init", "--name", "Staff"]);
    let space = json(&home, &["space", "create", "Polis"])["id"]
        .as_str()
        .expect("space")
        .to_string();
    let imported = json(
        &home,
        &[
            "insight",
            "import-polis",
            data.to_str().expect("path"),
            &space,
        ],
    );
    let project = imported["id"].as_str().expect("project").to_string();
    let original = read_export(&data);
    assert_eq!(
        imported["votes"].as_u64(),
        Some(original.conversation.vote_count() as u64)
    );

    let show = json(&home, &["insight", "show", &project]);
    let ours = groups_of(&show);
    let score = ari(&original, &ours);
    assert!(score >= 0.75, "ARI {score} against Polis's own groups");
    // Representative and consensus statements name the export's ids.
    let keys: Vec<&str> = original
        .conversation
        .statements
        .iter()
        .map(String::as_str)
        .collect();
    for g in show["insight"]["groups"].as_array().expect("groups") {
        let reps = g["representative"].as_array().expect("reps");
        assert!(!reps.is_empty());
        for r in reps {
            assert!(keys.contains(&r["statement"].as_str().expect("id")));
        }
    }
    assert!(!show["insight"]["consensus"]
        .as_array()
        .expect("consensus")
        .is_empty());

    // Out in Polis's layout, and in again: the same votes, the same groups.
    let out = tmp.path().join("export");
    json(
        &home,
        &[
            "insight",
            "export",
            &project,
            "--out",
            out.to_str().expect("path"),
        ],
    );
    let written = read_export(&out);
    let voted: usize = original
        .conversation
        .votes
        .iter()
        .filter(|v| !v.is_empty())
        .count();
    assert_eq!(written.conversation.participants.len(), voted);
    assert_eq!(
        written.conversation.vote_count(),
        original.conversation.vote_count()
    );
    assert_eq!(written.text.len(), original.text.len());
    // The groups column carries this analysis.
    assert!((ari(&written, &ours) - 1.0).abs() < 1e-9);
    let again = json(
        &home,
        &[
            "insight",
            "import-polis",
            out.to_str().expect("path"),
            &space,
        ],
    );
    let show2 = json(
        &home,
        &["insight", "show", again["id"].as_str().expect("project")],
    );
    assert!((ari(&written, &groups_of(&show2)) - 1.0).abs() < 1e-9);
}

#[test]
fn a_conversation_held_here() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path();
    json(home, &["init", "--name", "Staff"]);
    let space = json(home, &["space", "create", "Town"])["id"]
        .as_str()
        .expect("space")
        .to_string();
    let project = json(
        home,
        &[
            "project",
            "create",
            &space,
            "Station square",
            "--phases",
            "conversation",
        ],
    )["id"]
        .as_str()
        .expect("project")
        .to_string();
    let mut ids = Vec::new();
    for text in ["More trees", "Fewer cars", "A weekly market"] {
        ids.push(
            json(home, &["statement", "add", &project, text])["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    // The next statement is one not voted on yet, until none is left.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let next = json(home, &["statement", "next", &project]);
        let key = next["statement"].as_str().expect("a statement").to_string();
        assert!(ids.contains(&key) && !seen.contains(&key));
        json(home, &["statement", "vote", &project, &key[..8], "agree"]);
        seen.push(key);
    }
    assert!(json(home, &["statement", "next", &project])["statement"].is_null());
    let bad = yoriai(
        home,
        &["statement", "vote", &project, &ids[0][..8], "maybe"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("agree, disagree or pass"));
    let show = json(home, &["insight", "show", &project]);
    let statements = show["statements"].as_array().expect("statements");
    assert_eq!(statements.len(), 3);
    assert!(statements.iter().all(|s| s["agree"] == 1));
    assert_eq!(show["insight"]["participants"], 1);
}
