//! Posting to the collector with the browser's own `fetch` (smaller than a client crate).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

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

/// Sends `submission`; `Err` carries the message to show the shopper.
pub async fn submit(api_base: &str, site_key: &str, submission: &Submission) -> Result<(), String> {
    let id = new_id().ok_or("This browser cannot send feedback.")?;
    let mut body = serde_json::json!({
        "id": id,
        "kind": submission.kind,
        "rating": submission.rating,
        "locale": submission.locale,
    });
    if !submission.message.trim().is_empty() {
        body["message"] = submission.message.trim().into();
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
    let status = post(&format!("{api_base}/api/v1/sites/{site_key}/submissions"), &body.to_string())
        .await
        .map_err(|_| "Could not reach the shop's feedback service. Check your connection and try again.".to_owned())?;
    match status {
        200..=299 => Ok(()),
        422 => Err("Some of what you entered was not accepted. Check it and try again.".into()),
        429 => Err("Too many messages just now. Try again in a minute.".into()),
        _ => Err("Your feedback could not be sent. Try again later.".into()),
    }
}

async fn post(url: &str, body: &str) -> Result<u16, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    Ok(response.status())
}
