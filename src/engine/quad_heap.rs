//! A four-ary min-heap: the event queue's store of pending events.
//!
//! A big world keeps thousands of events pending at once (one next arrival per platform and
//! village, one end per busy worker), and a binary heap of that size walks about thirteen levels
//! on every pop, most of them out of cache. Four children a node halve the depth, and the four
//! sit side by side in memory (160 bytes of 40-byte entries), so a level costs about one fetch
//! from memory instead of two. Keys are unique (they end in a sequence number), so any correct
//! heap gives the same order of events: this one changes what a pop costs, never what it returns.

/// Something with a unique key; the smallest key comes out first.
pub trait Keyed {
    /// The key: (time bits, sequence).
    fn key(&self) -> (u64, u64);
}

/// A min-heap with four children a node.
#[derive(Debug)]
pub struct QuadHeap<T> {
    items: Vec<T>,
}

impl<T> Default for QuadHeap<T> {
    fn default() -> Self {
        QuadHeap { items: Vec::new() }
    }
}

impl<T: Keyed> QuadHeap<T> {
    /// The item with the smallest key.
    #[inline]
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds `item`.
    #[inline]
    pub fn push(&mut self, item: T) {
        let key = item.key();
        self.items.push(item);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 4;
            if key < self.items[parent].key() {
                self.items.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    /// Removes the item with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        let n = self.items.len();
        let key = self.items[0].key();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let mut best = first;
            let mut best_key = self.items[first].key();
            for c in first + 1..(first + 4).min(n) {
                let k = self.items[c].key();
                if k < best_key {
                    best = c;
                    best_key = k;
                }
            }
            if best_key < key {
                self.items.swap(i, best);
                i = best;
            } else {
                break;
            }
        }
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    impl Keyed for (u64, u64) {
        fn key(&self) -> (u64, u64) {
            *self
        }
    }

    proptest! {
        /// Pushes and pops in any mix come out as from std's heap (a max-heap of reversed keys).
        #[test]
        fn pops_as_the_standard_heap(ops in prop::collection::vec((0u64..50, any::<bool>()), 0..600)) {
            let mut quad = QuadHeap::default();
            let mut std_heap = std::collections::BinaryHeap::new();
            for (seq, &(at, pop)) in ops.iter().enumerate() {
                if pop {
                    prop_assert_eq!(quad.pop(), std_heap.pop().map(|std::cmp::Reverse(k)| k));
                } else {
                    quad.push((at, seq as u64));
                    std_heap.push(std::cmp::Reverse((at, seq as u64)));
                }
                prop_assert_eq!(quad.len(), std_heap.len());
                prop_assert_eq!(quad.peek().copied(), std_heap.peek().map(|r| r.0));
            }
            while let Some(std::cmp::Reverse(k)) = std_heap.pop() {
                prop_assert_eq!(quad.pop(), Some(k));
            }
            prop_assert!(quad.is_empty());
        }
    }
}
