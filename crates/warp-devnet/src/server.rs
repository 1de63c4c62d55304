//! One port, laid out as avalanchego lays out its APIs. hyper accepts the
//! connections; each request is routed by path to the jsonrpsee service of
//! its API, which answers HTTP, JSON-RPC batches and WebSocket upgrades:
//!
//! | path | API |
//! |---|---|
//! | `/ext/bc/<name or cb58 ID>/rpc`, `…/ws` | a chain: Ethereum, anvil, warp |
//! | `/` | the first chain (as anvil serves its one chain at the root) |
//! | `/ext/bc/P`, `/ext/P` | the P-Chain API |
//! | `/ext/info` | the info API |
//! | `/ext/health` | `{"healthy": true}` |
//! | `POST /aggregate-signatures` | icm-services' signature aggregator |
//!
//! Every answer allows any origin (CORS), as anvil's does, so a dapp in a
//! browser can use the devnet.

use std::future::Future;
use std::sync::Arc;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::server::{serve_with_graceful_shutdown, stop_channel, HttpBody, IdProvider, ServerConfig};
use jsonrpsee::types::SubscriptionId;
use jsonrpsee::Methods;
use thiserror::Error;
use tokio::net::TcpListener;
use tower::Service;

use crate::aggregate::{aggregate_signatures, AggregateRequestError};
use crate::network::Devnet;
use crate::rpc;

/// The largest request body (a batch, or a transaction with big predicates).
const MAX_BODY: u32 = 16 * 1024 * 1024;

/// Why the server stopped.
#[derive(Debug, Error)]
pub enum ServeError {
    /// A method could not be registered (two with one name).
    #[error("registering methods: {0}")]
    Register(#[from] RegisterMethodError),
}

/// A request that failed inside jsonrpsee's service (the connection ends).
#[derive(Debug, Error)]
#[error("{0}")]
struct RequestFailed(String);

/// Subscription IDs as geth and anvil give them: `0x` and 32 hex digits.
#[derive(Debug, Default)]
struct HexIdProvider {
    counter: std::sync::atomic::AtomicU64,
}

impl IdProvider for HexIdProvider {
    fn next_id(&self) -> SubscriptionId<'static> {
        let n = self.counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let seed = alloy_primitives::keccak256(format!("subscription {n} {nanos}"));
        SubscriptionId::Str(
            format!("0x{}", alloy_primitives::hex::encode(seed.get(..16).unwrap_or_default())).into(),
        )
    }
}

/// Where a request goes.
enum Target {
    Chain(usize),
    Platform,
    Info,
    Health,
    Aggregate,
    Preflight,
    NotFound,
}

fn route(devnet: &Devnet, method: &Method, path: &str) -> Target {
    if method == Method::OPTIONS {
        return Target::Preflight;
    }
    let path = path.trim_end_matches('/');
    match path {
        "" => return Target::Chain(0),
        "/ext/bc/P" | "/ext/P" => return Target::Platform,
        "/ext/info" => return Target::Info,
        "/ext/health" | "/ext/health/health" | "/ext/health/liveness" | "/ext/health/readiness" => {
            return Target::Health
        }
        "/aggregate-signatures" if method == Method::POST => return Target::Aggregate,
        _ => {}
    }
    let chain = path
        .strip_prefix("/ext/bc/")
        .and_then(|rest| rest.strip_suffix("/rpc").or_else(|| rest.strip_suffix("/ws")))
        .and_then(|key| devnet.chain(key));
    match chain {
        Some(chain) => Target::Chain(chain.index),
        None => Target::NotFound,
    }
}

fn with_cors(mut response: Response<HttpBody>) -> Response<HttpBody> {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("*"));
    response
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<HttpBody> {
    let mut response = Response::new(HttpBody::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn serve_aggregate(devnet: Arc<Devnet>, request: Request<hyper::body::Incoming>) -> Response<HttpBody> {
    let body = match Limited::new(request.into_body(), MAX_BODY as usize).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": format!("reading the body: {e}") }),
            )
        }
    };
    match aggregate_signatures(&devnet, &body).await {
        Ok(signed) => json_response(StatusCode::OK, serde_json::json!({ "signed-message": signed })),
        Err(e @ AggregateRequestError::BadRequest(_)) => {
            json_response(StatusCode::BAD_REQUEST, serde_json::json!({ "error": e.to_string() }))
        }
        Err(e @ AggregateRequestError::Failed(_)) => {
            json_response(StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({ "error": e.to_string() }))
        }
    }
}

/// Serves `devnet` on `listener` until `shutdown` completes; then stops taking
/// connections and lets the open ones finish.
pub async fn serve(
    devnet: Arc<Devnet>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let chains: Vec<Methods> =
        devnet.chains().iter().map(|c| rpc::chain_methods(&devnet, c)).collect::<Result<_, _>>()?;
    let platform = rpc::platform_methods(&devnet)?;
    let info = rpc::info_methods(&devnet)?;
    let (stop, handle) = stop_channel();
    let config = ServerConfig::builder()
        .set_id_provider(HexIdProvider::default())
        .max_request_body_size(MAX_BODY)
        .max_response_body_size(u32::MAX)
        .max_connections(10_000)
        .max_subscriptions_per_connection(1_024)
        .build();
    let builder = jsonrpsee::server::Server::builder().set_config(config).to_service_builder();
    tokio::pin!(shutdown);
    loop {
        let (socket, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A failed accept (too many open files, a reset) ends no one else's connection.
                Err(_) => continue,
            },
            () = &mut shutdown => break,
        };
        let _ = socket.set_nodelay(true);
        let chain_services: Vec<_> =
            chains.iter().map(|m| builder.clone().build(m.clone(), stop.clone())).collect();
        let platform_service = builder.clone().build(platform.clone(), stop.clone());
        let info_service = builder.clone().build(info.clone(), stop.clone());
        let devnet = Arc::clone(&devnet);
        let service = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
            let target = route(&devnet, request.method(), request.uri().path());
            let chain = match target {
                Target::Chain(i) => chain_services.get(i).cloned(),
                _ => None,
            };
            let (mut platform_service, mut info_service) = (platform_service.clone(), info_service.clone());
            let devnet = Arc::clone(&devnet);
            async move {
                let answered = match (target, chain) {
                    (Target::Chain(_), Some(mut service)) => service.call(request).await,
                    (Target::Platform, _) => platform_service.call(request).await,
                    (Target::Info, _) => info_service.call(request).await,
                    (Target::Health, _) => Ok(json_response(
                        StatusCode::OK,
                        serde_json::json!({ "healthy": true, "checks": {} }),
                    )),
                    (Target::Aggregate, _) => Ok(serve_aggregate(devnet, request).await),
                    (Target::Preflight, _) => {
                        let mut response = Response::new(HttpBody::from(""));
                        *response.status_mut() = StatusCode::NO_CONTENT;
                        Ok(response)
                    }
                    _ => Ok(json_response(
                        StatusCode::NOT_FOUND,
                        serde_json::json!({ "error": format!("no API at {}", request.uri().path()) }),
                    )),
                };
                answered.map(with_cors).map_err(|e| RequestFailed(e.to_string()))
            }
        });
        let stopped = stop.clone().shutdown();
        tokio::spawn(async move {
            // A connection's error (a reset, a bad request line) is that connection's alone.
            let _ = serve_with_graceful_shutdown(socket, service, stopped).await;
        });
    }
    let _ = handle.stop();
    drop(stop);
    handle.stopped().await;
    Ok(())
}
