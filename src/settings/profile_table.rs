//! The built-in model profiles: one row per model family, newest last. To add a model, add a
//! row (and its aliases); `lookup` resolves dated, Vertex and Bedrock ids to the row.
//!
//! Sources: langchain-anthropic 1.7.10's profiles (models.dev plus its overrides) and the
//! API's documented limits, as of November 2026.

use super::fields::Effort::{self, High, Low, Max, Medium, XHigh};
use super::profile::{ModelProfile, ThinkingMode};

const NONE: &[ThinkingMode] = &[ThinkingMode::Disabled];
const BUDGET: &[ThinkingMode] = &[ThinkingMode::Enabled, ThinkingMode::Disabled];
const ADAPTIVE: &[ThinkingMode] = &[
    ThinkingMode::Enabled,
    ThinkingMode::Adaptive,
    ThinkingMode::Disabled,
];
const ALL_MODES: &[ThinkingMode] = &ThinkingMode::ALL;
const NOT_DISABLED: &[ThinkingMode] = &[
    ThinkingMode::Enabled,
    ThinkingMode::Adaptive,
    ThinkingMode::BetweenTools,
];
const BETWEEN_TOOLS_ONLY: &[ThinkingMode] = &[ThinkingMode::BetweenTools];

const BASIC_EFFORT: &[Effort] = &[Low, Medium, High];
const MAX_EFFORT: &[Effort] = &[Low, Medium, High, Max];
const FULL_EFFORT: &[Effort] = &[Low, Medium, High, XHigh, Max];

/// One model family.
#[derive(Clone, Copy)]
struct Row {
    /// The canonical id, without a date.
    id: &'static str,
    /// Other names of the same model (`-latest`, `-0`).
    aliases: &'static [&'static str],
    /// Whether any id that continues this one (`claude-fable-5-1`) is the same family.
    family_prefix: bool,
    max_input: u32,
    max_output: u32,
    thinking: &'static [ThinkingMode],
    efforts: &'static [Effort],
    sampling: bool,
    forced_tool_choice: bool,
    structured_output: bool,
    in_place_system: bool,
    mid_conversation_tools: bool,
}

const fn row(id: &'static str, max_input: u32, max_output: u32) -> Row {
    Row {
        id,
        aliases: &[],
        family_prefix: false,
        max_input,
        max_output,
        thinking: NONE,
        efforts: &[],
        sampling: true,
        forced_tool_choice: true,
        structured_output: false,
        in_place_system: false,
        mid_conversation_tools: false,
    }
}

impl Row {
    const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    const fn family(mut self) -> Self {
        self.family_prefix = true;
        self
    }
    const fn thinking(mut self, modes: &'static [ThinkingMode]) -> Self {
        self.thinking = modes;
        self
    }
    const fn effort(mut self, levels: &'static [Effort]) -> Self {
        self.efforts = levels;
        self
    }
    const fn structured(mut self) -> Self {
        self.structured_output = true;
        self
    }
    /// System turns in place, and tool changes in them.
    const fn mid_conversation(mut self) -> Self {
        self.in_place_system = true;
        self.mid_conversation_tools = true;
        self
    }
    const fn no_sampling(mut self) -> Self {
        self.sampling = false;
        self
    }
    const fn no_forced_tool_choice(mut self) -> Self {
        self.forced_tool_choice = false;
        self
    }
}

const K: u32 = 1_000;
const M: u32 = 1_000_000;

#[rustfmt::skip]
const TABLE: &[Row] = &[
    row("claude-3-haiku",    200 * K,   4_096).aliases(&["claude-3-haiku-latest"]),
    row("claude-3-opus",     200 * K,   4_096).aliases(&["claude-3-opus-latest"]),
    row("claude-3-sonnet",   200 * K,   4_096),
    row("claude-3-5-haiku",  200 * K,   8_192).aliases(&["claude-3-5-haiku-latest"]),
    row("claude-3-5-sonnet", 200 * K,   8_192).aliases(&["claude-3-5-sonnet-latest"]),
    row("claude-3-7-sonnet", 200 * K,  64 * K).aliases(&["claude-3-7-sonnet-latest"]).thinking(BUDGET),
    row("claude-sonnet-4",   200 * K,  64 * K).aliases(&["claude-sonnet-4-0"]).thinking(BUDGET),
    row("claude-opus-4",     200 * K,  32 * K).aliases(&["claude-opus-4-0"]).thinking(BUDGET),
    row("claude-opus-4-1",   200 * K,  32 * K).thinking(BUDGET).structured(),
    row("claude-sonnet-4-5", 200 * K,  64 * K).thinking(BUDGET).structured(),
    row("claude-haiku-4-5",  200 * K,  64 * K).thinking(BUDGET).structured(),
    row("claude-opus-4-5",   200 * K,  64 * K).thinking(BUDGET).effort(BASIC_EFFORT).structured(),
    row("claude-opus-4-6",       M,   128 * K).thinking(ADAPTIVE).effort(MAX_EFFORT).structured(),
    row("claude-sonnet-4-6",     M,   128 * K).thinking(ADAPTIVE).effort(MAX_EFFORT).structured(),
    row("claude-opus-4-7",       M,   128 * K).thinking(ADAPTIVE).effort(FULL_EFFORT).structured(),
    row("claude-opus-4-8",       M,   128 * K).thinking(ALL_MODES).effort(FULL_EFFORT).structured().mid_conversation(),
    row("claude-sonnet-5",       M,   128 * K).thinking(ALL_MODES).effort(FULL_EFFORT).structured().mid_conversation(),
    row("claude-haiku-5-5",  200 * K,  64 * K).thinking(ALL_MODES).effort(FULL_EFFORT).structured().mid_conversation(),
    row("claude-fable-5",        M,   128 * K).family().thinking(NOT_DISABLED).effort(FULL_EFFORT).structured().mid_conversation().no_sampling(),
    row("claude-sonnet-5-5",     M,   128 * K).family().thinking(BETWEEN_TOOLS_ONLY).effort(BASIC_EFFORT).mid_conversation().no_sampling().no_forced_tool_choice(),
];

