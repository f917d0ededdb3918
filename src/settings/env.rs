//! The environment, read once: a snapshot of the variables the client falls back on, taken
//! when a client is built, so a request never reads the process environment (and a test
//! never depends on the caller's).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{ConfigReason, Error};

/// The variables a client falls back on when a setting is not given in code.
pub const VARIABLES: &[&str] = &[
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "CLOUD_ML_REGION",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_VERTEX_ACCESS_TOKEN",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// The values of [`VARIABLES`] a client falls back on: read from the process once, when
/// [`ChatAnthropic::new`](crate::ChatAnthropic::new) or
/// [`from_config`](crate::ChatAnthropic::from_config) builds the client, or given in code
/// ([`ChatAnthropic::environment`](crate::ChatAnthropic::environment)). Settings given in
/// code always win; an empty value counts as unset. `Debug` never shows a value.
///
/// ```
/// use chat_anthropic::settings::Environment;
/// let env = Environment::empty().with("ANTHROPIC_BASE_URL", "http://127.0.0.1:8080");
/// assert_eq!(env.get("ANTHROPIC_BASE_URL"), Some("http://127.0.0.1:8080"));
/// assert_eq!(env.get("ANTHROPIC_API_KEY"), None);
/// assert_eq!(Environment::empty().with("ANTHROPIC_API_KEY", "").get("ANTHROPIC_API_KEY"), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Environment {
    values: BTreeMap<String, String>,
}

impl Environment {
    /// The process's values of [`VARIABLES`], now.
    pub fn from_process() -> Self {
        VARIABLES
            .iter()
            .filter_map(|name| Some((*name, std::env::var(name).ok()?)))
            .fold(Self::empty(), |env, (name, value)| env.with(name, value))
    }

    /// No values: a client built with it reads nothing from the environment.
    pub fn empty() -> Self {
        Self::default()
    }

    /// This environment with `name` set to `value` (an empty value unsets it).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let value = value.into();
        let name = name.into();
        if value.is_empty() {
            self.values.remove(&name);
        } else {
            self.values.insert(name, value);
        }
        self
    }

    /// The value of `name`, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of the first of `names` that is set.
    pub(crate) fn first(&self, names: &[&str]) -> Option<String> {
        names
            .iter()
            .find_map(|name| self.get(name))
            .map(str::to_owned)
    }

    /// A setting given in code, else from this environment, else an error naming both.
    pub(crate) fn setting(
        &self,
        given: Option<&String>,
        names: &[&str],
        what: &str,
    ) -> Result<String, Error> {
        given.cloned().or_else(|| self.first(names)).ok_or_else(|| {
            Error::config(
                ConfigReason::MissingSetting,
                format!("no {what}: set {} or pass it in code", names.join(" or ")),
            )
        })
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_set_name_wins_and_code_wins_over_all() {
        let env = Environment::empty().with("B", "b").with("C", "c");
        assert_eq!(env.first(&["A", "B", "C"]).as_deref(), Some("b"));
        assert_eq!(
            env.setting(Some(&"code".into()), &["B"], "x").unwrap(),
            "code"
        );
        let err = env.setting(None, &["A", "Z"], "thing").unwrap_err();
        assert_eq!(err.config_reason(), Some(ConfigReason::MissingSetting));
        assert!(err.to_string().contains("set A or Z"), "{err}");
    }

    #[test]
    fn debug_shows_names_never_values() {
        let env = Environment::empty().with("ANTHROPIC_API_KEY", "sk-secret");
        let shown = format!("{env:?}");
        assert!(
            shown.contains("ANTHROPIC_API_KEY") && !shown.contains("sk-secret"),
            "{shown}"
        );
    }
}
