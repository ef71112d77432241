//! Opinion groups, representative statements and consensus, the way Polis
//! computes them, in plain Rust with no IO (it runs in the browser too).
//!
//! Input: who voted agree / disagree / pass on which statement
//! ([`Conversation`]). Output ([`Analysis`]):
//! - participants counted once they voted on at least
//!   `min(7, statements)` statements;
//! - a two-dimensional map: PCA of the centred vote matrix (missing votes
//!   count as the statement's mean), found by power iteration on the sparse
//!   matrix, each participant's projection scaled by
//!   `sqrt(statements / their votes)` so that people who voted on few
//!   statements are not pulled to the centre;
//! - groups: k-means into up to 100 base clusters (started, as Polis does,
//!   from the first distinct points), then k-means of the base clusters
//!   (weighted by size; the tightest of several seeded starts) for
//!   k = 2..=5, k chosen by silhouette;
//! - per group, representative statements (agree or disagree), kept when
//!   both Polis z-tests pass at 90%: the group's own proportion, and the
//!   group against everyone else;
//! - group-aware consensus: the product over groups of each group's
//!   (smoothed) agreement;
//! - a routing priority per statement, favouring statements with few votes
//!   and those that separate groups.
//!
//! Everything is deterministic for a given [`Options::seed`].

use serde::{Deserialize, Serialize};

/// agree / disagree / pass, as Polis exports them (1 / -1 / 0).
pub type Vote = i8;

/// A conversation's votes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// Participant ids (any text: the export's ids for imported data).
    pub participants: Vec<String>,
    /// Statement ids.
    pub statements: Vec<String>,
    /// For each participant, its votes: (statement index, vote).
    pub votes: Vec<Vec<(u32, Vote)>>,
}

impl Conversation {
    /// Number of votes in all.
    pub fn vote_count(&self) -> usize {
        self.votes.iter().map(Vec::len).sum()
    }
}

/// Knobs; the defaults are Polis's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Seed for k-means starts.
    pub seed: u64,
    /// Votes needed to be counted (capped at the number of statements).
    pub min_votes: usize,
    /// Base clusters before grouping.
    pub base_clusters: usize,
    /// Smallest and largest number of groups tried.
    pub k_min: usize,
    /// See `k_min`.
    pub k_max: usize,
    /// Representative statements kept per group.
    pub per_group: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0x5945_5249_4149,
            min_votes: 7,
            base_clusters: 100,
            k_min: 2,
            k_max: 5,
            per_group: 5,
        }
    }
}

/// Agreeing or disagreeing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The group agrees more than the rest.
    Agree,
    /// The group disagrees more than the rest.
    Disagree,
}

/// Why a statement represents a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repness {
    /// Statement index.
    pub statement: usize,
    /// Which way.
    pub side: Side,
    /// Smoothed share of the group on that side.
    pub share: f64,
    /// That share over the rest's share.
    pub ratio: f64,
    /// z of the group's share against 1/2.
    pub share_z: f64,
    /// z of the group against the rest.
    pub ratio_z: f64,
    /// Votes on that side in the group, and votes the group cast on it.
    pub count: u32,
    /// See `count`.
    pub seen: u32,
}

/// One opinion group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Participant indices.
    pub members: Vec<usize>,
    /// Centre on the map.
    pub center: [f64; 2],
    /// Representative statements, strongest first.
    pub representative: Vec<Repness>,
}

/// A statement most groups agree (or disagree) on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consensus {
    /// Statement index.
    pub statement: usize,
    /// Which way.
    pub side: Side,
    /// Product over groups of the group's smoothed share on that side.
    pub score: f64,
}

/// What the analysis found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Participants counted (indices), in order.
    pub counted: Vec<usize>,
    /// Map position of each counted participant (same order).
    pub coords: Vec<[f64; 2]>,
    /// Statement loadings of the two components.
    pub components: [Vec<f64>; 2],
    /// Groups, largest first.
    pub groups: Vec<Group>,
    /// Silhouette for each k tried (k, score).
    pub silhouettes: Vec<(usize, f64)>,
    /// Agreement across groups, strongest first.
    pub consensus: Vec<Consensus>,
    /// Routing priority per statement (higher: show sooner).
    pub priority: Vec<f64>,
}

