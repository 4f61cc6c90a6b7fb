//! Per-unit values of a platform for the few units (departments) its orders touch.

use std::ops::{Index, IndexMut};

use crate::scenario::DeptId;

/// A vector over all departments whose entries are almost all at their default: kept as a list
/// of the departments set, sorted, so that a platform's state does not grow with the number of
/// departments in the world. Reads of a department never set give the default.
#[derive(Clone, Debug, Default)]
pub(super) struct ByUnit<T> {
    entries: Vec<(DeptId, T)>,
    default: T,
}

impl<T> ByUnit<T> {
    /// The departments set, in department order, with their values.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = (DeptId, &mut T)> {
        self.entries.iter_mut().map(|(d, v)| (*d, v))
    }
}

impl<T> Index<DeptId> for ByUnit<T> {
    type Output = T;

    fn index(&self, d: DeptId) -> &T {
        match self.entries.binary_search_by_key(&d, |e| e.0) {
            Ok(i) => &self.entries[i].1,
            Err(_) => &self.default,
        }
    }
}

impl<T: Default> IndexMut<DeptId> for ByUnit<T> {
    fn index_mut(&mut self, d: DeptId) -> &mut T {
        let i = match self.entries.binary_search_by_key(&d, |e| e.0) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (d, T::default()));
                i
            }
        };
        &mut self.entries[i].1
    }
}
