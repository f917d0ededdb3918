//! Checks the API would reject, made before a request is sent (so no round trip is wasted
//! and the error names the setting).

use crate::chat_model::{ChatAnthropicConfig, Thinking};
use crate::error::{ConfigReason, Error};

/// Model families that reject non-default sampling parameters and `thinking: disabled`.
const FIXED_SAMPLING_FAMILIES: [&str; 2] = ["claude-fable-5", "claude-sonnet-5-5"];

pub(crate) fn check(config: &ChatAnthropicConfig) -> Result<(), Error> {
    let fail = |message: String| Err(Error::config(ConfigReason::InvalidSetting, message));
    if config.model.is_empty() {
        return fail("no model set: ChatAnthropic::new(\"claude-…\")".into());
    }
    if config.max_tokens == 0 {
        return fail("max_tokens must be at least 1".into());
    }
    for (name, value) in [("temperature", config.temperature), ("top_p", config.top_p)] {
        if let Some(value) = value.filter(|v| !(0.0..=1.0).contains(v)) {
            return fail(format!("{name} must be between 0 and 1, got {value}"));
        }
    }
    if let Some(Thinking::Enabled { budget_tokens, .. }) = &config.thinking {
        if *budget_tokens < 1024 || *budget_tokens >= config.max_tokens {
            return fail(format!(
                "thinking.budget_tokens must be at least 1024 and less than max_tokens ({}), got {budget_tokens}",
                config.max_tokens
            ));
        }
    }
    if let Some(family) = FIXED_SAMPLING_FAMILIES
        .iter()
        .find(|family| config.model.starts_with(*family))
    {
        let set = [
            ("temperature", config.temperature.is_some()),
            ("top_k", config.top_k.is_some()),
            ("top_p", config.top_p.is_some()),
        ];
        if let Some((name, _)) = set.iter().find(|(_, is_set)| *is_set) {
            return fail(format!(
                "{} models do not accept {name}; leave it unset",
                family.trim_end_matches('-')
            ));
        }
        if config.thinking == Some(Thinking::Disabled) {
            return fail(format!("{family} models do not accept thinking: disabled"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(model: &str) -> ChatAnthropicConfig {
        ChatAnthropicConfig {
            model: model.into(),
            ..ChatAnthropicConfig::default()
        }
    }

    #[test]
    fn sampling_parameters_are_refused_on_fixed_families_only() {
        let mut fixed = config("claude-sonnet-5-5-20261001");
        assert!(check(&fixed).is_ok());
        fixed.temperature = Some(0.0);
        let err = check(&fixed).unwrap_err().to_string();
        assert!(err.contains("temperature"), "{err}");
        let mut older = config("claude-sonnet-4-6");
        older.temperature = Some(0.0);
        assert!(check(&older).is_ok());
    }

    #[test]
    fn thinking_budget_must_fit() {
        let mut c = config("claude-sonnet-4-6");
        c.thinking = Some(Thinking::enabled(512));
        assert!(check(&c).is_err());
        c.thinking = Some(Thinking::enabled(2048));
        assert!(check(&c).is_err(), "budget above max_tokens 1024");
        c.max_tokens = 4096;
        assert!(check(&c).is_ok());
    }

    #[test]
    fn disabled_thinking_is_refused_on_fixed_families() {
        let mut c = config("claude-fable-5-1");
        c.thinking = Some(Thinking::Disabled);
        assert!(check(&c).is_err());
    }
}
