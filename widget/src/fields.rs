//! The components a form (`hark_core::form::Form`) is drawn with: a scored radio group, a
//! choice list, a text area, a line, an email field and the five dimensions. The panel
//! renders them in the browser, in its shadow root; the hosted form renders the same ones
//! on the server, as plain HTML that posts without script. One renderer for every kind, so
//! that a kind costs the panel's download its description, not a view tree of its own.

use crate::el::{derived, el, target_value, El, Node};
use hark_core::form::{dimension_names, scored, Control, Field, Form, Text};
use hark_core::words::Words;
use reactive_graph::prelude::*;
use reactive_graph::signal::ArcRwSignal;

const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// What the shopper entered so far, by field name, and the control to fix (by id; empty
/// for none).
#[derive(Clone, Default)]
struct Entered {
    values: Vec<(Text, String)>,
    invalid: String,
}

/// The answers so far: what the controls show (a form drawn again with what to fix keeps
/// them; the message stays when the shopper turns to another kind), updated as the
/// shopper changes them. One signal, so that the panel's download carries Leptos's
/// signal code for one more type, not one per piece of state. A reference-counted
/// signal (`ArcRwSignal`), cloned into what reads it: the `Copy` kind keeps its value in
/// Leptos's arena, whose code for each type costs the download 1.2 KB gzip for the two.
#[derive(Clone)]
pub struct Answers(ArcRwSignal<Entered>);

impl Answers {
    pub fn new(values: Vec<(Text, String)>) -> Answers {
        Answers(ArcRwSignal::new(Entered { values, invalid: String::new() }))
    }