impl Analysis {
    /// The group of participant `p` (an index into the conversation), if
    /// counted.
    pub fn group_of(&self, p: usize) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.members.binary_search(&p).is_ok())
    }
}

/// z for one-sided 90% confidence.
pub const Z90: f64 = 1.2816;

/// Polis's test of a proportion against 1/2 (with add-one smoothing).
pub fn prop_test(succ: f64, n: f64) -> f64 {
    let (succ, n) = (succ + 1.0, n + 1.0);
    2.0 * n.sqrt() * (succ / n - 0.5)
}

/// Polis's two-proportion z-test (with add-one smoothing).
pub fn two_prop_test(succ1: f64, n1: f64, succ2: f64, n2: f64) -> f64 {
    let (succ1, n1, succ2, n2) = (succ1 + 1.0, n1 + 1.0, succ2 + 1.0, n2 + 1.0);
    let (p1, p2) = (succ1 / n1, succ2 / n2);
    let p = (succ1 + succ2) / (n1 + n2);
    let d = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if d == 0.0 {
        0.0
    } else {
        (p1 - p2) / d
    }
}

/// A small deterministic generator (xorshift64*), enough for k-means starts.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Run the whole analysis.
pub fn analyse(conv: &Conversation, opts: &Options) -> Analysis {
    let m = conv.statements.len();
    let need = opts.min_votes.min(m).max(1);
    let counted: Vec<usize> = (0..conv.participants.len())
        .filter(|&p| conv.votes[p].len() >= need)
        .collect();
    let components = pca(conv, &counted, m, opts.seed);
    let coords = project(conv, &counted, &components, m);
    let (labels, centers, silhouettes) = cluster(&coords, opts);
    let k = centers.len();
    let mut groups: Vec<Group> = (0..k)
        .map(|g| Group {
            members: counted
                .iter()
                .zip(&labels)
                .filter(|(_, &l)| l == g)
                .map(|(&p, _)| p)
                .collect(),
            center: centers[g],
            representative: Vec::new(),
        })
        .collect();
    groups.retain(|g| !g.members.is_empty());
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    let counts = group_counts(conv, &groups, m);
    for (g, group) in groups.iter_mut().enumerate() {
        group.representative = representative(&counts, g, m, opts.per_group);
    }
    let consensus = consensus(&counts, m);
    let priority = priority(conv, &counted, &components, m);
    Analysis {
        counted,
        coords,
        components,
        groups,
        silhouettes,
        consensus,
        priority,
    }
}

/// Column means over counted participants' votes.
fn column_means(conv: &Conversation, counted: &[usize], m: usize) -> Vec<f64> {
    let mut sum = vec![0.0; m];
    let mut n = vec![0u32; m];
    for &p in counted {
        for &(s, v) in &conv.votes[p] {
            sum[s as usize] += f64::from(v);
            n[s as usize] += 1;
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, &c)| if c == 0 { 0.0 } else { s / f64::from(c) })
        .collect()
}

