//! Topics and extractive summaries of residents' posts, in Japanese and
//! English.

use yoriai_crdt::topics::{keywords, summary, topics, Post};

/// The statements of one of the Polis conversations in `../shared/data`.
fn polis_statements(name: &str) -> Vec<Post> {
    let dir = std::path::Path::new(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../shared/data/polis")
    .join(name);
    let pv = std::fs::read_to_string(dir.join("participants-votes.csv")).expect("data");
    let c = std::fs::read_to_string(dir.join("comments.csv")).expect("data");
    let e = yoriai_crdt::insight::polis::read(&pv, &c).expect("export");
    e.conversation
        .statements
        .into_iter()
        .zip(e.text)
        .map(|(id, text)| Post { id, text })
        .collect()
}

fn make(raw: &[(&str, &str)]) -> Vec<Post> {
    raw.iter()
        .map(|(id, text)| Post {
            id: id.to_string(),
            text: text.to_string(),
        })
        .collect()
}

fn english() -> Vec<Post> {
    make(&[
        (
            "b1",
            "The benches in the park are broken. We need new benches near the pond.",
        ),
        ("b2", "More benches in the park for older people, please."),
        ("b3", "Broken benches by the park pond should be repaired."),
        (
            "t1",
            "Traffic on the station road is dangerous for children walking to school.",
        ),
        (
            "t2",
            "Slow the traffic near the school crossing on the station road.",
        ),
        (
            "t3",
            "Children cross the station road to school in heavy traffic.",
        ),
        ("l1", "The library should open on Sunday evenings."),
        ("l2", "Longer library hours would help students on Sunday."),
        ("l3", "Open the library later on Sunday for students."),
    ])
}

fn japanese() -> Vec<Post> {
    make(&[
        (
            "b1",
            "公園のベンチが壊れています。池の近くにベンチを増やしてください。",
        ),
        ("b2", "ベンチが足りない。公園で休める場所がほしい。"),
        ("b3", "高齢者のために公園のベンチを直してほしい。"),
        ("t1", "駅前の道路は交通量が多く、通学の子どもに危険です。"),
        ("t2", "通学路の交通を減らすため、駅前に信号をつけてほしい。"),
        ("t3", "駅前道路の交通が速すぎて通学が危険。"),
        ("l1", "図書館の開館時間を日曜の夜まで延ばしてほしい。"),
        ("l2", "図書館は日曜日も遅くまで開館してください。"),
        ("l3", "学生のために日曜の図書館を夜も開館して。"),
    ])
}

fn posts() -> Vec<Post> {
    let mut all = english();
    all.extend(japanese().into_iter().map(|p| Post {
        id: format!("{}j", p.id),
        text: p.text,
    }));
    all
}

fn check_pure(got: &[yoriai_crdt::topics::Topic]) {
    assert_eq!(got.len(), 3, "{got:?}");
    for t in got {
        let subject = t.posts[0].chars().next();
        assert!(
            t.posts.iter().all(|p| p.chars().next() == subject),
            "mixed topic {t:?}"
        );
        assert_eq!(t.posts.len(), 3, "{got:?}");
        assert!(!t.terms.is_empty());
    }
}

#[test]
fn similar_posts_group_into_named_topics_in_each_language() {
    let en = topics(&english(), 3);
    check_pure(&en);
    let names: Vec<String> = en.iter().map(|t| t.terms.join(" ")).collect();
    for want in ["bench", "library", "road"] {
        assert!(
            names.iter().any(|n| n.contains(want)),
            "{want} not in {names:?}"
        );
    }
    let ja = topics(&japanese(), 3);
    check_pure(&ja);
    let names: Vec<String> = ja.iter().map(|t| t.terms.join(" ")).collect();
    for want in ["ベン", "図書", "交通"] {
        assert!(
            names.iter().any(|n| n.contains(want)),
            "{want} not in {names:?}"
        );
    }
    assert_eq!(en, topics(&english(), 3), "deterministic");
    let k = keywords(&posts(), 12);
    assert!(
        k.iter().any(|t| t == "library") && k.iter().any(|t| t == "図書"),
        "{k:?}"
    );
}

#[test]
fn a_summary_quotes_posts_exactly_and_does_not_repeat_itself() {
    let ps = posts();
    let s = summary(&ps, 4);
    assert_eq!(s.len(), 4);
    for q in &s {
        let post = ps.iter().find(|p| p.id == q.post).expect("its post");
        assert_eq!(&post.text[q.start..q.end], q.text, "an exact quote");
    }
    let mut ids: Vec<&str> = s.iter().map(|q| q.text.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert!(summary(&[], 3).is_empty());
}

#[test]
fn real_statements_from_a_polis_conversation() {
    let ps = polis_statements("vtaiwan.uberx");
    let got = topics(&ps, 8);
    println!("{} statements -> {} topics", ps.len(), got.len());
    for t in &got {
        println!("  {:?}: {} posts", t.terms, t.posts.len());
    }
    assert!(got.len() >= 3);
    assert_eq!(got.iter().map(|t| t.posts.len()).sum::<usize>(), ps.len());
    // Uber and taxis (計程車, 小黃) are what this conversation is about.
    let named: String = got.iter().flat_map(|t| t.terms.clone()).collect();
    assert!(
        named.contains("ub") || named.contains("計程") || named.contains("司機"),
        "{named}"
    );
    for q in summary(&ps, 5) {
        let p = ps.iter().find(|p| p.id == q.post).expect("post");
        assert_eq!(&p.text[q.start..q.end], q.text);
        println!("  > {} [{}]", q.text, q.post);
    }
}

#[test]
fn a_place_name_shared_by_half_the_posts_does_not_make_one_giant_topic() {
    let ps = polis_statements("american-assembly.bowling-green");
    let got = topics(&ps, 8);
    for t in &got {
        println!("  {:?}: {} posts", t.terms, t.posts.len());
    }
    assert_eq!(got.iter().map(|t| t.posts.len()).sum::<usize>(), ps.len());
    let largest = got.iter().map(|t| t.posts.len()).max().unwrap_or(0);
    assert!(
        largest * 2 < ps.len(),
        "one topic holds {largest} of {}",
        ps.len()
    );
}
