//! The [`Handler`]: revm's mainnet transaction flow with warp's intrinsic-gas
//! rule. A warp tuple in the access list is charged its predicate gas *instead
//! of* the flat EIP-2930 `2,400 + 1,900 × keys` (coreth's `accessListGas`), and a
//! malformed predicate makes the transaction invalid before anything runs.
//!
//! | step | mainnet | warp |
//! |---|---|---|
//! | intrinsic gas | base + calldata + flat access list | the same with each warp tuple at its predicate gas |
//! | gas limit below intrinsic | `CallGasCostMoreThanGasLimit` | the same, on the predicate-aware figure |
//! | malformed predicate | (not a concept) | [`WarpTransactionError::Predicate`] |
//! | everything else | mainnet | mainnet |
//!
//! Under Granite a large predicate costs *less* than the flat charge for its keys,
//! so the handler computes the whole figure and checks the gas limit once against
//! it, rather than adding a (possibly negative) delta after revm's own check. The
//! flat charge it swaps out is revm's own (from the spec's gas parameters), so
//! non-warp tuples cost exactly what revm charges for them.

use core::marker::PhantomData;

use revm::context::result::{HaltReason, InvalidTransaction};
use revm::context::{Cfg, ContextTr, JournalTr};
use revm::context_interface::cfg::gas_params::Eip2780TxInfo;
use revm::context_interface::transaction::{
    AccessListItemTr, Transaction, TransactionError, TransactionType,
};
use revm::handler::evm::FrameTr;
use revm::handler::{EthFrame, EvmTr, EvmTrError, FrameResult, Handler};
use revm::inspector::{Inspector, InspectorEvmTr, InspectorHandler};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::InitialAndFloorGas;
use revm::primitives::hardfork::SpecId;
use revm::state::EvmState;
use thiserror::Error;
use warp_predicate::{AccessListGasError, AccessListGasMeter, GasSchedule};

use super::WarpChain;