/// Top two principal components by orthogonal (block power) iteration on
/// the centred sparse matrix (missing votes impute to the column mean,
/// i.e. zero once centred). Both vectors advance in one pass over the
/// votes, which are laid out once as centred values in rows.
fn pca(conv: &Conversation, counted: &[usize], m: usize, seed: u64) -> [Vec<f64>; 2] {
    let mean = column_means(conv, counted, m);
    let mut starts = Vec::with_capacity(counted.len() + 1);
    let mut cols: Vec<u32> = Vec::new();
    let mut vals: Vec<f64> = Vec::new();
    starts.push(0);
    for &p in counted {
        for &(s, x) in &conv.votes[p] {
            cols.push(s);
            vals.push(f64::from(x) - mean[s as usize]);
        }
        starts.push(cols.len());
    }
    let mut rng = Rng::new(seed);
    let mut v1: Vec<f64> = (0..m).map(|_| rng.unit() - 0.5).collect();
    let mut v2: Vec<f64> = (0..m).map(|_| rng.unit() - 0.5).collect();
    orthonormalise(&mut v1, &[]);
    orthonormalise(&mut v2, std::slice::from_ref(&v1));
    // Both vectors side by side: one memory access per vote and pass.
    let mut v: Vec<[f64; 2]> = v1.iter().zip(&v2).map(|(a, b)| [*a, *b]).collect();
    let mut w: Vec<[f64; 2]> = vec![[0.0; 2]; m];
    for _ in 0..PCA_ITERS {
        w.iter_mut().for_each(|x| *x = [0.0; 2]);
        for r in 0..counted.len() {
            let (c, x) = (
                &cols[starts[r]..starts[r + 1]],
                &vals[starts[r]..starts[r + 1]],
            );
            let mut d = [0.0; 2];
            for (&s, &x) in c.iter().zip(x) {
                let vs = v[s as usize];
                d[0] += x * vs[0];
                d[1] += x * vs[1];
            }
            for (&s, &x) in c.iter().zip(x) {
                let ws = &mut w[s as usize];
                ws[0] += x * d[0];
                ws[1] += x * d[1];
            }
        }
        let mut a: Vec<f64> = w.iter().map(|x| x[0]).collect();
        let mut b: Vec<f64> = w.iter().map(|x| x[1]).collect();
        orthonormalise(&mut a, &[]);
        orthonormalise(&mut b, std::slice::from_ref(&a));
        let change = v
            .iter()
            .zip(a.iter().zip(&b))
            .map(|(o, (x, y))| (o[0] - x).abs().max((o[1] - y).abs()))
            .fold(0.0, f64::max);
        v1 = a;
        v2 = b;
        for (vi, (x, y)) in v.iter_mut().zip(v1.iter().zip(&v2)) {
            *vi = [*x, *y];
        }
        if change < PCA_TOLERANCE {
            break;
        }
    }
    // A sign convention, so results do not flip between runs.
    for v in [&mut v1, &mut v2] {
        let i = (0..m)
            .max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()))
            .unwrap_or(0);
        if v.get(i).is_some_and(|x| *x < 0.0) {
            v.iter_mut().for_each(|x| *x = -*x);
        }
    }
    [v1, v2]
}

/// Most power iterations (Polis runs 100), and the change in any loading
/// that ends them sooner.
const PCA_ITERS: usize = 100;
const PCA_TOLERANCE: f64 = 1e-7;

