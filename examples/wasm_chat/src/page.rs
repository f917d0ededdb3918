//! The page's logic in the browser: wires the prompt box and the Send and Stop buttons,
//! POSTs the prompt to the server's relay, reads the response body as a stream
//! (`ReadableStream`) and folds each chunk with [`ReplyFold`](crate::fold::ReplyFold),
//! rendering text, thinking and each tool argument as it arrives.
//!
//! The DOM it writes (what `tests/browser.rs` reads): each reply is a
//! `section.turn.assistant[data-state=streaming|done|stopped|error]` holding `.thinking`,
//! `.text`, one `.tool-call[data-state=streaming|done|invalid]` per call with its `.tool-name`
//! and one `.arg[data-pointer][data-state=streaming|complete]` per argument (its text in
//! `.arg-value`), and `.status` (how it ended). `data-bytes` counts the bytes folded.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use chat_anthropic::aggregate::StreamUpdate;
use js_sys::{Reflect, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    AbortController, Document, Element, Headers, HtmlButtonElement, HtmlTextAreaElement,
    KeyboardEvent, ReadableStreamDefaultReader, Request, RequestInit, Response,
};

use crate::fold::{argument_label, End, ReplyFold};

/// Where the page posts prompts: the server's relay.
const CHAT_URL: &str = "/chat";

/// The page's elements and the reply in flight.
struct Page {
    document: Document,
    log: Element,
    prompt: HtmlTextAreaElement,
    send: HtmlButtonElement,
    stop: HtmlButtonElement,
    /// The reply being streamed: its fetch's controller and whether Stop was pressed.
    current: Option<(AbortController, Rc<Cell<bool>>)>,
}

/// Runs when the module loads: wires the controls and marks the page ready
/// (`body[data-ready=true]`).
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let element = |id: &str| {
        document
            .get_element_by_id(id)
            .ok_or_else(|| JsValue::from_str(&format!("no #{id} in the page")))
    };
    let page = Rc::new(RefCell::new(Page {
        log: element("log")?,
        prompt: element("prompt")?.dyn_into()?,
        send: element("send")?.dyn_into()?,
        stop: element("stop")?.dyn_into()?,
        document: document.clone(),
        current: None,
    }));
    let on_send = {
        let page = page.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            send(&page);
        })
    };
    let on_key = {
        let page = page.clone();
        Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            if event.key() == "Enter" && !event.shift_key() {
                event.prevent_default();
                send(&page);
            }
        })
    };
    let on_stop = {
        let page = page.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some((controller, stopped)) = &page.borrow().current {
                // Set first: a chunk already read is then dropped, not shown.
                stopped.set(true);
                controller.abort();
            }
        })
    };
    {
        let page = page.borrow();
        page.send
            .add_event_listener_with_callback("click", on_send.as_ref().unchecked_ref())?;
        page.prompt
            .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())?;
        page.stop
            .add_event_listener_with_callback("click", on_stop.as_ref().unchecked_ref())?;
    }
    // The listeners live as long as the page.
    on_send.forget();
    on_key.forget();
    on_stop.forget();
    if let Some(body) = document.body() {
        body.set_attribute("data-ready", "true")?;
    }
    Ok(())
}

/// Sends the prompt, unless a reply is already streaming or the prompt is empty.
fn send(page: &Rc<RefCell<Page>>) {
    let (prompt, mut view, signal, stopped) = {
        let mut p = page.borrow_mut();
        let prompt = p.prompt.value();
        if p.current.is_some() || prompt.trim().is_empty() {
            return;
        }
        let Ok(controller) = AbortController::new() else {
            return;
        };
        p.prompt.set_value("");
        let user = p.add("div", "turn user", &p.log);
        let _ = user.append_with_str_1(&prompt);
        let view = match ReplyView::new(&p) {
            Ok(view) => view,
            Err(_) => return,
        };
        let stopped = Rc::new(Cell::new(false));
        p.send.set_disabled(true);
        p.stop.set_disabled(false);
        let signal = controller.signal();
        p.current = Some((controller, stopped.clone()));
        (prompt, view, signal, stopped)
    };
    let page = page.clone();
    spawn_local(async move {
        let mut fold = ReplyFold::new();
        let streamed = stream(&prompt, &signal, &mut fold, &mut view, &stopped).await;
        let end = if stopped.get() {
            fold.stop().0
        } else {
            match streamed {
                Ok(()) => fold.finish().0,
                Err(message) => End::Error(message),
            }
        };
        view.end(&end);
        let mut p = page.borrow_mut();
        p.current = None;
        p.send.set_disabled(false);
        p.stop.set_disabled(true);
        let _ = p.prompt.focus();
    });
}

/// Posts the prompt and folds the body as it arrives until it ends, fails or is stopped.
async fn stream(
    prompt: &str,
    signal: &web_sys::AbortSignal,
    fold: &mut ReplyFold,
    view: &mut ReplyView,
    stopped: &Cell<bool>,
) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_signal(Some(signal));
    let headers = Headers::new().map_err(describe)?;
    headers
        .set("content-type", "application/json")
        .map_err(describe)?;
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&json!({"prompt": prompt}).to_string()));
    let request = Request::new_with_str_and_init(CHAT_URL, &init).map_err(describe)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !response.ok() {
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        return Err(format!("{} {}", response.status(), text.trim()));
    }
    let body = response.body().ok_or("the response has no body")?;
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|reader| describe(reader.into()))?;
    let mut updates = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(describe)?;
        if stopped.get() {
            return Ok(());
        }
        let done = Reflect::get(&chunk, &"done".into())
            .map_err(describe)?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(describe)?
            .dyn_into()
            .map_err(describe)?;
        updates.clear();
        let folded = fold.push(&bytes.to_vec(), &mut updates);
        view.render(&updates);
        view.root
            .set_attribute("data-bytes", &fold.bytes().to_string())
            .map_err(describe)?;
        if folded.is_err() {
            // An `error` event or a malformed stream: nothing more is read (`finish` says why).
            let _ = reader.cancel();
            return Ok(());
        }
    }
}

