//! The entry points, in revm's style: [`WarpContext`] and [`DefaultWarp`] to set a
//! context up, [`WarpBuilder::build_warp`] to turn it into a [`WarpEvm`], and
//! revm's [`ExecuteEvm`] / [`InspectEvm`] traits (`transact`, `transact_commit`,
//! `inspect`, ...) on it, all running [`WarpHandler`].
//!
//! ```
//! use revm::context::{Context, TxEnv};
//! use revm::database::InMemoryDB;
//! use revm::ExecuteEvm;
//! use warp_precompile::revm::{DefaultWarp, WarpBuilder, WarpChain, WarpContext, WarpTx};
//!
//! let mut evm = WarpContext::warp().with_db(InMemoryDB::default()).with_chain(WarpChain::default()).build_warp();
//! // No warp predicates to read: no pre-verification needed.
//! let tx = WarpTx::unverified(TxEnv::builder().gas_limit(21_000).build().unwrap());
//! let outcome = evm.transact(tx).unwrap();
//! assert!(outcome.result.is_success());
//! ```

use revm::context::result::{EVMError, ExecResultAndState, ExecutionResult, HaltReason};
use revm::context::{BlockEnv, Cfg, CfgEnv, Context, ContextSetters, ContextTr, Evm, FrameStack, Journal};
use revm::context_interface::{Block, JournalTr};
use revm::database::EmptyDB;
use revm::handler::instructions::EthInstructions;
use revm::handler::{EthFrame, Handler};
use revm::inspector::{InspectCommitEvm, InspectEvm, Inspector, InspectorHandler, JournalExt};
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::hardfork::SpecId;
use revm::state::EvmState;
use revm::{Database, DatabaseCommit, ExecuteCommitEvm, ExecuteEvm};

use super::{WarpChain, WarpHandler, WarpPrecompiles, WarpTransactionError, WarpTx, WarpTxTr};

/// revm's context with a [`WarpTx`] transaction and the [`WarpChain`] slot.
pub type WarpContext<DB> = Context<BlockEnv, WarpTx, CfgEnv, DB, Journal<DB>, WarpChain>;

/// The error of a warp transaction: revm's, with [`WarpTransactionError`] as the
/// transaction-validation reason.
pub type WarpError<DB> = EVMError<<DB as Database>::Error, WarpTransactionError>;

/// A revm EVM with the warp precompile and [`WarpHandler`].
#[derive(Debug)]
pub struct WarpEvm<CTX, INSP = ()>(
    /// The underlying revm EVM (its fields are public, as revm's are).
    pub Evm<CTX, INSP, EthInstructions<EthInterpreter, CTX>, WarpPrecompiles, EthFrame<EthInterpreter>>,
);

/// A default warp context, as `Context::mainnet()` is for mainnet.
pub trait DefaultWarp {
    /// An empty database, the default spec, the default block, an empty
    /// transaction and [`WarpChain::default`].
    fn warp() -> Self;
}

impl DefaultWarp for WarpContext<EmptyDB> {
    fn warp() -> Self {
        Context::new(EmptyDB::new(), SpecId::default())
    }
}

/// Builds a [`WarpEvm`] from a context, as revm's `MainBuilder` builds a mainnet one.
pub trait WarpBuilder: Sized {
    /// The context type.
    type Context;
    /// The EVM, without an inspector.
    fn build_warp(self) -> WarpEvm<Self::Context>;
    /// The EVM with `inspector`.
    fn build_warp_with_inspector<INSP>(self, inspector: INSP) -> WarpEvm<Self::Context, INSP>;
}

