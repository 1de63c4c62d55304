//! Where signed messages come from: the source chain's warp API
//! (`warp_getMessageAggregateSignature`, the default) or a signature
//! aggregator speaking icm-services' `POST /aggregate-signatures` (hyper's
//! HTTP/1 client over a TCP connection; no TLS).

use alloy_primitives::{hex, Bytes};
use awm_core::{Id, Message, UnsignedMessage};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use thiserror::Error;

use crate::rpc::{EvmRpc, RpcError};

/// The largest aggregator answer read (a signed message is at most 24 KiB of payload in hex).
const MAX_ANSWER: usize = 1 << 20;

/// Why no signed message came back.
#[derive(Debug, Clone, Error)]
pub enum SignatureError {
    /// The warp API failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The aggregator could not be reached or its answer read.
    #[error("signature aggregator {url}: {reason}")]
    Aggregator {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The answer is not a signed warp message for the message asked.
    #[error("the signed message from {from} is not usable: {reason}")]
    Answer {
        /// Who answered.
        from: String,
        /// Why.
        reason: String,
    },
}

/// Asks icm-services' aggregator at `base_url` to sign `unsigned` with
/// `quorum_percentage` of `signing_subnet`'s stake; the signed message's bytes.
pub async fn aggregate_signatures(
    base_url: &str,
    unsigned: &UnsignedMessage,
    signing_subnet: &Id,
    quorum_percentage: u64,
) -> Result<Bytes, SignatureError> {
    let url = format!("{}/aggregate-signatures", base_url.trim_end_matches('/'));
    let fail = |reason: String| SignatureError::Aggregator { url: url.clone(), reason };
    let uri: http::Uri = url.parse().map_err(|e| fail(format!("not a URL: {e}")))?;
    if uri.scheme_str() != Some("http") {
        return Err(fail("only http:// is supported (no TLS)".into()));
    }
    let host = uri.host().ok_or_else(|| fail("no host".into()))?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let body = json!({
        "message": hex::encode(unsigned.to_bytes()),
        "signing-subnet-id": signing_subnet.to_string(),
        "quorum-percentage": quorum_percentage,
    })
    .to_string();
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| fail(format!("connecting: {e}")))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| fail(format!("handshake: {e}")))?;
    let driver = tokio::spawn(connection);
    let authority = uri.authority().map(|a| a.to_string()).unwrap_or(host);
    let request = http::Request::post(uri.path())
        .header(http::header::HOST, authority)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(hyper::body::Bytes::from(body)))
        .map_err(|e| fail(format!("building the request: {e}")))?;
    let response = sender.send_request(request).await.map_err(|e| fail(format!("request: {e}")))?;
    let status = response.status();
    let bytes = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| fail(format!("reading the answer: {e}")))?
        .to_bytes();
    driver.abort();
    let answer: Value =
        serde_json::from_slice(&bytes).map_err(|e| fail(format!("status {status}, answer not JSON: {e}")))?;
    if !status.is_success() {
        let error = answer.get("error").and_then(Value::as_str).unwrap_or("(no error field)");
        return Err(fail(format!("status {status}: {error}")));
    }
    let text = answer
        .get("signed-message")
        .and_then(Value::as_str)
        .ok_or_else(|| fail(format!("no signed-message in {answer}")))?;
    hex::decode(text.trim_start_matches("0x"))
        .map(Bytes::from)
        .map_err(|e| fail(format!("signed-message: {e}")))
}

/// Asks the source chain's warp API.
pub async fn from_warp_api(
    source: &EvmRpc,
    message: &Id,
    quorum_percentage: u64,
) -> Result<Bytes, SignatureError> {
    Ok(source.aggregate_signature(message, quorum_percentage).await?)
}

/// Parses a signed message and checks it carries `unsigned`.
pub fn check_signed(from: &str, bytes: &[u8], unsigned: &UnsignedMessage) -> Result<Message, SignatureError> {
    let fail = |reason: String| SignatureError::Answer { from: from.to_owned(), reason };
    let message = Message::parse(bytes).map_err(|e| fail(e.to_string()))?;
    if message.unsigned() != unsigned {
        return Err(fail(format!("it carries message {}, not {}", message.id(), unsigned.id())));
    }
    Ok(message)
}
