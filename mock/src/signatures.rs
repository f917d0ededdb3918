//! Thinking signatures: the mock remembers what it signed, and refuses a thinking block sent
//! back with the signature of different text — as the API does — so a client that alters
//! reasoning on its way back into the next turn fails offline too.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use serde_json::Value;

use super::validate::{invalid, Refusal};

/// Signatures this server handed out, with the reasoning each one signs.
#[derive(Debug, Default)]
pub(super) struct IssuedSignatures {
    signed: Mutex<HashMap<String, String>>,
}

/// The signature the mock's own replies give `thinking`.
pub(super) fn signature_for(thinking: &str) -> String {
    let mut hasher = DefaultHasher::new();
    thinking.hash(&mut hasher);
    format!("mock-signature-{:016x}", hasher.finish())
}

impl IssuedSignatures {
    /// Remembers a signature a scripted reply hands out.
    pub(super) fn remember(&self, signature: &str, thinking: &str) {
        self.signed
            .lock()
            .expect("not poisoned")
            .insert(signature.to_owned(), thinking.to_owned());
    }

    /// Checks every thinking block of the assistant turns: it needs a signature, and one this
    /// server issued must sign exactly this text. (Signatures from elsewhere, e.g. recorded
    /// streams, cannot be checked and pass.)
    pub(super) fn check(&self, body: &serde_json::Map<String, Value>) -> Result<(), Refusal> {
        let signed = self.signed.lock().expect("not poisoned");
        let messages = body.get("messages").and_then(Value::as_array);
        for (i, message) in messages.into_iter().flatten().enumerate() {
            let Some(blocks) = message["content"].as_array() else {
                continue;
            };
            for (j, block) in blocks.iter().enumerate() {
                if block["type"] != "thinking" {
                    continue;
                }
                let Some(signature) = block["signature"].as_str().filter(|s| !s.is_empty()) else {
                    return Err(invalid(format!(
                        "messages.{i}.content.{j}.thinking.signature: Field required"
                    )));
                };
                if let Some(expected) = signed.get(signature) {
                    if block["thinking"].as_str() != Some(expected.as_str()) {
                        return Err(invalid(format!(
                            "messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn altered_reasoning_is_refused_and_exact_reasoning_accepted() {
        let issued = IssuedSignatures::default();
        let signature = signature_for("Step 1.");
        issued.remember(&signature, "Step 1.");
        let body = |thinking: &str, signature: &str| {
            json!({"messages": [{"role": "assistant", "content": [
                {"type": "thinking", "thinking": thinking, "signature": signature}
            ]}]})
            .as_object()
            .cloned()
            .unwrap()
        };
        assert!(issued.check(&body("Step 1.", &signature)).is_ok());
        let refusal = issued.check(&body("Step 1. ", &signature)).unwrap_err();
        assert!(refusal.message.contains("Invalid `signature`"));
        assert!(issued.check(&body("Step 1.", "")).is_err());
        assert!(issued.check(&body("Anything", "from-elsewhere")).is_ok());
    }
}
