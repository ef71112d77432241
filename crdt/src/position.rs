//! Fractional position keys: an order that concurrent moves cannot break.
//!
//! Phases are sorted by a byte-string key and then by id. Moving a phase
//! picks a key strictly between its new neighbours' keys, so a move touches
//! one phase only and concurrent moves of different phases both take effect.
//! Keys made here never end in a zero byte, which keeps "between" always
//! possible.

/// A key strictly between `before` and `after` (`None`: no bound).
/// `before` must sort lower than `after`.
pub fn between(before: Option<&[u8]>, after: Option<&[u8]>) -> Vec<u8> {
    let lo = before.unwrap_or(&[]);
    let mut hi = after;
    let mut key = Vec::new();
    let mut i = 0;
    loop {
        let a = u16::from(lo.get(i).copied().unwrap_or(0));
        let b = match hi {
            Some(h) => h.get(i).map_or(256, |&x| u16::from(x)),
            None => 256,
        };
        if b > a + 1 {
            // Fits here; `(a + b) / 2` is in 1..=255 because b > a + 1 >= 1.
            key.push(((a + b) / 2) as u8);
            return key;
        }
        key.push(a as u8);
        if b == a + 1 {
            // Taking `a` here puts us below `hi` for good.
            hi = None;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_fall_between() {
        let first = between(None, None);
        let before = between(None, Some(&first));
        let after = between(Some(&first), None);
        assert!(before < first && first < after);
        let mid = between(Some(&before), Some(&first));
        assert!(before < mid && mid < first);
    }

    proptest! {
        #[test]
        fn repeated_insertion_stays_ordered(picks in proptest::collection::vec(0usize..100, 1..60)) {
            let mut keys: Vec<Vec<u8>> = Vec::new();
            for p in picks {
                let at = if keys.is_empty() { 0 } else { p % (keys.len() + 1) };
                let lo = at.checked_sub(1).map(|i| keys[i].as_slice());
                let hi = keys.get(at).map(Vec::as_slice);
                let k = between(lo, hi);
                prop_assert!(lo.is_none_or(|l| l < k.as_slice()));
                prop_assert!(hi.is_none_or(|h| k.as_slice() < h));
                prop_assert_ne!(k.last().copied(), Some(0));
                keys.insert(at, k);
            }
        }
    }
}
