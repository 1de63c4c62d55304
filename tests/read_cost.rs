//! A precompile read does constant work before it is charged (review finding 1
//! of Hardening II).
//!
//! A contract loops `STATICCALL(gas = 0, warp, getVerifiedWarpMessage(2^31 − 1))`
//! in a transaction carrying a 124 KB predicate: every call halts at its first
//! charge. The reads used to copy every storage key of the transaction's
//! predicates (and clone its failure bits) per call, before charging: thousands
//! of copies of 124 KB for gas that pays for none. Now the predicates are built
//! once per transaction and a read touches only the indexed one, after charging.
//!
//! Measured without a clock: this binary counts the bytes its allocator hands
//! out while the transaction runs, through both adapters (the revm provider and
//! alloy-evm's map). Once per transaction is about one predicate's size; once
//! per call would be thousands of times that. The binary holds this one test,
//! so nothing else allocates while it counts.

#![allow(unsafe_code)] // the counting allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use alloy_sol_types::SolCall;
use awm::precompile::alloy_evm::with_warp_tx;
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTx};
use awm::precompile::{DelegatePolicy, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{warp_access_list, FailureBits, GasSchedule};
use revm::handler::EthPrecompiles;
use revm::primitives::Address;
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder};

mod support;
use support::*;

struct Counting;

static ALLOCATED: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call forwards to the system allocator unchanged; the counter
// only records sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract for `realloc` is passed on as it is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const LOOP: Address = Address::new([0x1f; 20]);
const PREDICATE_BYTES: usize = 124 * 1024;
/// Enough for the predicate's intrinsic gas (7.4M flat under the mainnet handler the
/// map runs with, 2.1M as predicate gas) and thousands of calls.
const GAS: u64 = 12_000_000;

#[test]
fn zero_gas_reads_copy_nothing_per_call() {
    let chain = WarpChain::new(CHAIN, GasSchedule::granite(), DelegatePolicy::Reverts);
    let message = wide_bitset_message(PREDICATE_BYTES);
    let access_list = warp_access_list([message.as_slice()]);
    let mut db = database();
    db.insert_account_info(LOOP, AccountInfo::from_bytecode(static_call_loop(WARP_ADDRESS)));
    let looping = |input: Vec<u8>| {
        let mut base = tx_to(LOOP, input, access_list.clone(), FailureBits::none_failed()).into_base();
        base.gas_limit = GAS;
        WarpTx::new(base, FailureBits::none_failed())
    };
    let read = looping(IWarpMessenger::getVerifiedWarpMessageCall { index: i32::MAX as u32 }.abi_encode());
    // The baseline: the same transaction looping on a call that reads no predicate.
    let blockchain_id = looping(IWarpMessenger::getBlockchainIDCall {}.abi_encode());

    let measure = |tx: WarpTx, map: bool| -> (u64, u64) {
        let before;
        let result = if map {
            let map = with_warp_tx(EthPrecompiles::new(SPEC).into(), chain);
            let mut evm = context(chain).with_db(db.clone()).build_mainnet().with_precompiles(map);
            before = ALLOCATED.load(Ordering::Relaxed);
            evm.transact(tx).map_err(|e| e.to_string())
        } else {
            let mut evm = context(chain).with_db(db.clone()).build_warp();
            before = ALLOCATED.load(Ordering::Relaxed);
            evm.transact(tx).map_err(|e| e.to_string())
        };
        let gas_used = result.expect("the loop runs").result.tx_gas_used();
        (ALLOCATED.load(Ordering::Relaxed) - before, gas_used)
    };
    for (name, map) in [("revm provider", false), ("alloy-evm map", true)] {
        let (baseline, baseline_gas) = measure(blockchain_id.clone(), map);
        let (reads, reads_gas) = measure(read.clone(), map);
        assert!(reads_gas > GAS - 10_000 && baseline_gas > GAS - 10_000, "{name}: the loops spend the gas");
        // The reads may build the predicates once (one copy of the 124 KB, with
        // the vector's growth); copying per call would be thousands of copies.
        let extra = reads.saturating_sub(baseline);
        assert!(
            extra < 3 * PREDICATE_BYTES as u64,
            "{name}: thousands of zero-gas reads of a {PREDICATE_BYTES}-byte predicate allocated \
             {extra} bytes more than the same loop on getBlockchainID ({reads} against {baseline})"
        );
    }
}
