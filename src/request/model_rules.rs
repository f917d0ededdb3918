//! Checks the API would refuse, made before a request is sent (no round trip wasted, and the
//! error names the setting). Ranges hold for every model; the rest follows the model's
//! [`ModelProfile`], and a model without one is not checked (the API decides).

use serde_json::Value;

use crate::error::RequestError;
use crate::settings::{ChatAnthropicConfig, ModelProfile, Thinking, ThinkingMode};

pub(crate) fn check(
    config: &ChatAnthropicConfig,
    tool_choice: Option<&Value>,
) -> Result<(), RequestError> {
    if config.model.is_empty() {
        return Err(RequestError::NoModel);
    }
    let max_tokens = config.effective_max_tokens();
    ranges(config)?;
    thinking_budget(config.thinking.as_ref(), max_tokens)?;
    let Some(profile) = config.model_profile() else {
        return Ok(());
    };
    let model = || config.model.clone();
    sampling(config, &profile, model)?;
    if let Some(limit) = profile
        .max_output_tokens
        .filter(|limit| max_tokens > *limit)
    {
        return Err(RequestError::MaxTokensAboveLimit {
            model: model(),
            max_tokens,
            limit,
        });
    }
    if let Some(effort) = config.effort.filter(|e| !profile.effort_levels.contains(e)) {
        return Err(RequestError::EffortUnsupported {
            model: model(),
            effort: effort.as_str().into(),
            supported: profile
                .effort_levels
                .iter()
                .map(|level| level.as_str().to_owned())
                .collect(),
        });
    }
    if let Some(mode) = config
        .thinking
        .as_ref()
        .map(ThinkingMode::of)
        .filter(|mode| !profile.thinking_modes.contains(mode))
    {
        return Err(RequestError::ThinkingUnsupported {
            model: model(),
            mode: mode.as_str().into(),
        });
    }
    forced_tool_choice(tool_choice, &profile, model)
}

fn ranges(config: &ChatAnthropicConfig) -> Result<(), RequestError> {
    for (setting, value) in [("temperature", config.temperature), ("top_p", config.top_p)] {
        if let Some(value) = value.filter(|v| !(0.0..=1.0).contains(v)) {
            return Err(RequestError::OutOfRange { setting, value });
        }
    }
    Ok(())
}

fn thinking_budget(thinking: Option<&Thinking>, max_tokens: u32) -> Result<(), RequestError> {
    match thinking {
        Some(Thinking::Enabled { budget_tokens, .. })
            if *budget_tokens < 1024 || *budget_tokens >= max_tokens =>
        {
            Err(RequestError::ThinkingBudget {
                budget_tokens: *budget_tokens,
                max_tokens,
            })
        }
        _ => Ok(()),
    }
}

fn sampling(
    config: &ChatAnthropicConfig,
    profile: &ModelProfile,
    model: impl Fn() -> String,
) -> Result<(), RequestError> {
    if profile.temperature {
        return Ok(());
    }
    let set = [
        ("temperature", config.temperature.is_some()),
        ("top_k", config.top_k.is_some()),
        ("top_p", config.top_p.is_some()),
    ];
    match set.iter().find(|(_, is_set)| *is_set) {
        Some((parameter, _)) => Err(RequestError::SamplingUnsupported {
            model: model(),
            parameter,
        }),
        None => Ok(()),
    }
}

