//! A space carried on a USB stick: `yoriai export` on one device,
//! `yoriai import` on another that had diverged.

mod common;

use std::path::Path;

use common::{idea_titles as titles, json, yoriai};
use serde_json::Value;

/// Everything a device shows of a space and project, to compare states.
fn state(home: &Path, space: &str, project: &str) -> (Value, Value, Value) {
    (
        json(home, &["space", "list"]),
        json(home, &["space", "show", space]),
        json(home, &["show", project]),
    )
}

#[test]
fn export_import_merges_both_sides_is_idempotent_and_refuses_damage() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let stick = dir.path().join("stick");
    std::fs::create_dir(&stick).expect("stick");
    json(&a, &["init", "--name", "Aiko"]);
    json(&b, &["init", "--name", "Ben"]);
    let space = json(&a, &["space", "create", "Shelter"])["id"]
        .as_str()
        .expect("space")
        .to_string();
    let project = json(&a, &["project", "create", &space, "Water"])["id"]
        .as_str()
        .expect("project")
        .to_string();
    let link = json(&a, &["invite", "create", &space])["link"]
        .as_str()
        .expect("link")
        .to_string();
    json(&b, &["join", &link]);

    // Aiko to Ben: the join completes on Ben's side.
    let file = stick.join("shelter.yoriai");
    let file_s = file.to_str().expect("utf-8 path");
    json(&a, &["export", &space, "--out", file_s]);
    let r = json(&b, &["import", file_s]);
    assert_eq!(
        (r["documents"].as_u64(), r["new"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(json(&b, &["space", "show", &space])["members"]
        .to_string()
        .contains("Ben"));

    // They diverge.
    json(
        &a,
        &["idea", "add", &project, "A water rota for each block"],
    );
    json(&b, &["idea", "add", &project, "Rainwater tanks by the gym"]);

    // Ben to Aiko, then Aiko to Ben: both sides' edits on both.
    let back = stick.join("back.yoriai");
    let back_s = back.to_str().expect("utf-8 path");
    json(&b, &["export", &space, "--out", back_s]);
    let r = json(&a, &["import", back_s]);
    assert_eq!(r["changed"].as_u64(), Some(2), "{r}");
    json(
        &a,
        &["export", &space, "--project", &project, "--out", file_s],
    );
    json(&b, &["import", file_s]);
    let both = vec![
        "A water rota for each block".to_string(),
        "Rainwater tanks by the gym".to_string(),
    ];
    assert_eq!(titles(&a, &project), both);
    assert_eq!(titles(&b, &project), both);
    assert!(json(&a, &["space", "show", &space])["members"]
        .to_string()
        .contains("Ben"));

    // Importing again changes nothing.
    let before = state(&b, &space, &project);
    let r = json(&b, &["import", file_s]);
    assert_eq!(
        (r["new"].as_u64(), r["changed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(state(&b, &space, &project), before);

    // Damaged, truncated, foreign and newer files are refused whole.
    let good = std::fs::read(&file).expect("read");
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x40;
    let mut newer = good.clone();
    newer[8] = 9;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("flipped", flipped, "damaged"),
        ("truncated", good[..good.len() - 100].to_vec(), "damaged"),
        (
            "foreign",
            b"%PDF-1.7 not a space".to_vec(),
            "not a Yoriai space file",
        ),
        ("newer", newer, "update Yoriai"),
    ];
    for (name, bytes, says) in cases {
        let path = stick.join(name);
        std::fs::write(&path, bytes).expect("write");
        let out = yoriai(&b, &["import", path.to_str().expect("path")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} was imported");
        assert!(err.contains(says), "{name}: {err}");
        assert!(err.contains("this device is unchanged"), "{name}: {err}");
        assert_eq!(
            state(&b, &space, &project),
            before,
            "{name} changed the store"
        );
    }

    // Export never leaves a half-written file under the name.
    let out = yoriai(
        &a,
        &["export", &space, "--out", "/proc/no/such/dir/x.yoriai"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}
