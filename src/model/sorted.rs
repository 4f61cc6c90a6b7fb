//! Small maps kept as lists sorted by key: the few platforms or departments an entity has dealt
//! with, out of a world that may hold thousands, read and summed in key order (as a vector over
//! every key would be, without its zeros).

/// The value of `key`, if it has one.
pub fn get<K: Ord + Copy, V>(list: &[(K, V)], key: K) -> Option<&V> {
    list.binary_search_by(|x| x.0.cmp(&key)).ok().map(|i| &list[i].1)
}

/// The value of `key`, inserted in its place as `make()` when absent.
pub fn entry<K: Ord + Copy, V>(list: &mut Vec<(K, V)>, key: K, make: impl FnOnce() -> V) -> &mut V {
    let i = match list.binary_search_by(|x| x.0.cmp(&key)) {
        Ok(i) => i,
        Err(i) => {
            list.insert(i, (key, make()));
            i
        }
    };
    &mut list[i].1
}

/// The value of `key`, inserted as 0 when absent.
pub fn slot<K: Ord + Copy>(list: &mut Vec<(K, f64)>, key: K) -> &mut f64 {
    entry(list, key, || 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_sorted_and_unique() {
        let mut list: Vec<(u32, f64)> = Vec::new();
        for k in [5, 1, 9, 1, 5, 3] {
            *slot(&mut list, k) += 1.0;
        }
        assert_eq!(list, vec![(1, 2.0), (3, 1.0), (5, 2.0), (9, 1.0)]);
        assert_eq!(get(&list, 3), Some(&1.0));
        assert_eq!(get(&list, 4), None);
        *entry(&mut list, 4, || 7.0) += 1.0;
        assert_eq!(get(&list, 4), Some(&8.0));
    }
}
