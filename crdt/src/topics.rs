//! Topics, keywords and extractive summaries of what residents wrote, in
//! Japanese and English, with nothing downloaded: Japanese (and any Han,
//! kana or Hangul text) is cut into character bigrams, other scripts into
//! lower-cased words without common English stop words. Posts become
//! TF-IDF vectors; topics are spherical k-means clusters of them, named by
//! their heaviest terms; a summary is a handful of sentences quoted word
//! for word from the posts, each linked to its post.
//!
//! Deterministic: the same posts give the same topics and summary. Terms
//! are not translated, so posts on one subject in two languages form two
//! topics.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Something a resident wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Its id (a record id, an imported id).
    pub id: String,
    /// Its text.
    pub text: String,
}

/// A group of similar posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Its key terms, heaviest first (the topic's name).
    pub terms: Vec<String>,
    /// Its posts (ids), closest to the topic's centre first.
    pub posts: Vec<String>,
}

/// A sentence quoted from a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The post.
    pub post: String,
    /// The sentence, exactly as written.
    pub text: String,
    /// Its byte range in the post's text.
    pub start: usize,
    /// See `start`.
    pub end: usize,
}

const STOP: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was",
    "one", "our", "out", "has", "have", "him", "his", "how", "its", "may", "new", "now", "old",
    "see", "two", "who", "did", "get", "let", "she", "too", "use", "that", "with", "this", "they",
    "from", "there", "their", "what", "when", "which", "will", "would", "should", "could", "about",
    "into", "than", "then", "them", "these", "those", "been", "being", "were", "more", "most",
    "some", "such", "only", "also", "very", "just", "like", "because", "where", "while", "your",
    "yours", "ours", "here", "each", "other", "over", "under", "does", "doing", "make", "made",
    "many", "much", "need", "needs", "think", "want", "yes", "why", "way", "well",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // hiragana, katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified
        | 0xF900..=0xFAFF // compatibility
        | 0xAC00..=0xD7AF // Hangul
        | 0xFF66..=0xFF9D // half-width katakana
    )
}

/// The terms of a text: CJK character bigrams, and words of 3+ letters
/// (lower-cased, a plural `s` dropped) that are not stop words.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            // A lone kanji carries meaning (川, 駅); a lone kana does not.
            if !matches!(run[0] as u32, 0x3040..=0x30FF) {
                out.push(run[0].to_string());
            }
        }
        for w in run.windows(2) {
            // Hiragana is mostly grammar (の, ます, した): content words
            // are in kanji and katakana.
            if w.iter().any(|c| matches!(*c as u32, 0x3040..=0x309F)) {
                continue;
            }
            out.push(w.iter().collect());
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        let mut w = word.to_lowercase();
        // Plurals to singular, roughly: libraries, benches, buses, parks.
        if w.len() > 4 && w.ends_with("ies") {
            w.truncate(w.len() - 3);
            w.push('y');
        } else if w.len() > 4
            && ["ches", "shes", "xes", "sses", "uses"]
                .iter()
                .any(|e| w.ends_with(e))
        {
            w.truncate(w.len() - 2);
        } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
            w.pop();
        }
        if w.chars().count() >= 3 && !STOP.contains(&w.as_str()) {
            out.push(w);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.push(c);
        } else {
            flush_run(&mut run, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_run(&mut run, &mut out);
    flush_word(&mut word, &mut out);
    out
}

type Vector = Vec<(u32, f64)>;

/// TF-IDF vectors (unit length) and the vocabulary.
fn vectors(texts: &[&str]) -> (Vec<Vector>, Vec<String>) {
    let mut vocab: HashMap<String, u32> = HashMap::new();
    let mut names = Vec::new();
    let mut counts: Vec<HashMap<u32, f64>> = Vec::with_capacity(texts.len());
    let mut df: Vec<f64> = Vec::new();
    for t in texts {
        let mut c: HashMap<u32, f64> = HashMap::new();
        for term in terms(t) {
            let id = *vocab.entry(term.clone()).or_insert_with(|| {
                names.push(term);
                df.push(0.0);
                (names.len() - 1) as u32
            });
            *c.entry(id).or_default() += 1.0;
        }
        for id in c.keys() {
            df[*id as usize] += 1.0;
        }
        counts.push(c);
    }
    let n = texts.len() as f64;
    let vecs = counts
        .into_iter()
        .map(|c| {
            let mut v: Vector = c
                .into_iter()
                // A term in every post tells posts apart no better than none.
                .map(|(id, tf)| {
                    (
                        id,
                        (1.0 + tf.ln()) * ((1.0 + n) / (1.0 + df[id as usize])).ln(),
                    )
                })
                .filter(|(_, w)| *w > 0.0)
                .collect();
            v.sort_unstable_by_key(|(id, _)| *id);
            normalise(&mut v);
            v
        })
        .collect();
    (vecs, names)
}

fn normalise(v: &mut Vector) {
    let n = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= n);
    }
}

