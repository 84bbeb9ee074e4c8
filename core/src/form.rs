//! The shopper's forms as data: what each kind asks, in which order, under which rules and
//! in which words. The widget's panel renders a `Form` in the browser and the hosted form
//! renders the same one on the server, with the same components (`widget::fields`); the
//! panel checks it before sending by the same rules. A merchant's own questions are one
//! more `Field` in a kind's list: a name, a label and a control, each of which may be text
//! from the site's settings rather than Hark's own words.

use crate::model::{Dimension, Kind, Stage};
use crate::words::Words;
use std::borrow::Cow;

/// Words or names: Hark's own, or (later) the merchant's.
pub type Text = Cow<'static, str>;

/// The longest message the collector takes, in characters.
pub const MESSAGE_MAX: u16 = 5000;
/// The longest order number the collector takes, in characters.
pub const ORDER_REF_MAX: u16 = 64;

/// How a field is answered.
pub enum Control {
    /// 1 to 5 as radio buttons, each named by its number and its word ("4 – Satisfied").
    Score,
    /// One of a list of (value, what the shopper reads), after an empty first choice.
    Choice(Vec<(Text, Text)>),
    /// A few lines of text.
    Text,
    /// One line of text, at most this many characters.
    Line(u16),
    Email,
    /// The five service-quality dimensions, each scored 1 to 5 from a list, folded away
    /// under the field's label; their names are the collector's (`Dimension`).
    Dimensions,
}

pub struct Field {
    /// The name the answer is sent under.
    pub name: Text,
    pub label: Text,
    pub control: Control,
    /// What the shopper is told when it is left empty; `None` where it is optional.
    pub required: Option<&'static str>,
    /// A line under the control.
    pub note: Option<Text>,
}

/// One kind's form.
pub struct Form {
    pub kind: Kind,
    /// Its heading; without one, its first field's label heads it.
    pub title: Option<&'static str>,
    pub fields: Vec<Field>,
}

/// What a site's settings say about its forms.
pub struct Settings<'a> {
    pub categories: &'a [String],
    /// Whether a complaint needs an email address.
    pub require_email: bool,
}

fn field(name: &'static str, label: &'static str, control: Control) -> Field {
    Field { name: name.into(), label: label.into(), control, required: None, note: None }
}

impl Form {
    /// The form for `kind` on a site with `settings`, in `words`.
    pub fn of(kind: Kind, settings: &Settings, words: &'static Words) -> Form {
        let mut fields = Vec::with_capacity(6);
        let topic = || {
            let names =
                settings.categories.iter().map(|slug| (slug.clone().into(), words.category(slug).to_owned().into()));
            field("category", words.topic, Control::Choice(names.collect()))
        };
        let message = |label| Field { required: Some(words.need_message), ..field("message", label, Control::Text) };
        let title = match kind {
            Kind::Csat => {
                fields.push(Field {
                    required: Some(words.choose_rating),
                    ..field("rating", words.title, Control::Score)
                });
                fields.push(field("message", words.comment, Control::Text));
                None
            }
            Kind::Feedback => {
                if !settings.categories.is_empty() {
                    fields.push(topic());
                }
                let stages = Stage::ALL.iter().zip(words.stages).map(|(s, w)| (s.as_str().into(), w.into()));
                fields.push(field("stage", words.stage, Control::Choice(stages.collect())));
                fields.push(message(words.your_feedback));
                fields.push(field("dimensions", words.dimensions_title, Control::Dimensions));
                Some(words.feedback_title)
            }
            Kind::Complaint => {
                if !settings.categories.is_empty() {
                    fields.push(topic());
                }
                fields.push(field("order_ref", words.order_ref, Control::Line(ORDER_REF_MAX)));
                fields.push(message(words.what_happened));
                let email = field("email", words.email_optional, Control::Email);
                fields.push(Field {
                    note: Some(words.consent.into()),
                    ..if settings.require_email {
                        Field { label: words.email_required.into(), required: Some(words.need_email), ..email }
                    } else {
                        email
                    }
                });
                Some(words.complaint_title)
            }
        };
        Form { kind, title, fields }
    }

    /// The first field that stops the form from being sent, and what to tell the shopper:
    /// a required one left empty, or an email address that cannot be one. `answer` gives
    /// a field's answer, trimmed, `None` when empty.
    pub fn problem<'f>(
        &'f self,
        words: &Words,
        answer: impl Fn(&str) -> Option<String>,
    ) -> Option<(&'f Field, &'static str)> {
        self.fields.iter().find_map(|field| match answer(&field.name) {
            None => field.required.map(|message| (field, message)),
            Some(email) if matches!(field.control, Control::Email) && !plausible_email(&email) => {
                Some((field, words.bad_email))
            }
            Some(_) => None,
        })
    }

    /// The answered fields, each under its name as the collector takes it: a score as a
    /// number, the five dimensions as one object, a message with any card number masked
    /// (it must not leave the browser, nor be stored from the hosted form), the rest as
    /// typed. `answer` gives a field's answer, trimmed, `None` when empty.
    pub fn answers(&self, answer: impl Fn(&str) -> Option<String>) -> Vec<(&str, Answer)> {
        let mut answers = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let value = match field.control {
                Control::Score => answer(&field.name).map(Answer::score),
                Control::Dimensions => {
                    let scores: Vec<_> =
                        dimension_names().filter_map(|name| Some((name, Answer::score(answer(name)?)))).collect();
                    (!scores.is_empty()).then_some(Answer::Scores(scores))
                }
                Control::Text => {
                    answer(&field.name).map(|text| Answer::Text(crate::privacy::mask_card_numbers(&text).into_owned()))
                }
                Control::Choice(_) | Control::Line(_) | Control::Email => answer(&field.name).map(Answer::Text),
            };
            if let Some(value) = value {
                answers.push((&*field.name, value));
            }
        }
        answers
    }
}