fn forced_tool_choice(
    choice: Option<&Value>,
    profile: &ModelProfile,
    model: impl Fn() -> String,
) -> Result<(), RequestError> {
    let forced = match choice.and_then(|c| c.get("type")).and_then(Value::as_str) {
        Some(forced @ ("any" | "tool")) => forced,
        _ => return Ok(()),
    };
    if profile.tool_choice {
        return Ok(());
    }
    Err(RequestError::ToolChoiceUnsupported {
        model: model(),
        choice: forced.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Effort;
    use serde_json::json;

    fn config(model: &str) -> ChatAnthropicConfig {
        ChatAnthropicConfig {
            model: model.into(),
            ..ChatAnthropicConfig::default()
        }
    }

    #[test]
    fn sampling_parameters_are_refused_where_the_profile_says_so() {
        let mut fixed = config("claude-sonnet-5-5-20261001");
        assert!(check(&fixed, None).is_ok());
        fixed.top_k = Some(5);
        assert!(matches!(
            check(&fixed, None),
            Err(RequestError::SamplingUnsupported {
                parameter: "top_k",
                ..
            })
        ));
        let mut older = config("claude-sonnet-4-6");
        older.temperature = Some(0.0);
        assert!(check(&older, None).is_ok());
    }

    #[test]
    fn ranges_hold_for_every_model_even_unknown_ones() {
        let mut unknown = config("my-proxy-model");
        unknown.temperature = Some(1.5);
        assert!(matches!(
            check(&unknown, None),
            Err(RequestError::OutOfRange {
                setting: "temperature",
                ..
            })
        ));
    }

    #[test]
    fn thinking_budget_must_fit() {
        let mut c = config("claude-sonnet-4-6");
        c.max_tokens = Some(1024);
        c.thinking = Some(Thinking::enabled(512));
        assert!(check(&c, None).is_err());
        c.thinking = Some(Thinking::enabled(2048));
        assert!(check(&c, None).is_err(), "budget above max_tokens 1024");
        c.max_tokens = Some(4096);
        assert!(check(&c, None).is_ok());
        c.max_tokens = None;
        assert!(
            check(&c, None).is_ok(),
            "the default max_tokens is the profile's 128000"
        );
    }

    #[test]
    fn thinking_modes_follow_the_profile() {
        let mut c = config("claude-fable-5-1");
        c.thinking = Some(Thinking::Disabled);
        assert!(matches!(
            check(&c, None),
            Err(RequestError::ThinkingUnsupported { ref mode, .. }) if mode == "disabled"
        ));
        let mut c = config("claude-sonnet-5-5");
        c.thinking = Some(Thinking::adaptive());
        assert!(check(&c, None).is_err());
        c.thinking = Some(Thinking::BetweenTools);
        assert!(check(&c, None).is_ok());
    }

    #[test]
    fn max_tokens_and_effort_follow_the_profile() {
        let mut c = config("claude-sonnet-4-6");
        c.max_tokens = Some(128_001);
        assert!(matches!(
            check(&c, None),
            Err(RequestError::MaxTokensAboveLimit { limit: 128_000, .. })
        ));
        c.max_tokens = Some(0);
        assert!(check(&c, None).is_ok(), "0 warms the cache");
        c.effort = Some(Effort::XHigh);
        let err = check(&c, None).unwrap_err();
        assert!(err.to_string().contains("low, medium, high, max"), "{err}");
        c.model = "claude-opus-4-7".into();
        assert!(check(&c, None).is_ok());
        c.model = "claude-sonnet-4-5".into();
        assert!(matches!(
            check(&c, None),
            Err(RequestError::EffortUnsupported { ref supported, .. }) if supported.is_empty()
        ));
    }

    #[test]
    fn forced_tool_choice_where_the_profile_refuses_it() {
        let c = config("claude-sonnet-5-5");
        assert!(check(&c, Some(&json!({"type": "auto"}))).is_ok());
        assert!(matches!(
            check(&c, Some(&json!({"type": "any"}))),
            Err(RequestError::ToolChoiceUnsupported { .. })
        ));
        assert!(check(&config("claude-sonnet-5"), Some(&json!({"type": "any"}))).is_ok());
    }

    #[test]
    fn a_user_profile_replaces_the_table_and_unknown_models_are_not_checked() {
        let mut c = config("my-proxy-model");
        c.max_tokens = Some(1_000_000);
        c.effort = Some(Effort::Max);
        assert!(check(&c, None).is_ok());
        c.profile = Some(ModelProfile {
            max_output_tokens: Some(8192),
            ..ModelProfile::default()
        });
        assert!(matches!(
            check(&c, None),
            Err(RequestError::MaxTokensAboveLimit { limit: 8192, .. })
        ));
        assert!(matches!(
            check(&config(""), None),
            Err(RequestError::NoModel)
        ));
    }
}
