//! How the aggregator reaches validators: the [`ValidatorClient`] trait (one
//! ACP-118 `AppRequest` to one node, its `AppResponse` bytes back), and
//! [`InProcessNetwork`], which answers from in-process [`SigningService`]s and
//! can make chosen validators slow, silent or lying.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use awm_core::acp118::{decode_signature_request, encode_signature_response};
use awm_core::bls::{SecretKey, SIGNATURE_LEN};
use awm_core::NodeId;
use thiserror::Error;
use warp_node::SigningService;

/// Why a request got no signature response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    /// The node is not reachable.
    #[error("node {0} is not reachable")]
    Unreachable(NodeId),
    /// The node answered with an ACP-118 `AppError`.
    #[error("node refused with app error {code}: {message}")]
    App {
        /// The error code.
        code: i32,
        /// The error message.
        message: String,
    },
}

/// A way to send ACP-118 signature requests to validators.
pub trait ValidatorClient: Send + Sync + 'static {
    /// Sends `app_bytes` (handler prefix and `SignatureRequest`) to `node` and
    /// returns the `AppResponse` bytes.
    fn app_request(
        &self,
        node: NodeId,
        app_bytes: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, RequestError>> + Send;
}

/// How an in-process validator behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behaviour {
    /// Answers after the network's base latency.
    #[default]
    Honest,
    /// Answers honestly after this delay.
    Slow(Duration),
    /// Never answers.
    Silent,
    /// Answers quickly with a well-formed signature by a key that is not its own.
    Lying,
}

/// In-process validators reached through their [`SigningService`]s.
#[derive(Debug, Clone)]
pub struct InProcessNetwork {
    nodes: HashMap<NodeId, (Arc<SigningService>, Behaviour)>,
    latency: Duration,
    liar_key: Option<SecretKey>,
}

impl InProcessNetwork {
    /// A network whose honest answers take `latency`.
    pub fn new(latency: Duration) -> Self {
        // A fixed key that is no validator's: a liar's signatures parse but never verify.
        let liar_key = SecretKey::from_seed(b"warp-relayer in-process liar key").ok();
        Self { nodes: HashMap::new(), latency, liar_key }
    }

    /// Adds a validator behaving as `behaviour`.
    pub fn add(&mut self, service: Arc<SigningService>, behaviour: Behaviour) {
        self.nodes.insert(service.node_id(), (service, behaviour));
    }

    /// How `node` behaves, if it is in the network.
    pub fn behaviour(&self, node: &NodeId) -> Option<Behaviour> {
        self.nodes.get(node).map(|(_, b)| *b)
    }
}

impl ValidatorClient for InProcessNetwork {
    fn app_request(
        &self,
        node: NodeId,
        app_bytes: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, RequestError>> + Send {
        let entry = self.nodes.get(&node).cloned();
        let latency = self.latency;
        let liar_key = self.liar_key.clone();
        async move {
            let (service, behaviour) = entry.ok_or(RequestError::Unreachable(node))?;
            match behaviour {
                Behaviour::Honest => tokio::time::sleep(latency).await,
                Behaviour::Slow(delay) => tokio::time::sleep(delay).await,
                Behaviour::Silent => std::future::pending::<()>().await,
                Behaviour::Lying => {
                    tokio::time::sleep(latency).await;
                    let request = decode_signature_request(&app_bytes)
                        .map_err(|e| RequestError::App { code: -1, message: e.to_string() })?;
                    let forged =
                        liar_key.map_or([0xff; SIGNATURE_LEN], |k| k.sign(&request.message).to_bytes());
                    return Ok(encode_signature_response(&forged));
                }
            }
            service
                .handle(&app_bytes)
                .map_err(|refusal| RequestError::App { code: refusal.code(), message: refusal.to_string() })
        }
    }
}
