//! The three forms the panel shows: a rating, a feedback card and a complaint. Each is
//! built afresh when the shopper picks it; what was typed is read back at Send from the
//! form itself, so no state mirrors the page.

use crate::dom::{labelled, scored, select, E};
use crate::i18n::Strings;
use wasm_bindgen::UnwrapThrowExt;
use web_sys::Element;

/// The kinds, in the order the panel offers them; a kind is its index here.
pub const KINDS: [&str; 3] = ["csat", "feedback", "complaint"];
pub const CSAT: usize = 0;
pub const FEEDBACK: usize = 1;
pub const COMPLAINT: usize = 2;

/// The service-quality dimensions, as the collector names them.
pub const DIMENSIONS: [&str; 5] = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"];
const STAGES: [&str; 3] = ["pre_sale", "in_sale", "after_sale"];
const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// What the site's public settings say about the forms.
pub struct Site {
    /// Indexes into `KINDS`, in that order.
    pub kinds: Vec<usize>,
    pub categories: Vec<String>,
    /// Whether a complaint needs an email address.
    pub require_email: bool,
}

/// The form for `kind`, its message starting as `message` and its order number as
/// `order_ref`.
pub fn build(kind: usize, text: &Strings, site: &Site, message: &str, order_ref: &str) -> Element {
    let form = E::new("form").class("form").attr("novalidate", "").0;
    let add = |child: E| {
        form.append_child(&child.0).unwrap_throw();
    };
    let title = if kind == FEEDBACK { text.feedback_title } else { text.complaint_title };
    if kind == CSAT {
        let mut choices = E::new("div").class("choices");
        for (score, word) in (1..).zip(text.words.ratings) {
            let radio = E::new("input").attr("type", "radio").attr("name", "rating").attr("value", SCORES[score - 1]);
            choices = choices
                .child(E::new("label").class("choice").child(radio).child(E::new("span").text(&scored(score, word))));
        }
        add(E::new("fieldset").child(E::new("legend").attr("id", "hark-title").text(text.title)).child(choices));
        // Shown after a rating of 1 or 2: one tap makes it a complaint, text and all.
        add(E::new("p")
            .class("turn")
            .attr("hidden", "")
            .child(E::new("span").text(text.unhappy))
            .child(E::new("button").attr("type", "button").class("to-complaint").text(text.to_complaint)));
    } else {
        add(E::new("h2").attr("id", "hark-title").text(title));
        if !site.categories.is_empty() {
            let names = site.categories.iter().map(|slug| (slug.as_str(), text.words.category(slug)));
            labelled(&form, "hark-category", text.topic, select("category", text.choose, names));
        }
    }
    if kind == FEEDBACK {
        labelled(&form, "hark-stage", text.stage, select("stage", text.choose, STAGES.into_iter().zip(text.stages)));
    }
    if kind == COMPLAINT {
        let order = E::new("input").attr("name", "order_ref").attr("maxlength", "64").attr("autocomplete", "off");
        labelled(&form, "hark-order", text.order_ref, order.attr("value", order_ref));
    }
    let label = [text.comment, text.your_feedback, text.what_happened][kind];
    let mut message_box = E::new("textarea").attr("name", "message").attr("rows", "4").attr("maxlength", "5000");
    if kind != CSAT {
        message_box = message_box.attr("aria-required", "true");
    }
    labelled(&form, "hark-message", label, message_box.text(message));
    if kind == FEEDBACK {
        let aspects = E::new("details").child(E::new("summary").text(text.dimensions_title));
        let words: Vec<String> = (1..).zip(text.dimension_words).map(|(score, word)| scored(score, word)).collect();
        for (i, (name, plain)) in DIMENSIONS.into_iter().zip(text.dimensions).enumerate() {
            let id = ["hark-d1", "hark-d2", "hark-d3", "hark-d4", "hark-d5"][i];
            let scores = SCORES.into_iter().zip(words.iter().map(String::as_str));
            labelled(&aspects.0, id, plain, select(name, text.choose, scores));
        }
        add(aspects);
    }
    if kind == COMPLAINT {
        let (label, required) =
            if site.require_email { (text.email_required, "true") } else { (text.email_optional, "false") };
        let email = E::new("input")
            .attr("type", "email")
            .attr("name", "email")
            .attr("autocomplete", "email")
            .attr("aria-required", required)
            .attr("aria-describedby", "hark-consent");
        labelled(&form, "hark-email", label, email);
        add(E::new("p").class("consent").attr("id", "hark-consent").text(text.consent));
    }
    // Only robots fill this in (the collector stores theirs as spam).
    add(E::new("div").attr("hidden", "").child(
        E::new("label")
            .text(text.honeypot)
            .child(E::new("input").attr("name", "website").attr("tabindex", "-1").attr("autocomplete", "off")),
    ));
    add(E::new("button").attr("type", "submit").class("send").text(text.send));
    form
}