/// Why a transaction is refused before execution: revm's reasons plus warp's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarpTransactionError {
    /// One of revm's own reasons (nonce, balance, gas limit, ...).
    #[error(transparent)]
    Base(#[from] InvalidTransaction),
    /// A warp predicate in the access list is malformed, or the access-list gas
    /// overflows: the reference's `PredicateGas` error, which makes the
    /// transaction invalid.
    #[error("{0}")]
    Predicate(#[from] AccessListGasError),
    /// The intrinsic gas does not fit in `u64` once predicates are charged.
    #[error("intrinsic gas overflows u64: {initial} − {flat} + {predicates}")]
    IntrinsicGasOverflow {
        /// revm's intrinsic gas, with its flat charge for every tuple.
        initial: u64,
        /// revm's flat charge for the warp tuples inside it.
        flat: u64,
        /// The predicate gas of the warp tuples, which replaces it.
        predicates: u64,
    },
}

impl TransactionError for WarpTransactionError {}

impl<DB> From<WarpTransactionError> for revm::context::result::EVMError<DB, WarpTransactionError> {
    fn from(value: WarpTransactionError) -> Self {
        Self::Transaction(value)
    }
}

/// Meters the access list of `tx` under `schedule`: the flat EIP-2930 charge,
/// the predicate-aware one, and the warp tuples on their own. A legacy
/// transaction has no access list.
pub fn tx_access_list_gas<T: Transaction>(
    tx: &T,
    schedule: &GasSchedule,
) -> Result<AccessListGasMeter, AccessListGasError> {
    let mut meter = AccessListGasMeter::new();
    if tx.tx_type() != TransactionType::Legacy as u8 {
        for item in tx.access_list().into_iter().flatten() {
            meter.add(item.address(), item.storage_slots(), schedule)?;
        }
    }
    Ok(meter)
}

/// revm's mainnet handler with warp's predicate intrinsic gas.
#[derive(Debug)]
pub struct WarpHandler<EVM, ERROR, FRAME> {
    _phantom: PhantomData<(EVM, ERROR, FRAME)>,
}

impl<EVM, ERROR, FRAME> Default for WarpHandler<EVM, ERROR, FRAME> {
    fn default() -> Self {
        Self { _phantom: PhantomData }
    }
}

impl<EVM, ERROR, FRAME> WarpHandler<EVM, ERROR, FRAME> {
    /// A new handler.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<EVM, ERROR, FRAME> Handler for WarpHandler<EVM, ERROR, FRAME>
where
    EVM: EvmTr<
        Context: ContextTr<Journal: JournalTr<State = EvmState>, Chain = WarpChain, Cfg: Cfg<Spec = SpecId>>,
        Frame = FRAME,
    >,
    ERROR: EvmTrError<EVM> + From<WarpTransactionError>,
    FRAME: FrameTr<FrameResult = FrameResult, FrameInit = FrameInit>,
{
    type Evm = EVM;
    type Error = ERROR;
    type HaltReason = HaltReason;

    /// revm's `validate_initial_tx_gas_with_gas_params`, step for step, with the
    /// access-list charge replaced by the predicate-aware one before the checks.
    fn validate_initial_tx_gas(&self, evm: &mut Self::Evm) -> Result<InitialAndFloorGas, Self::Error> {
        let ctx = evm.ctx_ref();
        let (tx, cfg) = (ctx.tx(), ctx.cfg());
        let eip2780 = cfg.is_amsterdam_eip2780_enabled().then(|| Eip2780TxInfo {
            value: tx.value(),
            is_self_transfer: tx.kind().to() == Some(&tx.caller()),
        });
        let mut gas = cfg.gas_params().initial_tx_gas_for_tx(tx, eip2780);
        if cfg.is_eip7623_disabled() {
            gas.set_floor_gas(0);
        }
        if !cfg.is_amsterdam_eip8037_enabled() {
            gas.set_initial_state_gas(0);
        }

        // revm charged every tuple its own flat price; the warp tuples pay their
        // predicate gas instead, and every other tuple keeps revm's price.
        let meter = tx_access_list_gas(tx, &ctx.chain().schedule).map_err(WarpTransactionError::from)?;
        let (warp_tuples, warp_keys, predicate_gas) = meter.warp_tuples();
        let warp_flat = cfg.gas_params().tx_access_list_cost(
            u64::try_from(warp_tuples).unwrap_or(u64::MAX),
            u64::try_from(warp_keys).unwrap_or(u64::MAX),
        );
        let initial = gas.initial_regular_gas();
        let regular = initial.checked_sub(warp_flat).and_then(|g| g.checked_add(predicate_gas)).ok_or(
            WarpTransactionError::IntrinsicGasOverflow {
                initial,
                flat: warp_flat,
                predicates: predicate_gas,
            },
        )?;
        gas.set_initial_regular_gas(regular);

        let gas_limit = tx.gas_limit();
        let total = gas.initial_regular_gas().saturating_add(gas.initial_state_gas_final());
        if total > gas_limit {
            return Err(
                InvalidTransaction::CallGasCostMoreThanGasLimit { gas_limit, initial_gas: total }.into()
            );
        }
        if cfg.spec().is_enabled_in(SpecId::PRAGUE) && gas.floor_gas() > gas_limit {
            return Err(InvalidTransaction::GasFloorMoreThanGasLimit {
                gas_floor: gas.floor_gas(),
                gas_limit,
            }
            .into());
        }
        let cap = cfg.tx_gas_limit_cap();
        if cfg.is_amsterdam_eip8037_enabled() && gas_limit > cap {
            let min_regular_gas = gas.initial_regular_gas().max(gas.floor_gas());
            if min_regular_gas > cap {
                return Err(InvalidTransaction::GasFloorMoreThanGasLimit {
                    gas_floor: min_regular_gas,
                    gas_limit: cap,
                }
                .into());
            }
        }
        Ok(gas)
    }
}

impl<EVM, ERROR> InspectorHandler for WarpHandler<EVM, ERROR, EthFrame<EthInterpreter>>
where
    EVM: InspectorEvmTr<
        Context: ContextTr<Journal: JournalTr<State = EvmState>, Chain = WarpChain, Cfg: Cfg<Spec = SpecId>>,
        Frame = EthFrame<EthInterpreter>,
        Inspector: Inspector<<EVM as EvmTr>::Context, EthInterpreter>,
    >,
    ERROR: EvmTrError<EVM> + From<WarpTransactionError>,
{
    type IT = EthInterpreter;
}
