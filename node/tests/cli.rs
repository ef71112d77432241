//! The `yoriai` binary as a person or a script uses it.

mod common;

use std::path::Path;

use common::{json, yoriai};
use serde_json::Value;

fn ok(home: &Path, args: &[&str]) -> String {
    let out = yoriai(home, args);
    assert!(
        out.status.success(),
        "yoriai {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

#[test]
fn a_whole_process_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let me = json(home, &["init", "--name", "Aiko 愛子"]);
    assert_eq!(me["name"], "Aiko 愛子");
    let space = id(&json(home, &["space", "create", "Sakura-chō"]));
    let invite = json(
        home,
        &[
            "invite", "create", &space, "--role", "resident", "--uses", "1",
        ],
    );
    assert!(invite["link"]
        .as_str()
        .expect("link")
        .starts_with("yoriai://join/"));
    let project = id(&json(
        home,
        &[
            "project",
            "create",
            &space,
            "Park renovation",
            "--description",
            "How should the park change?",
        ],
    ));
    let idea = id(&json(
        home,
        &[
            "idea",
            "add",
            &project,
            "More shade. Plant trees on the south side.",
        ],
    ));
    json(home, &["support", &project, &idea[..8]]);
    let comment = id(&json(
        home,
        &[
            "comment",
            "add",
            &project,
            &idea[..8],
            "夏は暑すぎる",
            "--stance",
            "for",
        ],
    ));
    json(
        home,
        &[
            "comment",
            "add",
            &project,
            &idea[..8],
            "We will check the budget",
            "--reply-to",
            &comment[..8],
            "--official",
        ],
    );
    json(home, &["phase", "open", &project, "decision"]);
    let vote = id(&json(
        home,
        &[
            "vote",
            "open",
            &project,
            "Which first?",
            "--method",
            "ranked",
            "--options",
            "shade,toilet,lights",
        ],
    ));
    json(
        home,
        &["vote", "cast", &project, &vote[..8], "toilet,shade"],
    );
    let closed = json(home, &["vote", "close", &project, &vote[..8]]);
    assert_eq!(closed["tally"]["winners"], serde_json::json!([1]));

    let shown = json(home, &["show", &project]);
    let p = &shown["project"];
    assert_eq!(p["overview"]["title"], "Park renovation");
    assert_eq!(p["ideas"][0]["card"]["supports"], 1);
    assert_eq!(p["ideas"][0]["comments"][0]["text"], "夏は暑すぎる");
    assert_eq!(p["ideas"][0]["comments"][0]["replies"][0]["official"], true);
    assert_eq!(p["votes"][0]["closed"], true);
    assert_eq!(p["rejected"], serde_json::json!([]));

    let text = ok(home, &["show", &project]);
    for expected in [
        "Park renovation",
        "More shade",
        "夏は暑すぎる",
        "We will check the budget",
        "Which first?",
        "winner: toilet",
    ] {
        assert!(
            text.contains(expected),
            "`show` lacks {expected:?}:\n{text}"
        );
    }
    let spaces = ok(home, &["space", "list"]);
    assert!(spaces.contains(&space) && spaces.contains(&project));
}

#[test]
fn mistakes_get_a_clear_message_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let space = id(&json(home, &["space", "create", "S"]));
    let project = id(&json(
        home,
        &[
            "project",
            "create",
            &space,
            "P",
            "--phases",
            "discussion,decision",
        ],
    ));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["idea", "add", "nonsense", "x"], "not a project id"),
        (
            vec!["idea", "add", &project, "x"],
            "ideas phase is not open",
        ),
        (vec!["support", &project, "abc"], "at least 4 characters"),
        (
            vec!["support", &project, "abcd"],
            "no idea with an id starting",
        ),
        (
            vec![
                "comment", "add", &project, "project", "hi", "--stance", "maybe",
            ],
            "unknown stance",
        ),
        (
            vec!["vote", "open", &project, "Q", "--method", "plurality"],
            "unknown vote method",
        ),
        (
            vec!["join", "https://example.org/not-a-link"],
            "not a Yoriai invitation link",
        ),
        (
            vec!["project", "create", &space, "P2", "--phases", "brainstorm"],
            "unknown phase kind",
        ),
    ];
    for (args, message) in cases {
        let out = yoriai(home, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(message),
            "{args:?} should say {message:?}, said: {err}"
        );
    }
}

#[test]
fn a_damaged_store_is_named_and_left_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    json(home, &["space", "create", "S"]);
    let db = home.join("yoriai.db");
    // The last connection to close checkpointed the WAL into the file.
    let mut bytes = std::fs::read(&db).expect("read");
    let len = bytes.len();
    bytes.truncate(len / 2);
    for b in bytes.iter_mut().skip(100).take(2000) {
        *b = 0x5a;
    }
    std::fs::write(&db, &bytes).expect("write");
    let _ = std::fs::remove_file(home.join("yoriai.db-wal"));
    let _ = std::fs::remove_file(home.join("yoriai.db-shm"));
    let out = yoriai(home, &["space", "list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("yoriai.db"), "names the file: {err}");
    assert!(
        err.contains("damaged") || err.contains("not a Yoriai store"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).expect("read"),
        bytes,
        "the file is untouched"
    );
}

#[test]
fn the_demo_is_a_real_process_with_several_residents() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let seeded = json(home, &["demo", "seed"]);
    let project = id(&seeded);
    let shown = json(home, &["show", &project]);
    let p = &shown["project"];
    let ideas = p["ideas"].as_array().expect("ideas");
    assert_eq!(ideas.len(), 3);
    let authors: std::collections::HashSet<&str> = ideas
        .iter()
        .map(|i| i["card"]["author_name"].as_str().expect("name"))
        .collect();
    assert_eq!(authors.len(), 3, "ideas come from different residents");
    // Staff, four residents and twelve workshop participants.
    assert_eq!(
        shown["space"]["members"].as_array().expect("members").len(),
        17
    );
    assert_eq!(p["surveys"][0]["respondents"], 4);
    assert_eq!(p["votes"][0]["ballots"], 4);
    assert_eq!(p["rejected"], serde_json::json!([]));
    let text = ok(home, &["show", &project]);
    assert!(text.contains("木陰を増やす More shade") && text.contains("Which proposal first?"));
    // The workshop conversation splits into the two camps it was seeded
    // with, and finds their common ground.
    let insight = json(home, &["insight", "show", &project]);
    let groups = insight["insight"]["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{insight}");
    assert_eq!(insight["insight"]["counted"], 16);
    assert!(!insight["insight"]["consensus"]
        .as_array()
        .expect("consensus")
        .is_empty());
}

#[test]
fn demo_big_writes_a_project_of_the_size_asked() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let made = json(home, &["demo", "big", "--ideas", "12", "--comments", "30"]);
    let project = id(&made);
    let shown = json(home, &["show", &project]);
    let p = &shown["project"];
    let ideas = p["ideas"].as_array().expect("ideas");
    assert_eq!(ideas.len(), 12);
    let comments: u64 = ideas
        .iter()
        .map(|i| i["card"]["comments"].as_u64().expect("count"))
        .sum();
    assert_eq!(comments, 30, "every comment on an idea");
    assert_eq!(p["rejected"], serde_json::json!([]));
}