fn orthonormalise(v: &mut [f64], against: &[Vec<f64>]) {
    for u in against {
        let d: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
        v.iter_mut().zip(u).for_each(|(a, b)| *a -= d * b);
    }
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

fn project(conv: &Conversation, counted: &[usize], pcs: &[Vec<f64>; 2], m: usize) -> Vec<[f64; 2]> {
    let mean = column_means(conv, counted, m);
    counted
        .iter()
        .map(|&p| {
            let row = &conv.votes[p];
            let mut xy = [0.0; 2];
            for &(s, x) in row {
                let c = f64::from(x) - mean[s as usize];
                xy[0] += c * pcs[0][s as usize];
                xy[1] += c * pcs[1][s as usize];
            }
            let scale = if row.is_empty() {
                0.0
            } else {
                (m as f64 / row.len() as f64).sqrt()
            };
            [xy[0] * scale, xy[1] * scale]
        })
        .collect()
}

fn dist2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// Weighted k-means (k-means++ starts, Lloyd iterations). Returns labels
/// and centres.
fn kmeans(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    rng: &mut Rng,
) -> (Vec<usize>, Vec<[f64; 2]>) {
    let n = points.len();
    let k = k.min(n).max(1);
    let mut centers: Vec<[f64; 2]> = Vec::with_capacity(k);
    centers.push(points[(rng.next_u64() % n as u64) as usize]);
    let mut d: Vec<f64> = points.iter().map(|p| dist2(p, &centers[0])).collect();
    while centers.len() < k {
        let total: f64 = d.iter().zip(weights).map(|(a, w)| a * w).sum();
        let pick = if total <= 0.0 {
            (rng.next_u64() % n as u64) as usize
        } else {
            let mut r = rng.unit() * total;
            let mut i = 0;
            while i + 1 < n {
                r -= d[i] * weights[i];
                if r <= 0.0 {
                    break;
                }
                i += 1;
            }
            i
        };
        centers.push(points[pick]);
        for (di, p) in d.iter_mut().zip(points) {
            *di = di.min(dist2(p, &points[pick]));
        }
    }
    kmeans_from(points, weights, centers)
}

/// Polis's start for base clusters: the first `k` distinct points.
fn first_distinct(points: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(k);
    for p in points {
        if out.len() == k {
            break;
        }
        if !out.iter().any(|q| q == p) {
            out.push(*p);
        }
    }
    out
}

/// Lloyd iterations from given centres.
fn kmeans_from(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centers: Vec<[f64; 2]>,
) -> (Vec<usize>, Vec<[f64; 2]>) {
    let n = points.len();
    let mut labels = vec![usize::MAX; n];
    for _ in 0..100 {
        let mut changed = false;
        for (i, p) in points.iter().enumerate() {
            let best = (0..centers.len())
                .min_by(|&a, &b| dist2(p, &centers[a]).total_cmp(&dist2(p, &centers[b])))
                .unwrap_or(0);
            if labels[i] != best {
                labels[i] = best;
                changed = true;
            }
        }
        let mut sum = vec![[0.0; 2]; centers.len()];
        let mut wsum = vec![0.0; centers.len()];
        for ((p, &l), &w) in points.iter().zip(&labels).zip(weights) {
            sum[l][0] += p[0] * w;
            sum[l][1] += p[1] * w;
            wsum[l] += w;
        }
        for c in 0..centers.len() {
            if wsum[c] > 0.0 {
                centers[c] = [sum[c][0] / wsum[c], sum[c][1] / wsum[c]];
            }
        }
        if !changed {
            break;
        }
    }
    (labels, centers)
}

/// Weighted silhouette of a labelling.
fn silhouette(points: &[[f64; 2]], weights: &[f64], labels: &[usize], k: usize) -> f64 {
    let mut total = 0.0;
    let mut wtotal = 0.0;
    for (i, p) in points.iter().enumerate() {
        let mut sum = vec![0.0; k];
        let mut w = vec![0.0; k];
        for (j, q) in points.iter().enumerate() {
            if i == j {
                continue;
            }
            sum[labels[j]] += dist2(p, q).sqrt() * weights[j];
            w[labels[j]] += weights[j];
        }
        let own = labels[i];
        if w[own] == 0.0 {
            continue; // a singleton: silhouette 0
        }
        let a = sum[own] / w[own];
        let b = (0..k)
            .filter(|&g| g != own && w[g] > 0.0)
            .map(|g| sum[g] / w[g])
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            let s = if a.max(b) > 0.0 {
                (b - a) / a.max(b)
            } else {
                0.0
            };
            total += s * weights[i];
            wtotal += weights[i];
        }
    }
    if wtotal == 0.0 {
        0.0
    } else {
        total / wtotal
    }
}

/// k-means starts per k when grouping base clusters.
const RESTARTS: usize = 20;