/// An answer as the collector takes it.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// A score, 1 to 5.
    Number(u8),
    Text(String),
    /// The five dimensions, by name: those answered.
    Scores(Vec<(&'static str, Answer)>),
}

impl Answer {
    /// A score ("1" to "5") as a number; anything else as typed, for the collector to
    /// refuse. Matched by hand: parsing a number costs the panel's download 0.4 KB gzip more.
    pub fn score(text: String) -> Answer {
        match text.as_bytes() {
            [digit @ b'1'..=b'5'] => Answer::Number(digit - b'0'),
            _ => Answer::Text(text),
        }
    }
}

/// The names the five dimensions are sent under.
pub fn dimension_names() -> impl Iterator<Item = &'static str> {
    Dimension::ALL.iter().map(|d| d.as_str())
}

/// "4 – Satisfied": a score named by its number and its word.
pub fn scored(score: usize, word: &str) -> String {
    let mut text = String::with_capacity(word.len() + 6);
    text.push(char::from(b'0' + score as u8));
    text.push_str(" – ");
    text.push_str(word);
    text
}

/// One `@` with something on each side, a dot in the domain and no spaces: enough to
/// catch a slip before sending; the collector checks the address fully.
pub fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::EN;

    #[test]
    fn a_slip_in_an_email_address_is_caught_before_sending() {
        for good in ["ana@example.com", "li.wei+shop@mail.example.cn"] {
            assert!(plausible_email(good), "{good}");
        }
        for slip in ["ana", "ana@", "@example.com", "ana@example", "ana @example.com", "ana@ex@ample.com"] {
            assert!(!plausible_email(slip), "{slip}");
        }
    }

    #[test]
    fn a_score_is_named_by_its_number_and_its_word() {
        assert_eq!(scored(4, "Satisfied"), "4 – Satisfied");
        assert_eq!(scored(1, "非常不满意"), "1 – 非常不满意");
    }

    fn names(form: &Form) -> Vec<&str> {
        form.fields.iter().map(|f| &*f.name).collect()
    }

    #[test]
    fn each_kind_asks_what_the_site_needs() {
        let categories = vec!["delivery_delay".to_owned()];
        let site = Settings { categories: &categories, require_email: true };
        assert_eq!(names(&Form::of(Kind::Csat, &site, &EN)), ["rating", "message"]);
        assert_eq!(names(&Form::of(Kind::Feedback, &site, &EN)), ["category", "stage", "message", "dimensions"]);
        let complaint = Form::of(Kind::Complaint, &site, &EN);
        assert_eq!(names(&complaint), ["category", "order_ref", "message", "email"]);
        assert_eq!(complaint.fields[3].label, EN.email_required);
        let bare = Settings { categories: &[], require_email: false };
        let complaint = Form::of(Kind::Complaint, &bare, &EN);
        assert_eq!(names(&complaint), ["order_ref", "message", "email"]);
        assert_eq!(complaint.fields[2].required, None);
    }

    #[test]
    fn answers_are_sent_as_the_collector_takes_them() {
        let site = Settings { categories: &[], require_email: false };
        let given =
            [("stage", "after_sale"), ("message", "Card 4111 1111 1111 1111"), ("empathy", "5"), ("tangibles", "x")];
        let answer = |name: &str| given.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        let feedback = Form::of(Kind::Feedback, &site, &EN);
        assert_eq!(
            feedback.answers(answer),
            [
                ("stage", Answer::Text("after_sale".into())),
                ("message", Answer::Text("Card •••• •••• •••• 1111".into())),
                (
                    "dimensions",
                    Answer::Scores(vec![("tangibles", Answer::Text("x".into())), ("empathy", Answer::Number(5))])
                ),
            ]
        );
        let csat = Form::of(Kind::Csat, &site, &EN);
        assert_eq!(csat.answers(|name| (name == "rating").then(|| "4".into())), [("rating", Answer::Number(4))]);
    }

    #[test]
    fn the_first_problem_is_named_with_what_to_fix() {
        let site = Settings { categories: &[], require_email: true };
        let complaint = Form::of(Kind::Complaint, &site, &EN);
        let problem = |answers: &[(&str, &str)]| {
            let answer = |name: &str| answers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
            complaint.problem(&EN, answer).map(|(field, message)| (field.name.to_string(), message))
        };
        assert_eq!(problem(&[]), Some(("message".into(), EN.need_message)));
        assert_eq!(problem(&[("message", "Late")]), Some(("email".into(), EN.need_email)));
        assert_eq!(problem(&[("message", "Late"), ("email", "ana")]), Some(("email".into(), EN.bad_email)));
        assert_eq!(problem(&[("message", "Late"), ("email", "ana@example.com")]), None);
        let csat = Form::of(Kind::Csat, &site, &EN);
        assert_eq!(csat.problem(&EN, |_| None).map(|(f, m)| (&*f.name, m)), Some(("rating", EN.choose_rating)));
    }
}
