//! The revm 43 adapter: a [`PrecompileProvider`] that runs the warp core at
//! `0x0200…0005` and everything else through [`EthPrecompiles`].
//!
//! | piece | what it carries |
//! |---|---|
//! | [`WarpChain`] | revm's chain slot (`Context<…, CHAIN>`): network ID, blockchain ID, gas schedule, delegate-call policy |
//! | [`WarpTxTr`] / [`WarpTx`] | a transaction that also carries its predicates' failure bits (op-revm's `OpTransaction` pattern) |
//! | [`WarpPrecompiles`] | the provider; the warp address stays **cold** (not pre-warmed), as in the reference |
//!
//! The predicates are read from the transaction's own access list, so they can
//! never disagree with what intrinsic gas charged for.

use revm::context::{Cfg, ContextTr, LocalContextTr, TxEnv};
use revm::context_interface::transaction::{AccessListItemTr, Transaction};
use revm::context_interface::JournalTr;
use revm::handler::{precompile_output_to_interpreter_result, EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, CallScheme as RevmCallScheme, InterpreterResult};
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, AddressSet, Bytes, TxKind, B256, U256};
use warp_predicate::{FailureBits, GasSchedule, WARP_ADDRESS};

use alloy_sol_types::SolCall;

use crate::interface::IWarpMessenger;
use crate::precompile::{
    run, CallScheme, ChainConstants, DelegatePolicy, WarpCall, WarpEnv, WarpHalt, WarpOutcome,
};

/// The chain's warp settings, held in revm's chain slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarpChain {
    /// Network and blockchain IDs.
    pub constants: ChainConstants,
    /// The gas schedule at the block's timestamp.
    pub schedule: GasSchedule,
    /// The delegate-call policy at the block's timestamp.
    pub delegate_policy: DelegatePolicy,
}

/// A transaction that knows which of its warp predicates failed pre-verification.
pub trait WarpTxTr: Transaction {
    /// The failure bits of this transaction's warp predicates (from the block's results).
    fn predicate_failures(&self) -> &FailureBits;
}

/// A transaction with its predicates' failure bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarpTx<T = TxEnv> {
    /// The underlying transaction.
    pub base: T,
    /// Which warp predicates failed.
    pub failures: FailureBits,
}

impl<T> WarpTx<T> {
    /// Wraps `base` with `failures`.
    pub fn new(base: T, failures: FailureBits) -> Self {
        Self { base, failures }
    }
}

impl<T: Transaction> WarpTxTr for WarpTx<T> {
    fn predicate_failures(&self) -> &FailureBits {
        &self.failures
    }
}

impl<T: Transaction> Transaction for WarpTx<T> {
    type AccessListItem<'a>
        = T::AccessListItem<'a>
    where
        T: 'a;
    type Authorization<'a>
        = T::Authorization<'a>
    where
        T: 'a;

    fn tx_type(&self) -> u8 {
        self.base.tx_type()
    }
    fn caller(&self) -> Address {
        self.base.caller()
    }
    fn gas_limit(&self) -> u64 {
        self.base.gas_limit()
    }
    fn value(&self) -> U256 {
        self.base.value()
    }
    fn input(&self) -> &Bytes {
        self.base.input()
    }
    fn nonce(&self) -> u64 {
        self.base.nonce()
    }
    fn kind(&self) -> TxKind {
        self.base.kind()
    }
    fn chain_id(&self) -> Option<u64> {
        self.base.chain_id()
    }
    fn gas_price(&self) -> u128 {
        self.base.gas_price()
    }
    fn access_list(&self) -> Option<impl Iterator<Item = Self::AccessListItem<'_>>> {
        self.base.access_list()
    }
    fn blob_versioned_hashes(&self) -> &[B256] {
        self.base.blob_versioned_hashes()
    }
    fn max_fee_per_blob_gas(&self) -> u128 {
        self.base.max_fee_per_blob_gas()
    }
    fn authorization_list_len(&self) -> usize {
        self.base.authorization_list_len()
    }
    fn authorization_list(&self) -> impl Iterator<Item = Self::Authorization<'_>> {
        self.base.authorization_list()
    }
    fn max_fee_per_gas(&self) -> u128 {
        self.base.max_fee_per_gas()
    }
    fn max_priority_fee_per_gas(&self) -> Option<u128> {
        self.base.max_priority_fee_per_gas()
    }
    fn effective_gas_price(&self, base_fee: u128) -> u128 {
        self.base.effective_gas_price(base_fee)
    }
}

