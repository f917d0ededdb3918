//! Beta features need their `anthropic-beta` value (Bedrock: `anthropic_beta` in the body),
//! as the API requires; without it the API does not know the field.

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};
use super::RecordedRequest;
use crate::request::required_betas;

pub(super) fn check(
    body: Map<String, Value>,
    request: &RecordedRequest,
) -> Result<Map<String, Value>, Refusal> {
    let from_header = request
        .headers
        .get("anthropic-beta")
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim);
    let from_body = request
        .body
        .get("anthropic_beta")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    let given: Vec<&str> = from_header.chain(from_body).collect();
    match required_betas(&body)
        .into_iter()
        .find(|required| !given.contains(&required.beta))
    {
        Some(missing) => Err(invalid(format!(
            "{}: Extra inputs are not permitted (this feature needs the `anthropic-beta: {}` header)",
            missing.path, missing.beta
        ))),
        None => Ok(body),
    }
}