    fn find(entered: &Entered, name: &str) -> Option<String> {
        entered.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// The answer to `name` as entered, tracked.
    fn value(&self, name: &str) -> String {
        self.0.with(|entered| Answers::find(entered, name)).unwrap_or_default()
    }

    /// The answer to `name` as entered, not tracked: what a control starts with.
    fn initial(&self, name: &str) -> String {
        self.0.with_untracked(|entered| Answers::find(entered, name)).unwrap_or_default()
    }

    /// The answer to `name`, trimmed; `None` when empty. Not tracked: the panel reads it
    /// when it acts.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = self.initial(name);
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// Whether `name` is answered with one of `values`; tracked.
    pub fn is_one_of(&self, name: &str, values: &[&str]) -> bool {
        self.0.with(|entered| entered.values.iter().any(|(n, v)| n == name && values.contains(&v.as_str())))
    }

    pub fn set(&self, name: &str, value: String) {
        self.0.update(|entered| match entered.values.iter_mut().find(|(n, _)| n == name) {
            Some(answer) => answer.1 = value,
            None => entered.values.push((name.to_owned().into(), value)),
        });
    }

    /// Marks the control `id` as the one to fix (none: empty).
    pub fn mark(&self, id: String) {
        self.0.update(|entered| entered.invalid = id);
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        self.0.set(Entered::default());
    }

    /// `control` named `name` (its id `id`): keeps what the shopper enters on each
    /// `event`, and is marked while it is the one to fix.
    fn bind(&self, control: El, name: &Text, id: &str, event: &'static str) -> El {
        let (kept, id) = (name.clone(), id.to_owned());
        let (marked, entered) = (self.clone(), self.clone());
        control
            .attr("name", name.clone())
            .bind("aria-invalid", derived(move || marked.0.with(|e| e.invalid == id).then(|| "true".into())))
            .on(event, move |event| entered.set(&kept, target_value(&event)))
    }

    /// `control` (its `value`) showing the answer to `name` as it changes.
    fn show(&self, control: El, name: &Text) -> El {
        let (answers, name) = (self.clone(), name.clone());
        control.prop("value", derived(move || Some(answers.value(&name).into())))
    }
}

/// The id of the control for `name` on the form whose ids start with `prefix`.
pub fn control_id(prefix: &str, name: &str) -> String {
    [prefix, "-", name].concat()
}

/// The form's heading (id "{prefix}-title") and its fields, in order, their controls'
/// ids starting with `prefix`; `after_score` follows a scored question (the panel's offer
/// to make a low rating a complaint).
pub fn fields(
    form: &Form,
    prefix: &str,
    words: &'static Words,
    answers: &Answers,
    after_score: impl Fn() -> Node,
) -> Vec<Node> {
    let title_id = [prefix, "-title"].concat();
    let mut nodes = Vec::new();
    if let Some(title) = form.title {
        nodes.push(el("h2").attr("id", title_id.clone()).child(title).into());
    }
    for (i, field) in form.fields.iter().enumerate() {
        let heads_form = (form.title.is_none() && i == 0).then(|| title_id.clone());
        control(&mut nodes, field, prefix, words, answers, heads_form);
        if matches!(field.control, Control::Score) {
            nodes.push(after_score());
        }
    }
    nodes
}

/// `label` for the control `id`.
fn label(text: impl Into<Node>, id: &str) -> Node {
    el("label").attr("class", "field").attr("for", id.to_owned()).child(text).into()
}

/// A list with an empty first choice and `options` as (value, words).
fn choice(
    name: Text,
    id: &str,
    options: impl Iterator<Item = (Text, Text)>,
    words: &'static Words,
    answers: &Answers,
) -> Node {
    let chosen = answers.initial(&name);
    let options = options.map(|(value, text)| {
        let selected = *value == chosen;
        el("option").attr("value", value).maybe("selected", selected.then_some("")).child(text).into()
    });
    let select = answers.show(el("select").attr("id", id.to_owned()), &name);
    answers
        .bind(select, &name, id, "change")
        .child(el("option").attr("value", "").child(words.choose))
        .children(options)
        .into()
}

fn control(
    nodes: &mut Vec<Node>,
    field: &Field,
    prefix: &str,
    words: &'static Words,
    answers: &Answers,
    heads_form: Option<String>,
) {
    let name = &field.name;
    let id = control_id(prefix, name);
    match &field.control {
        Control::Score => {
            let chosen = answers.initial(name);
            let radios = (1..=5).map(|n| {
                let value = SCORES[n - 1];
                let (shown, checked) = (name.clone(), answers.clone());
                let mut radio = el("input")
                    .attr("type", "radio")
                    .attr("value", value)
                    .maybe("checked", (chosen == value).then_some(""))
                    .prop("checked", derived(move || (checked.value(&shown) == value).then(|| "checked".into())));
                // The first radio stands for the group: focused and marked when it is
                // the one to fix.
                radio = if n == 1 {
                    answers.bind(radio.attr("id", id.clone()), name, &id, "change")
                } else {
                    let (kept, answers) = (name.clone(), answers.clone());
                    radio.attr("name", name.clone()).on("change", move |event| answers.set(&kept, target_value(&event)))
                };
                el("label")
                    .attr("class", "choice")
                    .child(radio)
                    .child(el("span").child(scored(n, words.ratings[n - 1])))
                    .into()
            });
            let legend = el("legend").maybe("id", heads_form).child(field.label.clone());
            nodes.push(el("fieldset").child(legend).child(el("div").attr("class", "choices").children(radios)).into());
        }
        Control::Choice(options) => {
            nodes.push(label(field.label.clone(), &id));
            nodes.push(choice(name.clone(), &id, options.iter().cloned(), words, answers));
        }
        Control::Text => {
            nodes.push(label(field.label.clone(), &id));
            let text = el("textarea")
                .attr("id", id.clone())
                .attr("rows", "4")
                .attr("maxlength", decimal(hark_core::form::MESSAGE_MAX))
                .maybe("aria-required", field.required.map(|_| "true"))
                .initial_text(answers.initial(name));
            nodes.push(answers.bind(answers.show(text, name), name, &id, "input").into());
        }
        Control::Line(max) => {
            nodes.push(label(field.label.clone(), &id));
            let line = el("input").attr("maxlength", decimal(*max)).attr("autocomplete", "off");
            nodes.push(line_of(line, field, &id, answers));
        }
        Control::Email => {
            nodes.push(label(field.label.clone(), &id));
            let email = el("input")
                .attr("type", "email")
                .attr("autocomplete", "email")
                .attr("aria-required", if field.required.is_some() { "true" } else { "false" });
            nodes.push(line_of(email, field, &id, answers));
        }
        Control::Dimensions => {
            let scores: Vec<Text> = (1..).zip(words.dimension_words).map(|(n, word)| scored(n, word).into()).collect();
            let dimensions = dimension_names().zip(words.dimensions).flat_map(|(name, text)| {
                let options = SCORES.iter().map(|&s| Text::from(s)).zip(scores.iter().cloned());
                let id = control_id(prefix, name);
                [label(text, &id), choice(name.into(), &id, options, words, answers)]
            });
            let summary = el("summary").child(field.label.clone());
            nodes.push(el("details").child(summary).children(dimensions.collect::<Vec<_>>()).into());
        }
    }
    if let Some(note) = &field.note {
        nodes.push(el("p").attr("class", "note").attr("id", [&id, "-note"].concat()).child(note.clone()).into());
    }
}

/// A one-line input, its note (if any) describing it.
fn line_of(input: El, field: &Field, id: &str, answers: &Answers) -> Node {
    let input = input
        .attr("id", id.to_owned())
        .attr("value", answers.initial(&field.name))
        .maybe("aria-describedby", field.note.as_ref().map(|_| [id, "-note"].concat()));
    answers.bind(answers.show(input, &field.name), &field.name, id, "input").into()
}

/// `n` in decimal digits, by hand: `to_string` would bring Rust's formatting code into the
/// panel's download for this alone (docs/PERFORMANCE.md, "Widget").
fn decimal(mut n: u16) -> String {
    let mut digits = Vec::with_capacity(5);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// The field only robots fill in (the collector stores theirs as spam).
pub fn honeypot(words: &'static Words) -> Node {
    let input = el("input").attr("name", "website").attr("tabindex", "-1").attr("autocomplete", "off");
    el("div").attr("hidden", "").child(el("label").child(words.honeypot).child(input)).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_number_is_written_in_decimal_digits() {
        for n in [0, 7, 64, 5000, u16::MAX] {
            assert_eq!(super::decimal(n), n.to_string());
        }
    }
}
