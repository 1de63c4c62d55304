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
    fn warp_access_list_packs_each_message() {
        let list = warp_access_list([&[1u8, 2][..], &[7u8; 40][..]]);
        let preds = warp_predicates(&list);
        assert_eq!(preds.len(), 2);
        assert_eq!(crate::predicate::unpack(preds[1]).unwrap(), vec![7u8; 40]);
    }
}
