//! One element type for everything the panel and the forms draw: a Leptos element whose
//! tag, attributes and children are values rather than types. Every `view!` element is a
//! type of its own, and each type brings its own copy of Leptos's build, update and
//! mount code into the shopper's download; drawn through this, the panel pays for that
//! code once (docs/PERFORMANCE.md, "Widget", measures each step). Reactive values are all
//! `Derived`: a shared closure giving `Option<Text>` (an absent attribute, a false
//! property: `None`), so that they too are one type. The server renders the same elements to
//! HTML.

use hark_core::form::Text;
use std::rc::Rc;
use std::sync::Arc;
use tachys::html::attribute::any_attribute::{AnyAttribute, IntoAnyAttribute};
use tachys::html::attribute::custom::custom_attribute;
use tachys::html::directive::directive;
use tachys::html::element::{custom, input, ElementChild};
use tachys::html::property::prop;
use tachys::view::add_attr::AddAnyAttr;
use tachys::view::any_view::{AnyView, IntoAny};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// A value drawn from signals, worked out again when they change. A closure shared
/// behind an `Arc`, which Leptos draws as it draws a closure, rather than a Leptos
/// `Signal`, whose code for the memos and stored values the panel never makes costs
/// the download 2.3 KB gzip (docs/PERFORMANCE.md, "Widget").
pub type Derived = Arc<dyn Fn() -> Option<Text> + Send + Sync>;

/// `value` as a `Derived`.
pub fn derived(value: impl Fn() -> Option<Text> + Send + Sync + 'static) -> Derived {
    Arc::new(value)
}

/// An element being described.
pub struct El {
    tag: &'static str,
    attrs: Vec<AnyAttribute>,
    children: Vec<AnyView>,
    /// A text area's text: its only content, written without the markers Leptos puts
    /// between children on the server (a text area would show them).
    text: String,
}

pub fn el(tag: &'static str) -> El {
    El { tag, attrs: Vec::new(), children: Vec::new(), text: String::new() }
}

impl El {
    pub fn attr(self, name: &'static str, value: impl Into<Text>) -> El {
        self.text_attr(name, value.into())
    }

    // Kept out of line, here and below: the panel describes some hundred elements, and
    // this code at each of them would be in the download each time.
    #[inline(never)]
    fn text_attr(mut self, name: &'static str, value: Text) -> El {
        self.attrs.push(custom_attribute(name, value).into_any_attr());
        self
    }

    /// `name`, when there is a `value`.
    pub fn maybe(self, name: &'static str, value: Option<impl Into<Text>>) -> El {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    /// `name` as `value` says, kept up to date; absent while it is `None`.
    pub fn bind(mut self, name: &'static str, value: Derived) -> El {
        self.attrs.push(custom_attribute(name, value).into_any_attr());
        self
    }

    /// The DOM property `name` (an input's `value`, a radio's `checked`) kept as `value`
    /// says (`None` is false).
    pub fn prop(mut self, name: &'static str, value: Derived) -> El {
        self.attrs.push(prop(name, value).into_any_attr());
        self
    }

    /// Calls `handler` on the element's `event`s (nothing is attached on the server).
    ///
    /// Set as the element's `on{event}` handler, by a Leptos directive, rather than with
    /// Leptos's `on:` listeners: their code keeps a registry for delegated events that
    /// this panel never uses (5 KB of wasm), and a handler property is replaced, never
    /// added twice, when the element is drawn again.
    pub fn on(self, event: &'static str, handler: impl Fn(web_sys::Event) + 'static) -> El {
        self.listener((event, Rc::new(handler)))
    }

    #[inline(never)]
    fn listener(mut self, listener: Listener) -> El {
        self.attrs.push(directive(listen as fn(web_sys::Element, Listener), listener).into_any_attr());
        self
    }

    pub fn child(self, child: impl Into<Node>) -> El {
        self.node(child.into())
    }

    #[inline(never)]
    fn node(mut self, child: Node) -> El {
        self.children.push(child.0);
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Node>) -> El {
        self.children.extend(children.into_iter().map(|child| child.0));
        self
    }

    /// A text area's text, as it starts.
    pub fn initial_text(mut self, text: String) -> El {
        self.text = text;
        self
    }

    /// Text kept as `text` says.
    pub fn text(mut self, text: Derived) -> El {
        self.children.push(text.into_any());
        self
    }
}

/// An event's name and what to do on it.
type Listener = (&'static str, Rc<dyn Fn(web_sys::Event)>);

fn listen(element: web_sys::Element, (event, handler): Listener) {
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(move |event| handler(event)).into_js_value();
    let _ = js_sys::Reflect::set(&element, &JsValue::from_str(&["on", event].concat()), &handler);
}

/// Something drawn: an element or text.
pub struct Node(AnyView);

impl Node {
    /// What `draw` gives, drawn again whenever a signal it reads changes.
    pub fn dynamic(draw: impl Fn() -> Vec<Node> + Send + 'static) -> Node {
        Node((move || draw().into_iter().map(|node| node.0).collect::<Vec<_>>()).into_any())
    }

    pub fn into_view(self) -> AnyView {
        self.0
    }
}

impl From<El> for Node {
    fn from(el: El) -> Node {
        // An input has no end tag; the other elements drawn here all do.
        Node(if el.tag == "input" {
            input().add_any_attr(el.attrs).into_any()
        } else if el.tag == "textarea" {
            custom(el.tag).child(el.text).add_any_attr(el.attrs).into_any()
        } else {
            custom(el.tag).child(el.children).add_any_attr(el.attrs).into_any()
        })
    }
}

impl From<&'static str> for Node {
    fn from(text: &'static str) -> Node {
        text.to_owned().into()
    }
}

impl From<String> for Node {
    fn from(text: String) -> Node {
        Node(text.into_any())
    }
}

impl From<Text> for Node {
    fn from(text: Text) -> Node {
        text.into_owned().into()
    }
}

/// The value of the control an event happened on.
pub fn target_value(event: &web_sys::Event) -> String {
    // An input's, a text area's or a list's: each has a `value`.
    event.target().map(|target| target.unchecked_into::<web_sys::HtmlInputElement>().value()).unwrap_or_default()
}