/// Base clusters, then groups of base clusters with k by silhouette.
#[allow(clippy::type_complexity)]
fn cluster(coords: &[[f64; 2]], opts: &Options) -> (Vec<usize>, Vec<[f64; 2]>, Vec<(usize, f64)>) {
    if coords.is_empty() {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let mut rng = Rng::new(opts.seed.wrapping_add(1));
    let ones = vec![1.0; coords.len()];
    let (base_labels, base_centers) =
        kmeans_from(coords, &ones, first_distinct(coords, opts.base_clusters));
    let mut weight = vec![0.0; base_centers.len()];
    for &l in &base_labels {
        weight[l] += 1.0;
    }
    // Drop empty base clusters.
    let keep: Vec<usize> = (0..base_centers.len())
        .filter(|&c| weight[c] > 0.0)
        .collect();
    let points: Vec<[f64; 2]> = keep.iter().map(|&c| base_centers[c]).collect();
    let weights: Vec<f64> = keep.iter().map(|&c| weight[c]).collect();
    let mut index = vec![0; base_centers.len()];
    for (i, &c) in keep.iter().enumerate() {
        index[c] = i;
    }
    let mut best: Option<(f64, Vec<usize>, Vec<[f64; 2]>)> = None;
    let mut scores = Vec::new();
    for k in opts.k_min..=opts.k_max.min(points.len()) {
        // Several starts; keep the tightest (least weighted inertia).
        let mut tries: Vec<(f64, Vec<usize>, Vec<[f64; 2]>)> = (0..RESTARTS)
            .map(|_| {
                let (l, c) = kmeans(&points, &weights, k, &mut rng);
                let inertia: f64 = points
                    .iter()
                    .zip(&l)
                    .zip(&weights)
                    .map(|((p, &g), w)| dist2(p, &c[g]) * w)
                    .sum();
                (inertia, l, c)
            })
            .collect();
        tries.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (_, labels, centers) = tries.swap_remove(0);
        let s = silhouette(&points, &weights, &labels, centers.len());
        scores.push((k, s));
        if best.as_ref().is_none_or(|(bs, _, _)| s > *bs + 1e-12) {
            best = Some((s, labels, centers));
        }
    }
    let (labels, centers) = match best {
        Some((_, l, c)) => (l, c),
        None => (vec![0; points.len()], vec![points[0]]),
    };
    let participant_labels = base_labels.iter().map(|&b| labels[index[b]]).collect();
    (participant_labels, centers, scores)
}

/// Per group and statement: (agree, disagree, seen).
struct Counts {
    groups: Vec<Vec<[u32; 3]>>,
    total: Vec<[u32; 3]>,
}

fn group_counts(conv: &Conversation, groups: &[Group], m: usize) -> Counts {
    let mut out = vec![vec![[0u32; 3]; m]; groups.len()];
    let mut total = vec![[0u32; 3]; m];
    for (g, group) in groups.iter().enumerate() {
        for &p in &group.members {
            for &(s, v) in &conv.votes[p] {
                let c = &mut out[g][s as usize];
                match v {
                    1 => c[0] += 1,
                    -1 => c[1] += 1,
                    _ => {}
                }
                c[2] += 1;
            }
        }
        for s in 0..m {
            for i in 0..3 {
                total[s][i] += out[g][s][i];
            }
        }
    }
    Counts { groups: out, total }
}

fn representative(counts: &Counts, g: usize, m: usize, keep: usize) -> Vec<Repness> {
    let mut found = Vec::new();
    for s in 0..m {
        let [na, nd, ns] = counts.groups[g][s];
        let [ta, td, ts] = counts.total[s];
        let (ra_, rd_, rs) = (ta - na, td - nd, ts - ns);
        let best = [(Side::Agree, na, ra_), (Side::Disagree, nd, rd_)]
            .into_iter()
            .map(|(side, c, rest_c)| {
                let share = (1.0 + f64::from(c)) / (2.0 + f64::from(ns));
                let rest = (1.0 + f64::from(rest_c)) / (2.0 + f64::from(rs));
                Repness {
                    statement: s,
                    side,
                    share,
                    ratio: share / rest,
                    share_z: prop_test(f64::from(c), f64::from(ns)),
                    ratio_z: two_prop_test(
                        f64::from(c),
                        f64::from(ns),
                        f64::from(rest_c),
                        f64::from(rs),
                    ),
                    count: c,
                    seen: ns,
                }
            })
            .filter(|r| r.share_z > Z90 && r.ratio_z > Z90)
            .max_by(|a, b| metric(a).total_cmp(&metric(b)));
        if let Some(r) = best {
            found.push(r);
        }
    }
    found.sort_by(|a, b| {
        metric(b)
            .total_cmp(&metric(a))
            .then(a.statement.cmp(&b.statement))
    });
    found.truncate(keep);
    found
}

/// Polis's ranking of representative statements.
fn metric(r: &Repness) -> f64 {
    r.ratio * r.ratio_z * r.share * r.share_z
}

fn consensus(counts: &Counts, m: usize) -> Vec<Consensus> {
    let mut out = Vec::new();
    if counts.groups.is_empty() {
        return out;
    }
    for s in 0..m {
        for (side, i) in [(Side::Agree, 0), (Side::Disagree, 1)] {
            let score: f64 = counts
                .groups
                .iter()
                .map(|g| (1.0 + f64::from(g[s][i])) / (2.0 + f64::from(g[s][2])))
                .product();
            // Only statements every group leans the same way on.
            let all = counts
                .groups
                .iter()
                .all(|g| prop_test(f64::from(g[s][i]), f64::from(g[s][2])) > 0.0);
            if all && counts.total[s][2] > 0 {
                out.push(Consensus {
                    statement: s,
                    side,
                    score,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.statement.cmp(&b.statement))
    });
    out.truncate(10);
    out
}

/// Polis's comment priority: `(importance * (1 + 8 * 2^(-seen/5)))^2`,
/// importance = `(1 - pass share) * (extremity + 1) * agree share`.
fn priority(conv: &Conversation, counted: &[usize], pcs: &[Vec<f64>; 2], m: usize) -> Vec<f64> {
    let mut a = vec![0u32; m];
    let mut p = vec![0u32; m];
    let mut seen = vec![0u32; m];
    for &who in counted {
        for &(s, v) in &conv.votes[who] {
            let s = s as usize;
            seen[s] += 1;
            match v {
                1 => a[s] += 1,
                0 => p[s] += 1,
                _ => {}
            }
        }
    }
    (0..m)
        .map(|s| {
            let n = f64::from(seen[s]);
            let pass = (f64::from(p[s]) + 1.0) / (n + 2.0);
            let agree = (f64::from(a[s]) + 1.0) / (n + 2.0);
            let extremity = (pcs[0].get(s).copied().unwrap_or(0.0).powi(2)
                + pcs[1].get(s).copied().unwrap_or(0.0).powi(2))
            .sqrt()
                * (m as f64).sqrt();
            let importance = (1.0 - pass) * (extremity + 1.0) * agree;
            (importance * (1.0 + 8.0 * 2f64.powf(-n / 5.0))).powi(2)
        })
        .collect()
}

/// The next statement to show a participant: weighted by priority among
/// those they have not voted on; `r` in [0, 1) picks (pass a random
/// number). `None` when they voted on everything.
pub fn next_statement(analysis: &Analysis, voted: &[bool], r: f64) -> Option<usize> {
    let total: f64 = analysis
        .priority
        .iter()
        .zip(voted)
        .filter(|(_, &v)| !v)
        .map(|(p, _)| *p)
        .sum();
    let candidates =
        || (0..analysis.priority.len()).filter(|&s| !voted.get(s).copied().unwrap_or(false));
    if total <= 0.0 {
        return candidates().next();
    }
    let mut x = r.clamp(0.0, 1.0) * total;
    let mut last = None;
    for s in candidates() {
        x -= analysis.priority[s];
        last = Some(s);
        if x < 0.0 {
            return Some(s);
        }
    }
    last
}

/// Adjusted Rand index of two labellings of the same items (`None` =
/// unlabelled, skipped when either side is `None`).
pub fn adjusted_rand_index(a: &[Option<usize>], b: &[Option<usize>]) -> f64 {
    use std::collections::HashMap;
    let pairs: Vec<(usize, usize)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    let n = pairs.len() as f64;
    if n < 2.0 {
        return 1.0;
    }
    let c2 = |x: f64| x * (x - 1.0) / 2.0;
    let mut table: HashMap<(usize, usize), f64> = HashMap::new();
    let mut rows: HashMap<usize, f64> = HashMap::new();
    let mut cols: HashMap<usize, f64> = HashMap::new();
    for &(x, y) in &pairs {
        *table.entry((x, y)).or_default() += 1.0;
        *rows.entry(x).or_default() += 1.0;
        *cols.entry(y).or_default() += 1.0;
    }
    let index: f64 = table.values().map(|&v| c2(v)).sum();
    let sr: f64 = rows.values().map(|&v| c2(v)).sum();
    let sc: f64 = cols.values().map(|&v| c2(v)).sum();
    let expected = sr * sc / c2(n);
    let max = (sr + sc) / 2.0;
    if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

/// An analysis with ids instead of indices, for screens and `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Participants who voted.
    pub participants: usize,
    /// Participants counted (enough votes).
    pub counted: usize,
    /// Statements analysed.
    pub statements: usize,
    /// Votes analysed.
    pub votes: usize,
    /// Opinion groups, largest first.
    pub groups: Vec<GroupReport>,
    /// Statements the groups agree (or disagree) on together.
    pub consensus: Vec<ConsensusReport>,
    /// Everyone counted, on the map.
    pub map: Vec<MapPoint>,
    /// Silhouette per k tried.
    pub silhouettes: Vec<(usize, f64)>,
}

/// One group, by ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    /// 0, 1, ... (largest first).
    pub id: usize,
    /// Members.
    pub size: usize,
    /// Centre on the map.
    pub center: [f64; 2],
    /// Member participant ids.
    pub participants: Vec<String>,
    /// Representative statements.
    pub representative: Vec<StatementReport>,
}

/// A representative statement, by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementReport {
    /// Statement id.
    pub statement: String,
    /// Which way the group leans.
    pub side: Side,
    /// The group's smoothed share on that side.
    pub share: f64,
    /// Over the rest's share.
    pub ratio: f64,
    /// z against 1/2.
    pub share_z: f64,
    /// z against the rest.
    pub ratio_z: f64,
}

/// A consensus statement, by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsensusReport {
    /// Statement id.
    pub statement: String,
    /// Which way.
    pub side: Side,
    /// Product of the groups' shares.
    pub score: f64,
}