fn dot(a: &Vector, dense: &[f64]) -> f64 {
    a.iter().map(|(i, w)| w * dense[*i as usize]).sum()
}

/// Group posts into topics (at most `max_topics`; fewer for few posts).
///
/// A topic that swallows more than a third of a large discussion (its
/// posts share only the town's name, say) is split once more on its own
/// terms, where that name is common and weighs little.
pub fn topics(posts: &[Post], max_topics: usize) -> Vec<Topic> {
    let found = flat_topics(posts, max_topics);
    let mut out = Vec::with_capacity(found.len());
    for t in found {
        if posts.len() >= 40 && t.posts.len() * 3 > posts.len() && t.posts.len() >= 12 {
            let subset: Vec<Post> = t
                .posts
                .iter()
                .filter_map(|id| posts.iter().find(|p| &p.id == id).cloned())
                .collect();
            let parts = flat_topics(&subset, 3);
            if parts.len() > 1 {
                out.extend(parts);
                continue;
            }
        }
        out.push(t);
    }
    out.sort_by(|a, b| {
        b.posts
            .len()
            .cmp(&a.posts.len())
            .then(a.terms.cmp(&b.terms))
    });
    out
}

fn flat_topics(posts: &[Post], max_topics: usize) -> Vec<Topic> {
    let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
    let (vecs, names) = vectors(&texts);
    let useful: Vec<usize> = (0..posts.len()).filter(|&i| !vecs[i].is_empty()).collect();
    if useful.is_empty() {
        return Vec::new();
    }
    let k = ((useful.len() as f64).sqrt().round() as usize).clamp(1, max_topics.max(1));
    let dim = names.len();
    let dense = |v: &Vector| {
        let mut d = vec![0.0; dim];
        for (i, w) in v {
            d[*i as usize] = *w;
        }
        d
    };
    // Farthest-point starts from the post with the most terms.
    let first = *useful
        .iter()
        .max_by_key(|&&i| (vecs[i].len(), std::cmp::Reverse(i)))
        .unwrap_or(&useful[0]);
    let mut centres: Vec<Vec<f64>> = vec![dense(&vecs[first])];
    while centres.len() < k {
        let far = useful
            .iter()
            .copied()
            .min_by(|&a, &b| {
                let sa = centres
                    .iter()
                    .map(|c| dot(&vecs[a], c))
                    .fold(f64::MIN, f64::max);
                let sb = centres
                    .iter()
                    .map(|c| dot(&vecs[b], c))
                    .fold(f64::MIN, f64::max);
                sa.total_cmp(&sb).then(a.cmp(&b))
            })
            .unwrap_or(first);
        centres.push(dense(&vecs[far]));
    }
    let mut label = vec![0usize; posts.len()];
    for _ in 0..30 {
        let mut changed = false;
        for &i in &useful {
            let best = (0..centres.len())
                .max_by(|&a, &b| {
                    dot(&vecs[i], &centres[a])
                        .total_cmp(&dot(&vecs[i], &centres[b]))
                        .then(b.cmp(&a))
                })
                .unwrap_or(0);
            if label[i] != best {
                label[i] = best;
                changed = true;
            }
        }
        for (c, centre) in centres.iter_mut().enumerate() {
            centre.iter_mut().for_each(|x| *x = 0.0);
            for &i in useful.iter().filter(|&&i| label[i] == c) {
                for (t, w) in &vecs[i] {
                    centre[*t as usize] += w;
                }
            }
            let n = centre.iter().map(|x| x * x).sum::<f64>().sqrt();
            if n > 0.0 {
                centre.iter_mut().for_each(|x| *x /= n);
            }
        }
        if !changed {
            break;
        }
    }
    (0..centres.len())
        .filter_map(|c| {
            let mut members: Vec<usize> =
                useful.iter().copied().filter(|&i| label[i] == c).collect();
            if members.is_empty() {
                return None;
            }
            members.sort_by(|&a, &b| {
                dot(&vecs[b], &centres[c])
                    .total_cmp(&dot(&vecs[a], &centres[c]))
                    .then(a.cmp(&b))
            });
            // Name: the heaviest terms, skipping a bigram inside a heavier one.
            let mut order: Vec<usize> = (0..dim).filter(|&t| centres[c][t] > 0.0).collect();
            order.sort_by(|&a, &b| {
                centres[c][b]
                    .total_cmp(&centres[c][a])
                    .then(names[a].cmp(&names[b]))
            });
            let mut terms: Vec<String> = Vec::new();
            for t in order {
                if terms.len() == 3 {
                    break;
                }
                let name = &names[t];
                if terms
                    .iter()
                    .any(|x| x.contains(name.as_str()) || name.contains(x.as_str()))
                {
                    continue;
                }
                terms.push(name.clone());
            }
            Some(Topic {
                terms,
                posts: members.iter().map(|&i| posts[i].id.clone()).collect(),
            })
        })
        .collect()
}

