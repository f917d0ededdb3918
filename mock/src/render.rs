//! A [`MockReply`] made into the response: its events (scripted or recorded), the faults it
//! asks for, the platform's framing, and the body sender that plays them.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

use super::faults::{self, Part};
use super::reply::{MockReply, ReplyBody};
use super::route::Via;
use super::validate::Refusal;
use super::{body, respond, Shared};

/// Who the response is for.
pub(super) struct Target<'a> {
    pub(super) via: Via,
    pub(super) stream: bool,
    pub(super) id: &'a str,
    pub(super) model: &'a str,
    pub(super) usage: &'a Value,
    pub(super) request_id: &'a str,
}

/// Turns a reply into the response.
pub(super) fn render(shared: &Shared, reply: MockReply, target: &Target<'_>) -> Response {
    remember_signatures(shared, &reply);
    let pieces = match pieces(&reply.body, target) {
        Ok(pieces) => pieces,
        Err(refusal) => {
            return respond::error(target.via, &refusal, &reply.headers, target.request_id)
        }
    };
    let parts = match target.stream {
        true => faults::plan(pieces, &reply.shape.events),
        false => pieces.into_iter().map(Part::Data).collect(),
    };
    let framed = target.via == Via::Bedrock && target.stream;
    let parts = if framed { bedrock_framed(parts) } else { parts };
    let body = body::shaped(
        parts,
        &reply.shape,
        shared.stats.clone(),
        shared.shutdown.clone(),
    );
    let content_type = match (framed, target.stream) {
        (true, _) => "application/vnd.amazon.eventstream",
        (false, true) => "text/event-stream",
        (false, false) => "application/json",
    };
    respond::ok(
        Body::from_stream(body),
        content_type,
        &reply.headers,
        target.request_id,
    )
}

/// The server remembers the signatures it hands out, to check them when they come back.
fn remember_signatures(shared: &Shared, reply: &MockReply) {
    if let ReplyBody::Script(script) = &reply.body {
        for (signature, thinking) in script.signatures() {
            shared.signatures.remember(signature, thinking);
        }
    }
}

/// The body's natural pieces: one per event when streaming, else the message's JSON; an
/// error reply (or an unreadable recording) is the refusal to send instead.
fn pieces(body: &ReplyBody, target: &Target<'_>) -> Result<Vec<Bytes>, Refusal> {
    let Target {
        stream,
        id,
        model,
        usage,
        ..
    } = *target;
    match body {
        ReplyBody::Error {
            status,
            kind,
            message,
        } => Err(Refusal {
            status: *status,
            kind: kind.clone(),
            message: message.clone(),
        }),
        ReplyBody::Script(script) if stream => Ok(script
            .events(id, model, usage)
            .iter()
            .map(sse_event)
            .collect()),
        ReplyBody::Script(script) => Ok(vec![script.message(id, model, usage).to_string().into()]),
        ReplyBody::SseFile(path) => match std::fs::read(path) {
            Ok(bytes) => Ok(recorded_pieces(bytes.into(), stream)),
            Err(err) => Err(Refusal {
                status: 500,
                kind: "api_error".into(),
                message: format!("mock: cannot read {}: {err}", path.display()),
            }),
        },
        ReplyBody::SseBytes(bytes) => Ok(recorded_pieces(bytes.clone(), stream)),
    }
}

/// A recorded stream: as is when streaming (one piece per event), or assembled into the
/// non-streaming message the API would have sent.
pub(super) fn recorded_pieces(bytes: Bytes, stream: bool) -> Vec<Bytes> {
    if stream {
        return split_events(&bytes);
    }
    vec![serde_json::to_vec(&super::fold::message(&bytes))
        .unwrap_or_default()
        .into()]
}

/// Splits an event stream after each blank line, so faults can count events.
fn split_events(bytes: &Bytes) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some(found) = memchr::memmem::find(&bytes[at..], b"\n\n") {
        at += found + 2;
        pieces.push(bytes.slice(start..at));
        start = at;
    }
    if start < bytes.len() {
        pieces.push(bytes.slice(start..));
    }
    pieces
}

fn sse_event(event: &Value) -> Bytes {
    let name = event["type"].as_str().unwrap_or("message");
    format!("event: {name}\ndata: {event}\n\n").into()
}

/// Bedrock sends each event as an AWS event-stream frame.
fn bedrock_framed(parts: Vec<Part>) -> Vec<Part> {
    #[cfg(feature = "bedrock")]
    {
        let frames = |sse: &[u8]| super::bedrock::bedrock_frames(sse);
        parts
            .into_iter()
            .flat_map(|part| match part {
                Part::Data(sse) => frames(&sse).into_iter().map(Part::Data).collect(),
                Part::PingForever { every, ping } => vec![Part::PingForever {
                    every,
                    ping: frames(&ping).concat().into(),
                }],
                sleep => vec![sleep],
            })
            .collect()
    }
    #[cfg(not(feature = "bedrock"))]
    {
        // Without the feature, Bedrock requests are refused before they get here.
        parts
    }
}
