//! The browser's node on its own ([`yoriai_ui::local::Engine`]): what it
//! hands to IndexedDB, what happens when a write fails, and what it makes of
//! damaged saved data. The page's storage calls are thin; what to save and
//! how to read it back is decided here.

use yoriai_crdt::api::{ErrorKind, Request, Response};
use yoriai_crdt::DocId;
use yoriai_ui::local::{Engine, SavedDoc};

fn ask(engine: &mut Engine, r: Request) -> Response {
    engine.handle(r).expect("the engine answers").0
}

/// A device with a name and a space of its own.
fn device_with_a_space() -> (Engine, DocId) {
    let mut engine = Engine::create().expect("engine");
    ask(
        &mut engine,
        Request::SetDisplayName {
            name: "Aiko".into(),
        },
    );
    let space = match ask(
        &mut engine,
        Request::CreateSpace {
            name: "Minato ward".into(),
            languages: vec!["ja".into(), "en".into()],
        },
    ) {
        Response::Opened(o) => o.space,
        other => panic!("{other:?}"),
    };
    (engine, space)
}

fn ids(docs: &[SavedDoc]) -> Vec<DocId> {
    let mut v: Vec<DocId> = docs.iter().map(|d| d.id).collect();
    v.sort();
    v
}

#[test]
fn a_failed_write_is_handed_out_again_by_the_next_save() {
    let (mut engine, space) = device_with_a_space();
    let (docs, meta) = engine.take_dirty();
    assert_eq!(ids(&docs), vec![space]);
    assert!(meta.is_some(), "the key and name are saved");
    // Nothing changed since: nothing to write.
    let (again, meta_again) = engine.take_dirty();
    assert!(again.is_empty() && meta_again.is_none());

    // The write failed (a full disk): the next save has all of it again,
    // with whatever changed in between.
    engine.still_dirty(&docs, true);
    ask(
        &mut engine,
        Request::SetDisplayName {
            name: "Aiko Tanaka".into(),
        },
    );
    let (retry, meta) = engine.take_dirty();
    assert_eq!(ids(&retry), vec![space]);
    let meta = meta.expect("the meta is saved again");
    assert_eq!(meta.display_name.as_deref(), Some("Aiko Tanaka"));

    // What the retry wrote loads back whole.
    let (loaded, problems) = Engine::load(meta, retry).expect("loads");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(loaded.member(), engine.member());
    let mut loaded = loaded;
    match ask(&mut loaded, Request::Space { space }) {
        Response::Space(home) => assert_eq!(home.overview.name, "Minato ward"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_damaged_saved_document_is_reported_and_the_rest_stays_usable() {
    let (mut engine, space) = device_with_a_space();
    let (mut docs, meta) = engine.take_dirty();
    let meta = meta.expect("meta");
    let damaged = DocId([7; 16]);
    docs.push(SavedDoc {
        id: damaged,
        kind: "project".into(),
        space,
        bytes: b"not an automerge document".to_vec(),
    });
    let (mut loaded, problems) = Engine::load(meta.clone(), docs.clone()).expect("loads");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&damaged.to_string()),
        "the problem names the document: {problems:?}"
    );
    assert!(matches!(
        ask(&mut loaded, Request::Space { space }),
        Response::Space(_)
    ));

    // A damaged key cannot be guessed around: the page says so.
    let mut broken = meta;
    broken.secret = "zz".into();
    let e = Engine::load(broken, docs).expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Storage);
    assert!(e.detail.contains("device key"), "{}", e.detail);
}