/// The heaviest terms over all posts.
pub fn keywords(posts: &[Post], n: usize) -> Vec<String> {
    let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
    let (vecs, names) = vectors(&texts);
    let mut weight = vec![0.0; names.len()];
    for v in &vecs {
        for (t, w) in v {
            weight[*t as usize] += w;
        }
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        weight[b]
            .total_cmp(&weight[a])
            .then(names[a].cmp(&names[b]))
    });
    order
        .into_iter()
        .take(n)
        .map(|t| names[t].clone())
        .collect()
}

/// Sentences of a text with their byte ranges (split after 。．！？.!? and
/// at line breaks), trimmed; empty ones dropped.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if e - s > lead + trail {
            out.push((s + lead, e - trail));
        }
    };
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        let boundary = match c {
            '。' | '！' | '？' | '．' | '\n' => true,
            '.' | '!' | '?' => chars.peek().is_none_or(|(_, n)| n.is_whitespace()),
            _ => false,
        };
        if boundary {
            push(start, end, &mut out);
            start = end;
        }
    }
    push(start, text.len(), &mut out);
    out
}

/// An extractive summary: up to `n` sentences, each quoted exactly from a
/// post, chosen for how central they are to the whole discussion and how
/// little they repeat each other (maximal marginal relevance).
pub fn summary(posts: &[Post], n: usize) -> Vec<Quote> {
    let mut quotes: Vec<Quote> = Vec::new();
    for p in posts {
        for (s, e) in sentences(&p.text) {
            quotes.push(Quote {
                post: p.id.clone(),
                text: p.text[s..e].to_string(),
                start: s,
                end: e,
            });
        }
    }
    // Very short sentences say little on their own.
    quotes.retain(|q| terms(&q.text).len() >= 3);
    if quotes.is_empty() {
        return Vec::new();
    }
    let texts: Vec<&str> = quotes.iter().map(|q| q.text.as_str()).collect();
    let (vecs, names) = vectors(&texts);
    let mut centre = vec![0.0; names.len()];
    for v in &vecs {
        for (t, w) in v {
            centre[*t as usize] += w;
        }
    }
    let norm = centre.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        centre.iter_mut().for_each(|x| *x /= norm);
    }
    let relevance: Vec<f64> = vecs.iter().map(|v| dot(v, &centre)).collect();
    let sim = |a: usize, b: usize| -> f64 {
        let (va, vb) = (&vecs[a], &vecs[b]);
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < va.len() && j < vb.len() {
            match va[i].0.cmp(&vb[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += va[i].1 * vb[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    };
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < n.min(quotes.len()) {
        let best = (0..quotes.len())
            .filter(|i| !chosen.contains(i))
            .max_by(|&a, &b| {
                let score = |i: usize| {
                    let redundancy = chosen.iter().map(|&c| sim(i, c)).fold(0.0, f64::max);
                    0.7 * relevance[i] - 0.3 * redundancy
                };
                score(a).total_cmp(&score(b)).then(b.cmp(&a))
            });
        match best {
            Some(i) => chosen.push(i),
            None => break,
        }
    }
    chosen.into_iter().map(|i| quotes[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_becomes_bigrams_and_english_words_without_stop_words() {
        assert_eq!(terms("公園のベンチ"), vec!["公園", "ベン", "ンチ"]);
        assert_eq!(
            terms("The benches, buses and libraries are broken"),
            vec!["bench", "bus", "library", "broken"]
        );
        assert!(terms("です。ました").is_empty());
        assert_eq!(terms("駅"), vec!["駅"]);
    }

    #[test]
    fn sentences_split_in_both_languages_and_keep_exact_ranges() {
        let t = "公園が暗い。街灯を増やしてほしい！ More lights, please. Thanks";
        let got: Vec<&str> = sentences(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(
            got,
            vec![
                "公園が暗い。",
                "街灯を増やしてほしい！",
                "More lights, please.",
                "Thanks"
            ]
        );
        // A decimal point is not the end of a sentence.
        assert_eq!(sentences("It costs 2.5 million.").len(), 1);
    }
}