/// A participant on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    /// Participant id.
    pub participant: String,
    /// Position.
    pub x: f64,
    /// Position.
    pub y: f64,
    /// Their group.
    pub group: Option<usize>,
}

/// Name everything in `analysis` by the conversation's ids.
pub fn report(conv: &Conversation, analysis: &Analysis) -> Report {
    let statement = |i: usize| conv.statements[i].clone();
    Report {
        participants: conv.votes.iter().filter(|v| !v.is_empty()).count(),
        counted: analysis.counted.len(),
        statements: conv.statements.len(),
        votes: conv.vote_count(),
        groups: analysis
            .groups
            .iter()
            .enumerate()
            .map(|(id, g)| GroupReport {
                id,
                size: g.members.len(),
                center: g.center,
                participants: g
                    .members
                    .iter()
                    .map(|&p| conv.participants[p].clone())
                    .collect(),
                representative: g
                    .representative
                    .iter()
                    .map(|r| StatementReport {
                        statement: statement(r.statement),
                        side: r.side,
                        share: r.share,
                        ratio: r.ratio,
                        share_z: r.share_z,
                        ratio_z: r.ratio_z,
                    })
                    .collect(),
            })
            .collect(),
        consensus: analysis
            .consensus
            .iter()
            .map(|c| ConsensusReport {
                statement: statement(c.statement),
                side: c.side,
                score: c.score,
            })
            .collect(),
        map: analysis
            .counted
            .iter()
            .zip(&analysis.coords)
            .map(|(&p, xy)| MapPoint {
                participant: conv.participants[p].clone(),
                x: xy[0],
                y: xy[1],
                group: analysis.group_of(p),
            })
            .collect(),
        silhouettes: analysis.silhouettes.clone(),
    }
}

