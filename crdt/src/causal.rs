//! Causal order over a set of records that name their predecessors.
//!
//! Space records name the space records their author had seen
//! (`space_deps`), which makes a graph that hashes keep acyclic. Judging a
//! record "at the point it was made" means judging it against the set of its
//! ancestors; [`CausalGraph`] computes those sets once, as bitsets, in a
//! deterministic topological order.

use std::collections::{BinaryHeap, HashMap};

use crate::id::RecordId;

/// A set of record positions in a [`CausalGraph`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// An empty set able to hold `n` positions.
    pub fn with_len(n: usize) -> Self {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Add position `i`.
    pub fn insert(&mut self, i: usize) {
        let w = i / 64;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (i % 64);
    }

    /// Remove position `i`.
    pub fn remove(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Whether position `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Add every position of `other`.
    pub fn union_with(&mut self, other: &BitSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }
}

/// Records in topological order with their ancestor sets.
#[derive(Debug, Clone)]
pub struct CausalGraph {
    /// Record ids in topological order (ties by lamport, then id).
    pub order: Vec<RecordId>,
    /// Position of each id in `order`.
    pub position: HashMap<RecordId, usize>,
    /// For each position, its ancestors and itself.
    pub closure: Vec<BitSet>,
    /// Records left out because a dependency never arrived (directly or
    /// through another left-out record): pending, not rejected.
    pub pending: Vec<RecordId>,
}

impl CausalGraph {
    /// Order `nodes` (id, lamport, deps). Deps not among the nodes make a
    /// node pending.
    pub fn build(nodes: &[(RecordId, u64, Vec<RecordId>)]) -> Self {
        let by_id: HashMap<RecordId, usize> =
            nodes.iter().enumerate().map(|(i, n)| (n.0, i)).collect();
        // Pending: transitive closure of "has a missing dependency".
        let mut missing = vec![0usize; nodes.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (i, (_, _, deps)) in nodes.iter().enumerate() {
            for d in deps {
                match by_id.get(d) {
                    Some(&j) if j != i => children[j].push(i),
                    _ => missing[i] += 1,
                }
            }
        }
        let mut remaining: Vec<usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| n.2.len() - missing[i])
            .collect();
        let mut heap: BinaryHeap<std::cmp::Reverse<(u64, RecordId, usize)>> = nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| missing[*i] == 0 && remaining[*i] == 0)
            .map(|(i, n)| std::cmp::Reverse((n.1, n.0, i)))
            .collect();
        let mut order = Vec::with_capacity(nodes.len());
        let mut position = HashMap::with_capacity(nodes.len());
        let mut closure: Vec<BitSet> = Vec::with_capacity(nodes.len());
        let mut placed = vec![false; nodes.len()];
        while let Some(std::cmp::Reverse((_, id, i))) = heap.pop() {
            if placed[i] {
                continue;
            }
            placed[i] = true;
            let pos = order.len();
            let mut set = BitSet::with_len(nodes.len());
            for d in &nodes[i].2 {
                if let Some(&dp) = by_id.get(d).and_then(|j| position.get(&nodes[*j].0)) {
                    set.union_with(&closure[dp]);
                }
            }
            set.insert(pos);
            closure.push(set);
            order.push(id);
            position.insert(id, pos);
            for &c in &children[i] {
                remaining[c] -= 1;
                if remaining[c] == 0 && missing[c] == 0 {
                    heap.push(std::cmp::Reverse((nodes[c].1, nodes[c].0, c)));
                }
            }
        }
        let mut pending: Vec<RecordId> = nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| !placed[*i])
            .map(|(_, n)| n.0)
            .collect();
        pending.sort();
        CausalGraph {
            order,
            position,
            closure,
            pending,
        }
    }

    /// The set of records a frontier has seen (each dep and its ancestors);
    /// `None` if a dep is unknown or pending.
    pub fn view_of(&self, deps: &[RecordId]) -> Option<BitSet> {
        let mut set = BitSet::with_len(self.order.len());
        for d in deps {
            let &p = self.position.get(d)?;
            set.union_with(&self.closure[p]);
        }
        Some(set)
    }

    /// Whether `a` is `b` or one of its ancestors.
    pub fn precedes_or_is(&self, a: usize, b: usize) -> bool {
        self.closure[b].contains(a)
    }

    /// The frontier: records no other record depends on (what a new record
    /// names as its deps).
    pub fn frontier(&self) -> Vec<RecordId> {
        let n = self.order.len();
        let mut has_descendant = vec![false; n];
        for (pos, set) in self.closure.iter().enumerate() {
            for (w, word) in set.words.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let b = bits.trailing_zeros() as usize;
                    let a = w * 64 + b;
                    if a != pos && a < n {
                        has_descendant[a] = true;
                    }
                    bits &= bits - 1;
                }
            }
        }
        let mut f: Vec<RecordId> = (0..n)
            .filter(|&i| !has_descendant[i])
            .map(|i| self.order[i])
            .collect();
        f.sort();
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> RecordId {
        RecordId([n; 32])
    }

    #[test]
    fn diamond_orders_and_closes() {
        // 1 <- 2, 1 <- 3, {2,3} <- 4; 5 depends on a missing record.
        let g = CausalGraph::build(&[
            (id(4), 3, vec![id(2), id(3)]),
            (id(3), 2, vec![id(1)]),
            (id(2), 2, vec![id(1)]),
            (id(1), 1, vec![]),
            (id(5), 9, vec![id(99)]),
            (id(6), 9, vec![id(5)]),
        ]);
        assert_eq!(g.order, vec![id(1), id(2), id(3), id(4)]);
        assert_eq!(g.pending, vec![id(5), id(6)]);
        let p = |n| g.position[&id(n)];
        assert!(g.precedes_or_is(p(1), p(4)));
        assert!(!g.precedes_or_is(p(2), p(3)));
        assert_eq!(g.frontier(), vec![id(4)]);
        let v = g.view_of(&[id(2)]).expect("known");
        assert!(v.contains(p(1)) && v.contains(p(2)) && !v.contains(p(3)));
        assert!(g.view_of(&[id(5)]).is_none(), "pending deps give no view");
    }
}