/// The warp predicates of a transaction: the storage keys of each warp tuple, in order.
pub fn tx_predicates<T: Transaction>(tx: &T) -> Vec<Vec<B256>> {
    tx.access_list()
        .into_iter()
        .flatten()
        .filter(|item| *item.address() == WARP_ADDRESS)
        .map(|item| item.storage_slots().copied().collect())
        .collect()
}

/// Ethereum's precompiles plus warp at `0x0200…0005`, which stays cold.
#[derive(Debug, Clone)]
pub struct WarpPrecompiles {
    inner: EthPrecompiles,
}

impl WarpPrecompiles {
    /// The provider for `spec`.
    pub fn new(spec: SpecId) -> Self {
        Self { inner: EthPrecompiles::new(spec) }
    }
}

fn scheme(scheme: RevmCallScheme) -> CallScheme {
    match scheme {
        RevmCallScheme::Call => CallScheme::Call,
        RevmCallScheme::CallCode => CallScheme::CallCode,
        RevmCallScheme::DelegateCall => CallScheme::DelegateCall,
        RevmCallScheme::StaticCall => CallScheme::StaticCall,
    }
}

impl<CTX> PrecompileProvider<CTX> for WarpPrecompiles
where
    CTX: ContextTr<Cfg: Cfg<Spec = SpecId>, Chain = WarpChain, Tx: WarpTxTr>,
{
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: SpecId) -> bool {
        <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.inner, spec)
    }

    fn run(&mut self, context: &mut CTX, inputs: &CallInputs) -> Result<Option<InterpreterResult>, String> {
        if inputs.bytecode_address != WARP_ADDRESS {
            return <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.inner, context, inputs);
        }
        let input = inputs.input.bytes(context);
        let chain = *context.chain();
        // Only the two reads look at predicates: other calls skip copying them out
        // of the access list.
        let reads = matches!(
            input.get(..4),
            Some(s) if s == IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR
                || s == IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR
        );
        let (predicates, failures) = if reads {
            (tx_predicates(context.tx()), context.tx().predicate_failures().clone())
        } else {
            (Vec::new(), FailureBits::new())
        };
        let predicate_refs: Vec<&[B256]> = predicates.iter().map(Vec::as_slice).collect();
        let env = WarpEnv {
            predicates: &predicate_refs,
            failures: &failures,
            chain: chain.constants,
            schedule: &chain.schedule,
            delegate_policy: chain.delegate_policy,
        };
        let call = WarpCall {
            input: &input,
            caller: inputs.caller,
            is_static: inputs.is_static,
            scheme: scheme(inputs.scheme),
            gas_limit: inputs.gas_limit,
        };
        let reservoir = inputs.reservoir;
        let output = match run(&call, &env) {
            WarpOutcome::Success(out) => {
                for log in out.logs {
                    context.journal_mut().log(log);
                }
                PrecompileOutput::new(out.gas_used, out.output, reservoir)
            }
            WarpOutcome::Halt(WarpHalt::DelegateCallReverted) => {
                PrecompileOutput::revert(inputs.gas_limit, Bytes::new(), reservoir)
            }
            WarpOutcome::Halt(halt) => {
                if !matches!(halt, WarpHalt::OutOfGas { .. }) && context.journal().depth() == 1 {
                    context.local_mut().set_precompile_error_context(halt.to_string());
                }
                let reason = match halt {
                    WarpHalt::OutOfGas { .. } => PrecompileHalt::OutOfGas,
                    other => PrecompileHalt::other(other.to_string()),
                };
                PrecompileOutput::halt(reason, reservoir)
            }
            WarpOutcome::InvalidTransaction => {
                return Err("delegate call into the warp precompile invalidates the transaction".into())
            }
        };
        Ok(Some(precompile_output_to_interpreter_result(output, inputs.gas_limit)))
    }

    fn warm_addresses(&self) -> &AddressSet {
        self.inner.warm_addresses()
    }

    fn contains(&self, address: &Address) -> bool {
        *address == WARP_ADDRESS || self.inner.contains(address)
    }
}
