//! `{name}` templates (Python f-string style: `{{` and `}}` are literal braces).

use super::PromptError;

/// A parsed string template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

impl Template {
    /// Parses `source`; an unclosed `{`, a stray `}` or an empty `{}` is an error.
    pub(crate) fn parse(source: &str) -> Result<Self, PromptError> {
        let invalid = |reason: &str| PromptError::InvalidTemplate {
            template: source.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    chars.next();
                    literal.push(c);
                }
                ('{', _) => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(invalid("unclosed `{`")),
                            Some(c) => name.push(c),
                        }
                    }
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(invalid("empty `{}`"));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Variable(name.to_owned()));
                }
                ('}', _) => return Err(invalid("single `}` (write `}}` for a brace)")),
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self { parts })
    }

    /// The variables, in order of first use.
    pub(crate) fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Variable(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Fills the variables; `lookup` says a variable's text or why there is none.
    pub(crate) fn render(
        &self,
        mut lookup: impl FnMut(&str) -> Result<String, PromptError>,
    ) -> Result<String, PromptError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Variable(name) => out.push_str(&lookup(name)?),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str, value: &str) -> Result<String, PromptError> {
        Template::parse(source)?.render(|_| Ok(value.to_owned()))
    }

    #[test]
    fn variables_and_escaped_braces() {
        let template = Template::parse("Translate {a} to {b}: {{literal}} {a}").unwrap();
        assert_eq!(template.variables().collect::<Vec<_>>(), ["a", "b", "a"]);
        assert_eq!(render("{x} {{y}}", "v").unwrap(), "v {y}");
    }

    #[test]
    fn malformed_templates_are_errors() {
        for bad in ["{open", "close}", "{}", "{a{b}"] {
            assert!(
                matches!(
                    Template::parse(bad),
                    Err(PromptError::InvalidTemplate { .. })
                ),
                "{bad}"
            );
        }
    }
}