/// A JavaScript error as text.
fn describe(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|err| String::from(err.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

impl Page {
    /// A new `<tag class=…>` appended to `parent`.
    fn add(&self, tag: &str, class: &str, parent: &Element) -> Element {
        add(&self.document, tag, class, parent)
    }
}

fn add(document: &Document, tag: &str, class: &str, parent: &Element) -> Element {
    let element = document.create_element(tag).expect("a valid tag name");
    element.set_class_name(class);
    parent
        .append_child(&element)
        .expect("an element takes children");
    element
}

/// One reply's elements.
struct ReplyView {
    document: Document,
    root: Element,
    thinking: Element,
    text: Element,
    calls: Element,
    status: Element,
    /// Per block index: the call's element and its arguments' rows by pointer.
    call_views: HashMap<usize, (Element, HashMap<String, Element>)>,
}

impl ReplyView {
    fn new(page: &Page) -> Result<Self, JsValue> {
        let root = page.add("section", "turn assistant", &page.log);
        root.set_attribute("data-state", "streaming")?;
        let view = Self {
            document: page.document.clone(),
            thinking: page.add("div", "thinking", &root),
            text: page.add("div", "text", &root),
            calls: page.add("div", "tool-calls", &root),
            status: page.add("div", "status", &root),
            root,
            call_views: HashMap::new(),
        };
        view.status.set_text_content(Some("streaming…"));
        Ok(view)
    }

    /// Shows what one chunk changed.
    fn render(&mut self, updates: &[StreamUpdate]) {
        for update in updates {
            match update {
                StreamUpdate::Text { text, .. } => {
                    let _ = self.text.append_with_str_1(text);
                }
                StreamUpdate::Thinking { thinking, .. } => {
                    let _ = self.thinking.append_with_str_1(thinking);
                }
                StreamUpdate::ToolCallStarted { index, name, .. } => {
                    let call = add(&self.document, "div", "tool-call", &self.calls);
                    let _ = call.set_attribute("data-state", "streaming");
                    add(&self.document, "div", "tool-name", &call).set_text_content(Some(name));
                    add(&self.document, "dl", "args", &call);
                    self.call_views.insert(*index, (call, HashMap::new()));
                }
                StreamUpdate::ToolArgDelta {
                    index,
                    pointer,
                    text,
                } => {
                    let value = self.argument(*index, pointer.as_str());
                    let _ = value.append_with_str_1(text);
                }
                StreamUpdate::ToolArgComplete {
                    index,
                    pointer,
                    value,
                } if !pointer.as_str().is_empty() => {
                    let scalar = !matches!(&**value, Value::Object(_) | Value::Array(_));
                    let exists = self
                        .call_views
                        .get(index)
                        .is_some_and(|(_, args)| args.contains_key(pointer.as_str()));
                    // Rows for strings (already filled by their deltas) and other scalars;
                    // containers show through their members.
                    if exists || scalar {
                        let cell = self.argument(*index, pointer.as_str());
                        if !exists || !value.is_string() {
                            let text = match &**value {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            cell.set_text_content(Some(&text));
                        }
                        if let Some(row) = cell.parent_element() {
                            let _ = row.set_attribute("data-state", "complete");
                        }
                    }
                }
                StreamUpdate::ToolCallDone { index, .. } => self.call_state(*index, "done"),
                StreamUpdate::ToolCallInvalid { index, .. } => self.call_state(*index, "invalid"),
                _ => {}
            }
        }
    }

    /// The value cell of a call's argument row, made on first use.
    fn argument(&mut self, index: usize, pointer: &str) -> Element {
        let document = self.document.clone();
        let calls = self.calls.clone();
        let (call, args) = self.call_views.entry(index).or_insert_with(|| {
            let call = add(&document, "div", "tool-call", &calls);
            let _ = call.set_attribute("data-state", "streaming");
            add(&document, "dl", "args", &call);
            (call, HashMap::new())
        });
        args.entry(pointer.to_owned())
            .or_insert_with(|| {
                let list = call
                    .query_selector(".args")
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| call.clone());
                let row = add(&document, "div", "arg", &list);
                let _ = row.set_attribute("data-pointer", pointer);
                let _ = row.set_attribute("data-state", "streaming");
                add(&document, "dt", "arg-name", &row)
                    .set_text_content(Some(&argument_label(pointer)));
                add(&document, "dd", "arg-value", &row)
            })
            .clone()
    }

    fn call_state(&self, index: usize, state: &str) {
        if let Some((call, _)) = self.call_views.get(&index) {
            let _ = call.set_attribute("data-state", state);
        }
    }

    /// Shows how the reply ended; what was rendered stays.
    fn end(&self, end: &End) {
        let _ = self.root.set_attribute("data-state", end.state());
        self.status.set_text_content(Some(&end.describe()));
    }
}
