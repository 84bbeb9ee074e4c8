//! What the panel sends: the submission's JSON, built once with its id.

pub struct Submission {
    pub kind: &'static str,
    pub rating: u8,
    pub message: String,
    pub locale: String,
    pub context: crate::Context,
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

/// The JSON the collector takes for `submission`, under a new id (chosen once, here: the
/// outbox resends exactly this body); `None` where the browser cannot make ids.
pub fn body(submission: &Submission) -> Option<String> {
    let id = new_id()?;
    let mut body = serde_json::json!({
        "id": id,
        "kind": submission.kind,
        "rating": submission.rating,
        "locale": submission.locale,
        "fill_ms": submission.fill_ms,
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