impl Row {
    fn profile(&self) -> ModelProfile {
        let reasoning = self.thinking.len() > 1 || self.thinking[0] != ThinkingMode::Disabled;
        ModelProfile {
            max_input_tokens: Some(self.max_input),
            max_output_tokens: Some(self.max_output),
            image_inputs: true,
            pdf_inputs: true,
            reasoning_output: reasoning,
            tool_calling: true,
            tool_choice: self.forced_tool_choice,
            structured_output: self.structured_output,
            temperature: self.sampling,
            effort_levels: self.efforts.to_vec(),
            effort_default: (!self.efforts.is_empty()).then_some(High),
            thinking_modes: self.thinking.to_vec(),
            mid_conversation_system_messages: self.in_place_system,
            mid_conversation_tools: self.mid_conversation_tools,
        }
    }
}

/// The profile of `model`, resolving platform ids and dates.
pub(super) fn lookup(model: &str) -> Option<ModelProfile> {
    let name = base_name(model);
    let exact = TABLE
        .iter()
        .find(|row| row.id == name || row.aliases.contains(&name.as_str()));
    let family = || {
        TABLE
            .iter()
            .filter(|row| row.family_prefix && continues(&name, row.id))
            .max_by_key(|row| row.id.len())
    };
    exact.or_else(family).map(Row::profile)
}

/// The Anthropic model id inside a platform's id, without date or version suffix:
/// `us.anthropic.claude-sonnet-4-5-20250929-v1:0` and `claude-sonnet-4-5@20250929` both give
/// `claude-sonnet-4-5`.
fn base_name(model: &str) -> String {
    let mut name = model.trim().to_ascii_lowercase();
    if let Some(last) = name.rsplit('/').next() {
        name = last.to_owned(); // a Bedrock ARN
    }
    if let Some(at) = name.find("anthropic.") {
        name = name[at + "anthropic.".len()..].to_owned();
    }
    for cut in ['@', ':', '['] {
        if let Some(at) = name.find(cut) {
            name.truncate(at);
        }
    }
    if let Some(at) = name.rfind("-v")
        && name[at + 2..].bytes().all(|b| b.is_ascii_digit())
        && name.len() > at + 2
    {
        name.truncate(at);
    }
    if let Some(at) = name.rfind('-') {
        let tail = &name[at + 1..];
        if tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_digit()) {
            name.truncate(at);
        }
    }
    name
}

/// Whether `name` is `family` or continues it after a dash.
fn continues(name: &str, family: &str) -> bool {
    name.strip_prefix(family)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_and_dated_ids_resolve_to_the_family() {
        for id in [
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5@20250929",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:us-east-1:123:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Claude-Sonnet-4-5",
        ] {
            assert_eq!(base_name(id), "claude-sonnet-4-5", "{id}");
        }
        assert_eq!(base_name("claude-sonnet-4-6[1m]"), "claude-sonnet-4-6");
    }

    #[test]
    fn aliases_and_families_resolve_but_unknown_models_do_not() {
        assert_eq!(lookup("claude-opus-4-0"), lookup("claude-opus-4-20250514"));
        assert_eq!(
            lookup("claude-opus-4-0").unwrap().max_output_tokens,
            Some(32_000)
        );
        assert_eq!(
            lookup("claude-3-5-haiku-latest").unwrap().max_output_tokens,
            Some(8_192)
        );
        let fable = lookup("claude-fable-5-1").unwrap();
        assert!(!fable.temperature);
        assert!(!lookup("claude-sonnet-5-5-20261001").unwrap().tool_choice);
        assert!(
            lookup("claude-sonnet-5").unwrap().tool_choice,
            "sonnet-5 is not sonnet-5-5"
        );
        // A newer minor version of a family without a prefix rule is unknown, not guessed.
        assert!(lookup("claude-opus-4-9").is_none());
        assert!(lookup("m").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn every_row_is_consistent() {
        for row in TABLE {
            let profile = row.profile();
            assert!(!row.thinking.is_empty(), "{}", row.id);
            assert!(
                profile.max_output_tokens <= profile.max_input_tokens,
                "{}",
                row.id
            );
            assert_eq!(
                lookup(row.id).as_ref(),
                Some(&profile),
                "{} looks itself up",
                row.id
            );
        }
    }

    #[test]
    fn the_profiles_the_issue_names() {
        let sonnet = lookup("claude-sonnet-4-6").unwrap();
        assert_eq!(sonnet.effort_levels, [Low, Medium, High, Max]);
        assert_eq!(sonnet.effort_default, Some(High));
        assert!(lookup("claude-opus-4-7")
            .unwrap()
            .effort_levels
            .contains(&XHigh));
        assert!(
            lookup("claude-opus-4-8")
                .unwrap()
                .mid_conversation_system_messages
        );
        assert!(!sonnet.mid_conversation_system_messages);
        for id in [
            "claude-opus-4-8",
            "claude-sonnet-5",
            "claude-haiku-5-5",
            "claude-fable-5",
        ] {
            assert!(lookup(id).unwrap().mid_conversation_tools, "{id}");
        }
    }
}
