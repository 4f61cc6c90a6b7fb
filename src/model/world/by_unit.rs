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
        crate::model::sorted::get(&self.entries, d).unwrap_or(&self.default)
    }
}

impl<T: Default> IndexMut<DeptId> for ByUnit<T> {
    fn index_mut(&mut self, d: DeptId) -> &mut T {
        crate::model::sorted::entry(&mut self.entries, d, T::default)
    }
}
