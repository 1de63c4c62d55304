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
//! it, rather than adding a (possibly negative) delta after revm's own check.

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
use warp_predicate::{AccessListGas, AccessListGasError, AccessListGasMeter, GasSchedule};

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
    #[error("intrinsic gas overflows u64: {initial} − {standard} + {with_predicates}")]
    IntrinsicGasOverflow {
        /// revm's intrinsic gas with the flat access-list charge.
        initial: u64,
        /// The flat access-list charge inside it.
        standard: u64,
        /// The predicate-aware access-list charge that replaces it.
        with_predicates: u64,
    },
}

impl TransactionError for WarpTransactionError {}

impl<DB> From<WarpTransactionError> for revm::context::result::EVMError<DB, WarpTransactionError> {
    fn from(value: WarpTransactionError) -> Self {
        Self::Transaction(value)
    }
}

/// The access-list gas of `tx` under `schedule`: the flat EIP-2930 charge and the
/// predicate-aware one. A legacy transaction has no access list.
pub fn tx_access_list_gas<T: Transaction>(
    tx: &T,
    schedule: &GasSchedule,
) -> Result<AccessListGas, AccessListGasError> {
    let mut meter = AccessListGasMeter::new();
    if tx.tx_type() != TransactionType::Legacy as u8 {
        for item in tx.access_list().into_iter().flatten() {
            meter.add(item.address(), item.storage_slots(), schedule)?;
        }
    }
    Ok(meter.gas())
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

        let access_list =
            tx_access_list_gas(tx, &ctx.chain().schedule).map_err(WarpTransactionError::from)?;
        let initial = gas.initial_regular_gas();
        let regular = initial
            .checked_sub(access_list.standard)
            .and_then(|g| g.checked_add(access_list.with_predicates))
            .ok_or(WarpTransactionError::IntrinsicGasOverflow {
                initial,
                standard: access_list.standard,
                with_predicates: access_list.with_predicates,
            })?;
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
