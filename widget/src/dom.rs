//! Building the panel's elements with the browser's own DOM calls: a UI framework's
//! runtime would be most of the widget's download (docs/PERFORMANCE.md, "Widget").

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().unwrap_throw().document().unwrap_throw()
}

/// An element under construction.
pub struct E(pub Element);

impl E {
    pub fn new(tag: &str) -> E {
        E(document().create_element(tag).unwrap_throw())
    }

    pub fn attr(self, name: &str, value: &str) -> E {
        self.0.set_attribute(name, value).unwrap_throw();
        self
    }

    pub fn class(self, name: &str) -> E {
        self.attr("class", name)
    }

    pub fn text(self, text: &str) -> E {
        self.0.set_text_content(Some(text));
        self
    }

    pub fn child(self, child: E) -> E {
        self.0.append_child(&child.0).unwrap_throw();
        self
    }
}

/// `label` for the control `id`, then the control itself.
pub fn labelled(parent: &Element, id: &str, label: &str, control: E) {
    parent.append_child(&E::new("label").class("field").attr("for", id).text(label).0).unwrap_throw();
    parent.append_child(&control.attr("id", id).0).unwrap_throw();
}

/// A list with an empty first choice (`choose`) and `options` as (value, words).
pub fn select<'a>(name: &str, choose: &str, options: impl Iterator<Item = (&'a str, &'a str)>) -> E {
    let mut select = E::new("select").attr("name", name).child(E::new("option").attr("value", "").text(choose));
    for (value, words) in options {
        select = select.child(E::new("option").attr("value", value).text(words));
    }
    select
}

/// "4 – Satisfied": a score named by its number and its word.
pub fn scored(score: usize, word: &str) -> String {
    let mut text = String::with_capacity(word.len() + 6);
    text.push(char::from(b'0' + score as u8));
    text.push_str(" – ");
    text.push_str(word);
    text
}

pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}
