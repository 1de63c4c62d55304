//! The [`PrecompileProvider`]: the warp core at `0x0200…0005`, everything else
//! through [`EthPrecompiles`]. The warp address stays **cold** (not pre-warmed),
//! as in the reference, so a first `CALL` to it costs 2,600 rather than 100.

use revm::context::{Cfg, ContextTr, LocalContextTr};
use revm::context_interface::JournalTr;
use revm::handler::{precompile_output_to_interpreter_result, EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, CallScheme as RevmCallScheme, InterpreterResult};
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, AddressSet, Bytes, Log};
use warp_predicate::{WarpPredicates, WARP_ADDRESS};

use alloy_sol_types::SolCall;

use super::{WarpChain, WarpTxTr};
use crate::interface::IWarpMessenger;
use crate::precompile::{run, CallScheme, WarpCall, WarpEnv, WarpHalt, WarpOutcome};

/// Ethereum's precompiles plus warp at `0x0200…0005`, which stays cold.
#[derive(Debug, Clone)]
pub struct WarpPrecompiles {
    inner: EthPrecompiles,
}

impl WarpPrecompiles {
    /// The provider for `spec`: revm's precompiles of that spec, and warp.
    pub fn new(spec: SpecId) -> Self {
        Self { inner: EthPrecompiles::new(spec) }
    }

    /// Warp and a chain's own set of the other precompiles (for example
    /// Avalanche's P-256 verifier from Granite). The set's `spec` must be the
    /// EVM's, or revm replaces the set with its own at the first transaction.
    pub fn with_precompiles(precompiles: EthPrecompiles) -> Self {
        Self { inner: precompiles }
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
        // Nothing is copied before the core charges: the calldata is borrowed
        // from the caller's memory, the predicates from the transaction.
        let (outcome, depth) = {
            let (_, tx, _, _, journal, chain, local) = context.all();
            let input = inputs.input.as_bytes_local(local);
            let call = WarpCall {
                input: &input,
                caller: inputs.caller,
                is_static: inputs.is_static,
                scheme: scheme(inputs.scheme),
                gas_limit: inputs.gas_limit,
            };
            (dispatch(&call, chain, || Some(tx))?, journal.depth())
        };
        if let WarpOutcome::Halt(halt) = &outcome {
            if !matches!(halt, WarpHalt::OutOfGas { .. } | WarpHalt::DelegateCallReverted) && depth == 1 {
                context.local_mut().set_precompile_error_context(halt.to_string());
            }
        }
        let (output, logs) = precompile_output(outcome, inputs.gas_limit, inputs.reservoir)?;
        for log in logs {
            context.journal_mut().log(log);
        }
        Ok(Some(precompile_output_to_interpreter_result(output, inputs.gas_limit)))
    }

    fn warm_addresses(&self) -> &AddressSet {
        self.inner.warm_addresses()
    }

    fn contains(&self, address: &Address) -> bool {
        *address == WARP_ADDRESS || self.inner.contains(address)
    }
}

/// Runs the core for one call. Only the two reads ask `tx` for anything: its
/// predicates, built once per transaction, and its failure bits, borrowed, so a
/// read does constant work before the core charges for it. A host that cannot
/// supply the warp transaction type gets a fatal error rather than a guess.
pub(crate) fn dispatch<'t, T: WarpTxTr + 't>(
    call: &WarpCall<'_>,
    chain: &WarpChain,
    tx: impl FnOnce() -> Option<&'t T>,
) -> Result<WarpOutcome, String> {
    let reads = matches!(
        call.input.get(..4),
        Some(s) if s == IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR
            || s == IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR
    );
    let none = WarpPredicates::new();
    let (predicates, failures) = if reads {
        let tx = tx().ok_or_else(|| {
            "the warp precompile reads predicates but the transaction environment does not carry \
             their failure bits (use WarpTx)"
                .to_string()
        })?;
        (tx.warp_predicates(), tx.predicate_failures())
    } else {
        (&none, None)
    };
    let env = WarpEnv {
        predicates,
        failures,
        chain: chain.constants,
        schedule: &chain.schedule,
        delegate_policy: chain.delegate_policy,
    };
    Ok(run(call, &env))
}

/// Translates an outcome into revm's precompile output and the logs to emit:
/// a halt burns all gas (out of gas as `PrecompileOOG`), a Granite delegate call
/// reverts with no gas left, and a transaction-invalidating delegate call is the
/// fatal `Err` that aborts the transaction.
pub(crate) fn precompile_output(
    outcome: WarpOutcome,
    gas_limit: u64,
    reservoir: u64,
) -> Result<(PrecompileOutput, Vec<Log>), String> {
    Ok(match outcome {
        WarpOutcome::Success(out) => (PrecompileOutput::new(out.gas_used, out.output, reservoir), out.logs),
        WarpOutcome::Halt(WarpHalt::DelegateCallReverted) => {
            (PrecompileOutput::revert(gas_limit, Bytes::new(), reservoir), Vec::new())
        }
        WarpOutcome::Halt(halt) => {
            let reason = match halt {
                WarpHalt::OutOfGas { .. } => PrecompileHalt::OutOfGas,
                other => PrecompileHalt::other(other.to_string()),
            };
            (PrecompileOutput::halt(reason, reservoir), Vec::new())
        }
        WarpOutcome::InvalidTransaction => {
            return Err("delegate call into the warp precompile invalidates the transaction".into())
        }
    })
}
