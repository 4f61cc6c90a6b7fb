//! A max-heap for queues that are mostly first come, first served.
//!
//! A department's jobs and a leader's inbox items are served most pressing first, but most
//! arrive as the least pressing so far (the same consequence or label, a later sequence number).
//! Those go to a run kept in order and leave from its front without a heap's sifting; only an
//! item more pressing than the run's end goes to the heap. Items leave in exactly the order one
//! binary heap gives them when no two compare equal (the queues' keys end in a unique sequence
//! number).

use std::collections::{BinaryHeap, VecDeque};

/// A max-heap with a fast path for items pushed in falling order (see the module's text).
#[derive(Clone, Debug)]
pub struct RunHeap<T: Ord> {
    heap: BinaryHeap<T>,
    run: VecDeque<T>,
}

impl<T: Ord> Default for RunHeap<T> {
    fn default() -> Self {
        RunHeap { heap: BinaryHeap::new(), run: VecDeque::new() }
    }
}

impl<T: Ord> RunHeap<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an item.
    pub fn push(&mut self, item: T) {
        match self.run.back() {
            Some(last) if item > *last => self.heap.push(item),
            _ => self.run.push_back(item),
        }
    }

    /// Takes the greatest item.
    pub fn pop(&mut self) -> Option<T> {
        match (self.run.front(), self.heap.peek()) {
            (Some(r), Some(h)) if h > r => self.heap.pop(),
            (Some(_), _) => self.run.pop_front(),
            (None, _) => self.heap.pop(),
        }
    }

    /// Keeps only the items for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.heap.retain(|x| keep(x));
        // Removing from a sorted run leaves it sorted.
        self.run.retain(|x| keep(x));
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.heap.len() + self.run.len()
    }

    /// Whether none wait.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.run.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The same order as one binary heap, for any mix of pushes in falling order (the usual
        /// queue), out-of-order pushes and pops; keys distinct, as the queues' are.
        #[test]
        fn leaves_in_the_heap_s_order(ops in proptest::collection::vec((0u8..4, 0u32..1000), 1..400)) {
            let (mut q, mut heap) = (RunHeap::new(), BinaryHeap::new());
            for (i, (op, key)) in ops.into_iter().enumerate() {
                // (priority, unique falling sequence): mostly one priority, sometimes another.
                let item = (if op == 1 { key % 3 } else { 1 }, u32::MAX - i as u32);
                if op == 0 {
                    proptest::prop_assert_eq!(q.pop(), heap.pop());
                } else {
                    q.push(item);
                    heap.push(item);
                }
                proptest::prop_assert_eq!(q.len(), heap.len());
            }
            while let Some(x) = heap.pop() {
                proptest::prop_assert_eq!(q.pop(), Some(x));
            }
            proptest::prop_assert!(q.is_empty());
        }
    }
}
