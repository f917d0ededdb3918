//! An approval hook: the caller sees every call of a tool before it runs and may deny it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::tool::AgentTool;

/// A call waiting for approval: the tool's name and the model's input, as they came.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApprovalRequest {
    /// The tool the model called.
    pub tool: String,
    /// The model's input for the call.
    pub input: Value,
}

/// What an approval hook decides about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Approval {
    /// Run the call.
    Allow,
    /// Do not run it; the model gets this reason as an error result (`is_error: true`).
    Deny(String),
}

impl Approval {
    /// A denial with this reason.
    pub fn deny(reason: impl Into<String>) -> Self {
        Self::Deny(reason.into())
    }
}

type HookFuture = Pin<Box<dyn Future<Output = Approval> + Send>>;

/// A caller's check run before every call of a tool ([`AgentTool::with_approval`]), sync
/// ([`new`](Self::new)) or async ([`from_async`](Self::from_async): ask a person, a policy
/// service). A denied call never reaches the tool: the model gets the reason as a
/// `tool_result` with `is_error: true`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::agent::{AgentTool, Approval, ApprovalHook};
/// let delete = AgentTool::from_json(
///     chat_anthropic::Tool::new("delete", serde_json::json!({"type": "object"})),
///     |_| async { Ok::<_, String>("deleted") },
/// );
/// let guarded = delete.with_approval(ApprovalHook::new(|request| {
///     if request.input["path"] == "/etc" { Approval::deny("not there") } else { Approval::Allow }
/// }));
/// assert_eq!(guarded.name(), "delete");
/// # }
/// ```
#[derive(Clone)]
pub struct ApprovalHook(Arc<dyn Fn(ApprovalRequest) -> HookFuture + Send + Sync>);

impl ApprovalHook {
    /// A hook that decides at once.
    pub fn new(decide: impl Fn(&ApprovalRequest) -> Approval + Send + Sync + 'static) -> Self {
        Self(Arc::new(move |request| {
            let approval = decide(&request);
            Box::pin(async move { approval })
        }))
    }

    /// A hook that decides asynchronously (the call waits for it; a run dropped meanwhile
    /// drops the wait).
    pub fn from_async<F, Fut>(decide: F) -> Self
    where
        F: Fn(ApprovalRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Approval> + Send + 'static,
    {
        Self(Arc::new(move |request| Box::pin(decide(request))))
    }

    fn check(&self, request: ApprovalRequest) -> HookFuture {
        (self.0)(request)
    }
}

impl fmt::Debug for ApprovalHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApprovalHook").finish_non_exhaustive()
    }
}

impl AgentTool {
    /// The same tool, with `hook` asked before every call; a denied call does not run and
    /// the model gets `call denied: <reason>` as an error result.
    pub fn with_approval(self, hook: ApprovalHook) -> AgentTool {
        let definition = self.definition().clone();
        let name = self.name().to_owned();
        let kept_name = name.clone();
        AgentTool::from_handler(definition, move |input: Value| {
            let tool = self.clone();
            let hook = hook.clone();
            let request = ApprovalRequest {
                tool: name.clone(),
                input: input.clone(),
            };
            Box::pin(async move {
                match hook.check(request).await {
                    Approval::Allow => tool.call(input).await,
                    Approval::Deny(reason) => Err(format!("call denied: {reason}")),
                }
            })
        })
        // A raw definition renamed with `with_name` keeps its new name.
        .with_name(kept_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::MessageContent;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting_tool(runs: Arc<AtomicUsize>) -> AgentTool {
        AgentTool::from_json(
            crate::Tool::new("touch", json!({"type": "object"})),
            move |_| {
                runs.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, String>("ran") }
            },
        )
    }

    #[tokio::test]
    async fn a_denied_call_never_runs_and_says_why() {
        let runs = Arc::new(AtomicUsize::new(0));
        let tool = counting_tool(runs.clone()).with_approval(ApprovalHook::new(|request| {
            assert_eq!(request.tool, "touch");
            if request.input["path"] == "secret" {
                Approval::deny("secret files are off limits")
            } else {
                Approval::Allow
            }
        }));
        let denied = tool.call(json!({"path": "secret"})).await;
        assert_eq!(
            denied,
            Err("call denied: secret files are off limits".to_owned())
        );
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        let allowed = tool.call(json!({"path": "notes"})).await;
        assert_eq!(allowed, Ok(MessageContent::Text("ran".into())));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(tool.name(), "touch");
    }

    #[tokio::test]
    async fn async_hooks_are_awaited() {
        let runs = Arc::new(AtomicUsize::new(0));
        let tool = counting_tool(runs.clone()).with_approval(ApprovalHook::from_async(
            |request: ApprovalRequest| async move {
                tokio::task::yield_now().await;
                Approval::Deny(format!("{} needs a human", request.tool))
            },
        ));
        let denied = tool.call(json!({})).await;
        assert_eq!(denied, Err("call denied: touch needs a human".to_owned()));
        assert_eq!(runs.load(Ordering::SeqCst), 0);
    }
}
