//! What the panel sends: the submission's JSON, built once with its id.

pub struct Submission {
    pub kind: &'static str,
    pub rating: u8,
    pub message: String,
    pub locale: String,
    pub context: crate::Context,
}

fn new_id() -> Option<String> {
    Some(web_sys::window()?.crypto().ok()?.random_uuid())
}

/// The JSON the collector takes for `submission`, under a new id (chosen once, here: the
/// outbox resends exactly this body); `None` where the browser cannot make ids.
pub fn body(submission: &Submission) -> Option<String> {
    let id = new_id()?;
    let mut body = serde_json::json!({
        "id": id,
        "kind": submission.kind,
        "rating": submission.rating,
        "locale": submission.locale,
    });
    // A card number typed into the message never leaves the browser.
    let message = hark_core::privacy::mask_card_numbers(submission.message.trim());
    if !message.is_empty() {
        body["message"] = message.into_owned().into();
    }
    if let Some(customer) = &submission.context.customer {
        body["customer"] = serde_json::json!({ "id": customer.id, "tier": customer.tier, "sig": customer.sig });
    }
    if let Some(order_ref) = &submission.context.order_ref {
        body["order_ref"] = order_ref.as_str().into();
    }
    if let Some(page) = web_sys::window().and_then(|w| w.location().href().ok()) {
        body["page_url"] = page.chars().take(2048).collect::<String>().into();
    }
    Some(body.to_string())
}