impl<BLOCK, TX, DB, JOURNAL> WarpBuilder for Context<BLOCK, TX, CfgEnv, DB, JOURNAL, WarpChain>
where
    BLOCK: Block,
    TX: WarpTxTr,
    DB: Database,
    JOURNAL: JournalTr<Database = DB>,
{
    type Context = Self;

    fn build_warp(self) -> WarpEvm<Self> {
        self.build_warp_with_inspector(())
    }

    fn build_warp_with_inspector<INSP>(self, inspector: INSP) -> WarpEvm<Self, INSP> {
        let spec = self.cfg.spec;
        WarpEvm(Evm {
            ctx: self,
            inspector,
            instruction: EthInstructions::new_mainnet_with_spec(spec),
            precompiles: WarpPrecompiles::new(spec),
            frame_stack: FrameStack::new_prealloc(8),
        })
    }
}

type Inner<CTX, INSP> =
    Evm<CTX, INSP, EthInstructions<EthInterpreter, CTX>, WarpPrecompiles, EthFrame<EthInterpreter>>;
type Run<CTX, INSP> =
    WarpHandler<Inner<CTX, INSP>, WarpError<<CTX as ContextTr>::Db>, EthFrame<EthInterpreter>>;

/// What [`WarpEvm`] needs of a revm context: the warp chain slot, a warp
/// transaction, a spec of revm's [`SpecId`], and revm's journal state. Every
/// context that has them implements it.
pub trait WarpContextTr:
    ContextTr<Journal: JournalTr<State = EvmState>, Chain = WarpChain, Cfg: Cfg<Spec = SpecId>, Tx: WarpTxTr>
    + ContextSetters
{
}

impl<CTX> WarpContextTr for CTX where
    CTX: ContextTr<
            Journal: JournalTr<State = EvmState>,
            Chain = WarpChain,
            Cfg: Cfg<Spec = SpecId>,
            Tx: WarpTxTr,
        > + ContextSetters
{
}

impl<CTX: WarpContextTr, INSP> ExecuteEvm for WarpEvm<CTX, INSP> {
    type ExecutionResult = ExecutionResult<HaltReason>;
    type State = EvmState;
    type Error = WarpError<CTX::Db>;
    type Tx = CTX::Tx;
    type Block = CTX::Block;

    fn set_block(&mut self, block: Self::Block) {
        self.0.ctx.set_block(block);
    }

    fn transact_one(&mut self, tx: Self::Tx) -> Result<Self::ExecutionResult, Self::Error> {
        self.0.ctx.set_tx(tx);
        Run::<CTX, INSP>::default().run(&mut self.0)
    }

    fn finalize(&mut self) -> Self::State {
        self.0.ctx.journal_mut().finalize()
    }

    fn replay(&mut self) -> Result<ExecResultAndState<Self::ExecutionResult, Self::State>, Self::Error> {
        let result = Run::<CTX, INSP>::default().run(&mut self.0);
        let state = self.finalize();
        result.map(|result| ExecResultAndState::new(result, state))
    }
}

impl<CTX: WarpContextTr<Db: DatabaseCommit>, INSP> ExecuteCommitEvm for WarpEvm<CTX, INSP> {
    fn commit(&mut self, state: Self::State) {
        self.0.ctx.db_mut().commit(state);
    }
}

impl<CTX, INSP> InspectEvm for WarpEvm<CTX, INSP>
where
    CTX: WarpContextTr<Journal: JournalExt>,
    INSP: Inspector<CTX, EthInterpreter>,
{
    type Inspector = INSP;

    fn set_inspector(&mut self, inspector: INSP) {
        self.0.inspector = inspector;
    }

    fn inspect_one_tx(&mut self, tx: Self::Tx) -> Result<Self::ExecutionResult, Self::Error> {
        self.0.ctx.set_tx(tx);
        Run::<CTX, INSP>::default().inspect_run(&mut self.0)
    }
}

impl<CTX, INSP> InspectCommitEvm for WarpEvm<CTX, INSP>
where
    CTX: WarpContextTr<Journal: JournalExt, Db: DatabaseCommit>,
    INSP: Inspector<CTX, EthInterpreter>,
{
}
