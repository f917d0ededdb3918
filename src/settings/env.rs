//! Platform settings read from the environment: the request target and the authentication
//! are the only things that differ between platforms ([`Platform`](crate::Platform)).

/// The value of the first of `names` that is set and not empty.
pub(crate) fn env_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
}

/// A setting given in code, else from the environment, else an error naming both.
pub(crate) fn setting(
    given: Option<&String>,
    names: &[&str],
    what: &str,
) -> Result<String, crate::Error> {
    given.cloned().or_else(|| env_var(names)).ok_or_else(|| {
        crate::Error::config(
            crate::error::ConfigReason::MissingSetting,
            format!("no {what}: set {} or pass it in code", names.join(" or ")),
        )
    })
}
