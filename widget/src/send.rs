//! What the panel sends: the submission's JSON, built once with its id, from the form's
//! description and the answers. The browser writes the JSON (`JSON.stringify`): a
//! serializer in wasm would only add size.

use crate::fields::Answers;
use crate::panel::Context;
use hark_core::form::{Answer, Form};
use hark_core::model::Kind;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::JsValue;

/// A form's answers, taken when the shopper presses Send.
pub struct Submission<'a> {
    pub form: &'a Form,
    pub answers: &'a Answers,
    /// What a robot put in the field no person sees.
    pub honeypot: Option<String>,
    /// A rating given before the shopper turned it into a complaint.
    pub carried_rating: Option<String>,
    pub locale: &'a str,
    pub context: &'a Context,
    /// How long the form was open before it was sent: a bot's few milliseconds mark it
    /// as spam at the collector.
    pub fill_ms: u32,
}

/// A UUIDv7: the time in milliseconds, then 74 random bits. Ids that grow with time keep
/// the collector's primary-key index appending (random v4 ids cost it about twice the
/// disk writes per commit, docs/PERFORMANCE.md).
fn new_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    web_sys::window()?.crypto().ok()?.get_random_values_with_u8_array(&mut bytes).ok()?;
    let millis = js_sys::Date::now() as u64;
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    // By hand: `format!` here costs 2 KB of wasm.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    Some(id)
}

fn put(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

fn js(answer: Answer) -> JsValue {
    match answer {
        Answer::Number(n) => JsValue::from(f64::from(n)),
        Answer::Text(text) => JsValue::from(text),
        Answer::Scores(scores) => {
            let object = Object::new();
            for (name, score) in scores {
                put(&object, name, js(score));
            }
            object.into()
        }
    }
}

/// The JSON the collector takes for `submission`, under a new id (chosen once, here: the
/// outbox resends exactly this body); `None` where the browser cannot make ids.
pub fn body(submission: &Submission) -> Option<String> {
    let form = submission.form;
    let answers = submission.answers;
    let body = Object::new();
    put(&body, "id", new_id()?);
    put(&body, "kind", form.kind.as_str());
    put(&body, "locale", submission.locale);
    put(&body, "fill_ms", f64::from(submission.fill_ms));
    if let Some(rating) = submission.carried_rating.clone() {
        put(&body, "rating", js(Answer::score(rating)));
    }
    for (name, answer) in form.answers(|name| answers.get(name)) {
        put(&body, name, js(answer));
    }
    if let Some(website) = &submission.honeypot {
        put(&body, "website", website.as_str());
    }
    let context = submission.context;
    if let Some(customer) = &context.customer {
        let signed = Object::new();
        put(&signed, "id", customer.id.as_str());
        put(&signed, "tier", customer.tier.clone());
        put(&signed, "sig", customer.sig.clone());
        put(&body, "customer", signed);
    }
    // The order the merchant named, unless the complaint form says which.
    if let Some(order_ref) = context.order_ref.as_deref().filter(|_| form.kind != Kind::Complaint) {
        put(&body, "order_ref", order_ref);
    }
    if let Some(page) = web_sys::window().and_then(|w| w.location().href().ok()) {
        put(&body, "page_url", page.chars().take(2048).collect::<String>());
    }
    JSON::stringify(&body).ok()?.as_string()
}
