//! Speed of the opinion analysis: the largest real conversation (Polis
//! export, 2,031 participants × 896 statements) and a synthetic one of
//! 10,000 participants × 8,000 statements with 1M votes.
//! Figures: docs/benchmarks.md.
#![allow(missing_docs)] // criterion_group! generates an undocumented fn

use criterion::{criterion_group, criterion_main, Criterion};
use yoriai_crdt::insight::{analyse, polis, Conversation, Options};

fn bowling_green() -> Conversation {
    let dir = std::path::Path::new(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../shared/data/polis/american-assembly.bowling-green");
    let pv = std::fs::read_to_string(dir.join("participants-votes.csv")).expect("data");
    let c = std::fs::read_to_string(dir.join("comments.csv")).expect("data");
    polis::read(&pv, &c).expect("export").conversation
}

/// Four opinion groups; each participant votes on 100 statements.
fn synthetic(people: usize, statements: usize, per_person: usize) -> Conversation {
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut conv = Conversation {
        statements: (0..statements).map(|s| s.to_string()).collect(),
        ..Conversation::default()
    };
    for p in 0..people {
        let group = p % 4;
        conv.participants.push(p.to_string());
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < per_person {
            seen.insert((next() % statements as u64) as u32);
        }
        let votes = seen
            .into_iter()
            .map(|s| {
                let leaning = (s as usize % 4) == group;
                let noise = next() % 10 == 0;
                let v: i8 = match (leaning, noise) {
                    (_, true) => 0,
                    (true, false) => 1,
                    (false, false) => -1,
                };
                (s, v)
            })
            .collect();
        conv.votes.push(votes);
    }
    conv
}

fn bench(c: &mut Criterion) {
    let real = bowling_green();
    let opts = Options::default();
    c.bench_function("insight: bowling-green (2,031 x 896, 225k votes)", |b| {
        b.iter(|| analyse(&real, &opts))
    });
    let big = synthetic(10_000, 8_000, 100);
    assert_eq!(big.vote_count(), 1_000_000);
    let mut group = c.benchmark_group("insight-large");
    group.sample_size(10);
    group.bench_function("insight: synthetic 10,000 x 8,000, 1M votes", |b| {
        b.iter(|| analyse(&big, &opts))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
