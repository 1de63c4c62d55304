//! Finding a transaction's warp predicates in its EIP-2930 access list
//! (`predicate.FromAccessList`).
//!
//! Every tuple addressed to [`WARP_ADDRESS`] is one predicate, in access-list
//! order: the first is index 0, the next index 1, and so on. Tuples for other
//! addresses do not count toward the index. A warp tuple with **no** storage keys
//! still counts (and makes the transaction invalid when its gas is computed).
//! Duplicate keys are kept as they are.

use alloy_eip2930::{AccessList, AccessListItem};
use alloy_primitives::{address, Address, B256};

/// The warp precompile's address, `0x0200000000000000000000000000000000000005`.
pub const WARP_ADDRESS: Address = address!("0200000000000000000000000000000000000005");

/// The storage keys of each warp tuple of `access_list`, in order: element `i`
/// is predicate index `i`.
pub fn warp_predicates(access_list: &AccessList) -> Vec<&[B256]> {
    predicates_for(&access_list.0, WARP_ADDRESS)
}

/// The storage keys of each tuple addressed to `address`, in order.
pub fn predicates_for(items: &[AccessListItem], address: Address) -> Vec<&[B256]> {
    items.iter().filter(|item| item.address == address).map(|item| item.storage_keys.as_slice()).collect()
}

/// A transaction's warp predicates, copied out of its access list **once per
/// transaction** (as the reference's state database does when a transaction
/// starts): predicate `i` is then found in constant time, so a precompile read
/// touches only the indexed predicate, and only after charging for it.
///
/// The keys of every predicate sit in one vector, with the end of each
/// predicate recorded, so building costs one pass over the warp tuples (paid by
/// their intrinsic gas) and memory proportional to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarpPredicates {
    keys: Vec<B256>,
    ends: Vec<usize>,
}

impl WarpPredicates {
    /// No predicates.
    pub fn new() -> Self {
        Self::default()
    }

    /// The predicates of the given warp tuples' storage keys, in order.
    pub fn from_tuples<'a, I, K>(tuples: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: IntoIterator<Item = &'a B256>,
    {
        let mut predicates = Self::new();
        for keys in tuples {
            predicates.push(keys);
        }
        predicates
    }

    /// Appends the next warp tuple's storage keys as the next predicate.
    pub fn push<'a>(&mut self, keys: impl IntoIterator<Item = &'a B256>) {
        self.keys.extend(keys.into_iter().copied());
        self.ends.push(self.keys.len());
    }

    /// The warp predicates of `access_list`.
    pub fn from_access_list(access_list: &AccessList) -> Self {
        Self::from_tuples(warp_predicates(access_list))
    }

    /// Number of predicates (warp tuples).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the transaction has no warp tuple.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The storage keys of predicate `index`, in constant time.
    pub fn get(&self, index: usize) -> Option<&[B256]> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.keys.get(start..end)
    }

    /// Every predicate, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[B256]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Whether any tuple is addressed to the warp precompile (`ShouldVerifyWithContext`).
pub fn has_warp_predicates(access_list: &AccessList) -> bool {
    access_list.0.iter().any(|item| item.address == WARP_ADDRESS)
}

/// An access list carrying `messages` (each already serialized) as warp predicates,
/// one tuple each, in order: what a relayer puts in its transaction.
pub fn warp_access_list<'a>(messages: impl IntoIterator<Item = &'a [u8]>) -> AccessList {
    AccessList(
        messages
            .into_iter()
            .map(|m| AccessListItem { address: WARP_ADDRESS, storage_keys: crate::predicate::pack(m) })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(address: Address, keys: usize) -> AccessListItem {
        AccessListItem { address, storage_keys: (0..keys).map(|i| B256::with_last_byte(i as u8)).collect() }
    }

    #[test]
    fn indices_count_only_warp_tuples_in_order() {
        let other = Address::with_last_byte(9);
        let list = AccessList(vec![
            item(other, 3),
            item(WARP_ADDRESS, 2),
            item(other, 1),
            item(WARP_ADDRESS, 0),
            item(WARP_ADDRESS, 1),
        ]);
        let preds = warp_predicates(&list);
        assert_eq!(preds.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![2, 0, 1]);
        assert_eq!(preds[0][1], B256::with_last_byte(1));
        assert!(has_warp_predicates(&list));
        assert!(!has_warp_predicates(&AccessList(vec![item(other, 1)])));
        assert!(warp_predicates(&AccessList::default()).is_empty());
    }

    #[test]
    fn built_predicates_match_the_access_list() {
        let other = Address::with_last_byte(9);
        let list = AccessList(vec![
            item(WARP_ADDRESS, 3),
            item(other, 2),
            item(WARP_ADDRESS, 0),
            item(WARP_ADDRESS, 2),
        ]);
        let built = WarpPredicates::from_access_list(&list);
        assert_eq!(built.len(), 3);
        assert_eq!(built.iter().collect::<Vec<_>>(), warp_predicates(&list));
        assert_eq!(built.get(1), Some(&[][..]));
        assert_eq!(built.get(2).map(<[B256]>::len), Some(2));
        assert_eq!(built.get(3), None);
        assert_eq!(built.get(usize::MAX), None);
        assert!(WarpPredicates::new().is_empty() && WarpPredicates::new().get(0).is_none());
    }

    #[test]
    fn warp_access_list_packs_each_message() {
        let list = warp_access_list([&[1u8, 2][..], &[7u8; 40][..]]);
        let preds = warp_predicates(&list);
        assert_eq!(preds.len(), 2);
        assert_eq!(crate::predicate::unpack(preds[1]).unwrap(), vec![7u8; 40]);
    }
}
