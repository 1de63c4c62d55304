//! Prometheus metrics (the Prometheus project's `prometheus-client`), served
//! as OpenMetrics text at `GET /metrics` on `127.0.0.1:<metrics-port>`
//! (hyper's HTTP/1 server).
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `warp_relayer_messages_seen_total` | counter | `source`, `destination` |
//! | `warp_relayer_messages_delivered_total` | counter | `source`, `destination` |
//! | `warp_relayer_messages_skipped_total` | counter | `source`, `destination` |
//! | `warp_relayer_messages_failed_total` | counter | `source`, `destination` |
//! | `warp_relayer_aggregation_seconds` | histogram | `source` |
//! | `warp_relayer_delivery_seconds` | histogram (found → confirmed) | `source`, `destination` |
//! | `warp_relayer_last_processed_height` | gauge | `source` |
//!
//! Chains are named by their cb58 blockchain IDs; `destination` is
//! `unknown` for a message that names no configured destination.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// A source and destination pair.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Pair {
    /// The source blockchain (cb58).
    pub source: String,
    /// The destination blockchain (cb58), or `unknown`.
    pub destination: String,
}

/// A source chain.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Source {
    /// The source blockchain (cb58).
    pub source: String,
}

type Seconds = Family<Pair, Histogram, fn() -> Histogram>;
type SourceSeconds = Family<Source, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    // 5 ms to about 80 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

/// The relayer's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Messages found for a configured contract.
    pub seen: Family<Pair, Counter>,
    /// Messages delivered.
    pub delivered: Family<Pair, Counter>,
    /// Messages skipped (already received, not for this relayer, no destination).
    pub skipped: Family<Pair, Counter>,
    /// Messages the destination refused, or given up on.
    pub failed: Family<Pair, Counter>,
    /// Time to a signed message.
    pub aggregation: SourceSeconds,
    /// Time from found to confirmed.
    pub delivery: Seconds,
    /// The last block whose messages are recorded, per source.
    pub height: Family<Source, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `warp_relayer` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("warp_relayer");
        let seen = Family::<Pair, Counter>::default();
        let delivered = Family::<Pair, Counter>::default();
        let skipped = Family::<Pair, Counter>::default();
        let failed = Family::<Pair, Counter>::default();
        let aggregation = SourceSeconds::new_with_constructor(seconds as fn() -> Histogram);
        let delivery = Seconds::new_with_constructor(seconds as fn() -> Histogram);
        let height = Family::<Source, Gauge>::default();
        registry.register("messages_seen", "Messages found for a configured contract", seen.clone());
        registry.register("messages_delivered", "Messages delivered and confirmed", delivered.clone());
        registry.register("messages_skipped", "Messages skipped on purpose", skipped.clone());
        registry.register(
            "messages_failed",
            "Messages refused by the destination or given up on",
            failed.clone(),
        );
        registry.register("aggregation_seconds", "Time to get a signed message", aggregation.clone());
        registry.register("delivery_seconds", "Time from found to confirmed", delivery.clone());
        registry.register(
            "last_processed_height",
            "Last source block whose messages are recorded",
            height.clone(),
        );
        Self { registry, seen, delivered, skipped, failed, aggregation, delivery, height }
    }

    /// The OpenMetrics text.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// Serves `GET /metrics` on `127.0.0.1:port` until the task is dropped;
/// returns the bound address (port 0 picks a free one).
pub async fn serve(
    metrics: Arc<Metrics>,
    port: u16,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let metrics = Arc::clone(&metrics);
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                        let metrics = Arc::clone(&metrics);
                        async move {
                            let response = if request.uri().path() == "/metrics" {
                                http::Response::builder()
                                    .header(
                                        http::header::CONTENT_TYPE,
                                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                                    )
                                    .body(Full::new(Bytes::from(metrics.render())))
                            } else {
                                http::Response::builder()
                                    .status(http::StatusCode::NOT_FOUND)
                                    .body(Full::new(Bytes::from_static(b"not found: try /metrics\n")))
                            };
                            response
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((address, task))
}