/// Reading Polis's CSV exports (the `participants-votes.csv` and
/// `comments.csv` of a conversation), and writing them back.
pub mod polis {
    use super::{Conversation, Vote};

    /// A Polis export, read.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Export {
        /// The votes, over the statements not moderated out.
        pub conversation: Conversation,
        /// The group Polis assigned each participant (`None`: ungrouped).
        pub polis_group: Vec<Option<usize>>,
        /// Each statement's text (same order as the conversation's).
        pub text: Vec<String>,
        /// Each statement's author (a participant id).
        pub author: Vec<String>,
        /// Each statement's time (ms since the epoch).
        pub time_ms: Vec<i64>,
    }

    fn err(what: &str, e: impl std::fmt::Display) -> String {
        format!("{what}: {e}")
    }

    /// Read an export from the text of its two files.
    pub fn read(participants_votes: &str, comments: &str) -> Result<Export, String> {
        let mut statements = Vec::new();
        let mut text = Vec::new();
        let mut author = Vec::new();
        let mut time_ms = Vec::new();
        let mut rdr = csv::Reader::from_reader(comments.as_bytes());
        let headers = rdr.headers().map_err(|e| err("comments.csv", e))?.clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| format!("comments.csv has no '{name}' column"))
        };
        let (c_id, c_author, c_mod, c_body, c_time) = (
            col("comment-id")?,
            col("author-id")?,
            col("moderated")?,
            col("comment-body")?,
            col("timestamp")?,
        );
        for row in rdr.records() {
            let row = row.map_err(|e| err("comments.csv", e))?;
            if row.get(c_mod).map(str::trim) == Some("-1") {
                continue;
            }
            statements.push(row.get(c_id).unwrap_or_default().trim().to_string());
            author.push(row.get(c_author).unwrap_or_default().trim().to_string());
            text.push(row.get(c_body).unwrap_or_default().to_string());
            time_ms.push(
                row.get(c_time)
                    .and_then(|t| t.trim().parse().ok())
                    .unwrap_or(0),
            );
        }
        // Statements in id order, as Polis numbers them.
        let mut order: Vec<usize> = (0..statements.len()).collect();
        order.sort_by_key(|&i| {
            (
                statements[i].parse::<u64>().unwrap_or(u64::MAX),
                statements[i].clone(),
            )
        });
        let pick = |v: &Vec<String>| order.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
        let (statements, text, author) = (pick(&statements), pick(&text), pick(&author));
        let time_ms: Vec<i64> = order.iter().map(|&i| time_ms[i]).collect();
        let index: std::collections::HashMap<&str, u32> = statements
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();

        let mut rdr = csv::Reader::from_reader(participants_votes.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| err("participants-votes.csv", e))?
            .clone();
        let p_col = headers
            .iter()
            .position(|h| h == "participant")
            .ok_or("participants-votes.csv has no 'participant' column")?;
        let g_col = headers
            .iter()
            .position(|h| h == "group-id")
            .ok_or("participants-votes.csv has no 'group-id' column")?;
        let vote_cols: Vec<(usize, u32)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| index.get(h).map(|&s| (i, s)))
            .collect();
        let mut conversation = Conversation {
            statements: statements.clone(),
            ..Conversation::default()
        };
        let mut polis_group = Vec::new();
        for row in rdr.records() {
            let row = row.map_err(|e| err("participants-votes.csv", e))?;
            conversation
                .participants
                .push(row.get(p_col).unwrap_or_default().trim().to_string());
            polis_group.push(row.get(g_col).and_then(|g| g.trim().parse().ok()));
            let mut votes: Vec<(u32, Vote)> = Vec::new();
            for &(i, s) in &vote_cols {
                match row.get(i).map(str::trim) {
                    Some("1") => votes.push((s, 1)),
                    Some("-1") => votes.push((s, -1)),
                    Some("0") => votes.push((s, 0)),
                    Some("") | None => {}
                    Some(other) => {
                        return Err(format!(
                            "participants-votes.csv: vote '{other}' is not 1, -1 or 0"
                        ))
                    }
                }
            }
            votes.sort_unstable();
            conversation.votes.push(votes);
        }
        Ok(Export {
            conversation,
            polis_group,
            text,
            author,
            time_ms,
        })
    }

    /// Write `participants-votes.csv` in Polis's layout (groups from an
    /// analysis, or blank).
    pub fn write_participants_votes(conv: &Conversation, group: &[Option<usize>]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "participant".to_string(),
            "group-id".into(),
            "n-comments".into(),
            "n-votes".into(),
            "n-agree".into(),
            "n-disagree".into(),
        ];
        header.extend(conv.statements.iter().cloned());
        let _ = w.write_record(&header);
        for (p, id) in conv.participants.iter().enumerate() {
            let votes = &conv.votes[p];
            let mut row = vec![
                id.clone(),
                group
                    .get(p)
                    .copied()
                    .flatten()
                    .map(|g| g.to_string())
                    .unwrap_or_default(),
                "0".into(),
                votes.len().to_string(),
                votes.iter().filter(|v| v.1 == 1).count().to_string(),
                votes.iter().filter(|v| v.1 == -1).count().to_string(),
            ];
            let mut cells = vec![String::new(); conv.statements.len()];
            for &(s, v) in votes {
                cells[s as usize] = v.to_string();
            }
            row.extend(cells);
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}
