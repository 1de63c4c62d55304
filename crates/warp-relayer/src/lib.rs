//! Warp messages in motion, on tokio.
//!
//! | module | what it is |
//! |---|---|
//! | [`client`] | [`ValidatorClient`]: one ACP-118 request to one validator; [`InProcessNetwork`] with fault injection |
//! | [`aggregator`] | [`Aggregator`]: concurrent, heaviest-first, verified, stops at the exact quorum |
//! | [`relayer`] | [`Relayer`]: follows accepted blocks, aggregates, submits with the predicate, confirms |

pub mod aggregator;
pub mod client;
pub mod relayer;

pub use aggregator::{AggregateError, Aggregator, AggregatorConfig, Progress, SignedOutcome};
pub use client::{Behaviour, InProcessNetwork, RequestError, ValidatorClient};
pub use relayer::{Delivery, RelayError, RelayEvent, Relayer, RelayerConfig, Route};
