//! The models the mock knows, as the API names them, and what it needs to know about each: an
//! unknown model is a 404 `not_found_error` (`model: <name>`), and prompt caching has a
//! minimum cacheable length per model family.
//!
//! The names are the official Python SDK's `ModelParam` list (2.14) plus the older dated
//! names and `-latest` aliases the API still serves; Vertex AI (`claude-x@20250929`) and
//! Bedrock (`[region.]anthropic.claude-x-20250929-v1:0`) spell the same models their own way.

use super::validate::Refusal;

/// Every model name the mock answers for, in the API's spelling.
pub(super) const KNOWN_MODELS: &[&str] = &[
    // The 5 generation.
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-haiku-5-5",
    "claude-sonnet-5-5",
    "claude-opus-5-5",
    "claude-fable-5-1",
    "claude-mythos-5-1",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-5",
    // The 4 generation: aliases and dated names.
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-mythos-preview",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-1",
    "claude-opus-4-1-20250805",
    "claude-opus-4-0",
    "claude-opus-4-20250514",
    "claude-sonnet-4-0",
    "claude-sonnet-4-20250514",
    // The 3 generation.
    "claude-3-7-sonnet-latest",
    "claude-3-7-sonnet-20250219",
    "claude-3-5-sonnet-latest",
    "claude-3-5-sonnet-20241022",
    "claude-3-5-sonnet-20240620",
    "claude-3-5-haiku-latest",
    "claude-3-5-haiku-20241022",
    "claude-3-opus-latest",
    "claude-3-opus-20240229",
    "claude-3-haiku-20240307",
];

/// The API's spelling of a model named the Anthropic, Vertex AI or Bedrock way.
pub(super) fn canonical(model: &str) -> String {
    let model = match model.split_once("anthropic.") {
        // Bedrock: an optional region prefix (`us.`, `eu.`, `global.`, …) and a version suffix.
        Some((region, rest)) if region.is_empty() || region.ends_with('.') => {
            strip_bedrock_version(rest)
        }
        _ => model,
    };
    // Vertex AI puts an `@` before the date.
    model.replacen('@', "-", 1)
}

/// `claude-x-20250929-v1:0` → `claude-x-20250929`.
fn strip_bedrock_version(model: &str) -> &str {
    let Some((name, version)) = model.rsplit_once("-v") else {
        return model;
    };
    let digits = version.replacen(':', "", 1);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        name
    } else {
        model
    }
}

/// Whether the API serves this model (in any platform's spelling).
pub(super) fn is_known(model: &str) -> bool {
    KNOWN_MODELS.contains(&canonical(model).as_str())
}

/// The API's answer to an unknown model.
pub(super) fn not_found(model: &str) -> Refusal {
    Refusal {
        status: 404,
        kind: "not_found_error".into(),
        message: format!("model: {model}"),
    }
}

/// The fewest tokens a cached prefix may hold: a shorter prefix is neither written nor read
/// (the request still succeeds, uncached). From Anthropic's prompt-caching documentation;
/// models it does not list (and unknown models, with any model accepted) get 1,024, the
/// Sonnet figure.
pub(super) fn min_cacheable_tokens(model: &str) -> u64 {
    let model = canonical(model);
    let family = |prefix: &str| model.starts_with(prefix);
    if ["claude-opus-5", "claude-fable-5", "claude-mythos-5"]
        .iter()
        .any(|p| family(p))
    {
        512
    } else if ["claude-opus-4-6", "claude-opus-4-5", "claude-haiku-4-5"]
        .iter()
        .any(|p| family(p))
        || family("claude-haiku-5")
    {
        4096
    } else if ["claude-opus-4-7", "claude-3-5-haiku", "claude-3-haiku"]
        .iter()
        .any(|p| family(p))
    {
        2048
    } else {
        1024
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_spellings_name_the_same_models() {
        assert_eq!(
            canonical("claude-sonnet-4-5@20250929"),
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(
            canonical("anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(
            canonical("us.anthropic.claude-haiku-4-5-20251001-v1:0"),
            "claude-haiku-4-5-20251001"
        );
        assert_eq!(canonical("anthropic.claude-opus-4-8"), "claude-opus-4-8");
        assert!(is_known("global.anthropic.claude-sonnet-4-6"));
        assert!(is_known("claude-3-5-sonnet-20241022"));
        assert!(!is_known("claude-nonexistent-rig-test"));
        assert!(!is_known("m"));
        assert!(!is_known("claude-sonnet-4-6-v1:0-extra"));
    }

    #[test]
    fn minimum_cacheable_lengths_follow_the_family() {
        assert_eq!(min_cacheable_tokens("claude-sonnet-4-6"), 1024);
        assert_eq!(min_cacheable_tokens("claude-opus-4-8"), 1024);
        assert_eq!(min_cacheable_tokens("claude-opus-4-7"), 2048);
        assert_eq!(min_cacheable_tokens("claude-haiku-4-5-20251001"), 4096);
        assert_eq!(min_cacheable_tokens("claude-opus-4-6"), 4096);
        assert_eq!(min_cacheable_tokens("claude-3-haiku-20240307"), 2048);
        assert_eq!(min_cacheable_tokens("claude-fable-5-2"), 512);
        assert_eq!(min_cacheable_tokens("anything-else"), 1024);
    }

    #[test]
    fn the_unknown_model_refusal_is_the_api_s() {
        let refusal = not_found("claude-nonexistent-rig-test");
        assert_eq!(refusal.status, 404);
        assert_eq!(refusal.kind, "not_found_error");
        assert_eq!(refusal.message, "model: claude-nonexistent-rig-test");
    }
}
