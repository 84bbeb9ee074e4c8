//! What a shopper's browser (or a merchant's server) may send, and its parse into a
//! [`NewSubmission`] that can only hold values the contract allows.

use crate::error::FieldErrors;
use crate::model::{Kind, Stage};
use crate::store::Site;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

const FIELDS: &[&str] = &[
    "id",
    "kind",
    "rating",
    "dimensions",
    "category",
    "stage",
    "message",
    "email",
    "name",
    "order_ref",
    "page_url",
    "locale",
    "customer",
    "metadata",
    "website",
    "fill_ms",
];
const DIMENSION_FIELDS: &[&str] = &["tangibles", "reliability", "responsiveness", "assurance", "empathy"];
const CUSTOMER_FIELDS: &[&str] = &["id", "tier", "sig"];

/// The submission body as JSON gives it; [`parse`] turns it into a [`NewSubmission`].
/// Public for the API's schema; callers use [`parse`].
#[derive(Debug, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionRequest {
    id: String,
    kind: String,
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    rating: Option<i64>,
    #[validate(nested)]
    dimensions: Option<DimensionsRequest>,
    #[validate(length(max = 64, message = "must be at most 64 characters"))]
    category: Option<String>,
    stage: Option<String>,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    message: Option<String>,
    #[validate(
        email(message = "must be a valid email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    email: Option<String>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    name: Option<String>,
    #[validate(length(max = 64, message = "must be at most 64 characters"))]
    order_ref: Option<String>,
    #[validate(length(max = 2048, message = "must be at most 2048 characters"))]
    page_url: Option<String>,
    #[validate(length(max = 35, message = "must be at most 35 characters"))]
    locale: Option<String>,
    #[validate(nested)]
    customer: Option<CustomerRequest>,
    #[validate(custom(function = "validate_metadata"))]
    metadata: Option<BTreeMap<String, String>>,
    /// Honeypot: a field people never see, so never fill.
    #[validate(length(max = 2048, message = "must be at most 2048 characters"))]
    website: Option<String>,
    /// Milliseconds from the form appearing to it being sent.
    #[validate(range(min = 0, message = "must not be negative"))]
    fill_ms: Option<i64>,
}

#[derive(Debug, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionsRequest {
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    tangibles: Option<i64>,
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    reliability: Option<i64>,
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    responsiveness: Option<i64>,
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    assurance: Option<i64>,
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    empathy: Option<i64>,
}

#[derive(Debug, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRequest {
    #[validate(
        length(min = 1, max = 128, message = "must be 1 to 128 characters"),
        custom(function = "validate_signed_text")
    )]
    id: String,
    #[validate(length(max = 32, message = "must be at most 32 characters"), custom(function = "validate_signed_text"))]
    tier: Option<String>,
    #[validate(length(max = 128, message = "must be at most 128 characters"))]
    sig: Option<String>,
}

/// The signature covers `id|tier`, so a `|` inside either would let one signed pair
/// stand for another (`a|b` + no tier = `a` + tier `b|`).
fn validate_signed_text(text: &str) -> Result<(), ValidationError> {
    if text.contains('|') {
        return Err(ValidationError::new("signed").with_message("must not contain |".into()));
    }
    Ok(())
}

fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    if metadata.len() > 20 {
        return Err(ValidationError::new("metadata").with_message("at most 20 pairs".into()));
    }
    if metadata.keys().any(|k| k.is_empty() || k.chars().count() > 40) {
        return Err(ValidationError::new("metadata").with_message("keys must be 1 to 40 characters".into()));
    }
    if metadata.values().any(|v| v.chars().count() > 200) {
        return Err(ValidationError::new("metadata").with_message("values must be at most 200 characters".into()));
    }
    Ok(())
}

/// A rating on the 1–5 scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: i64) -> Option<Self> {
        (1..=5).contains(&value).then_some(Rating(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The five service-quality dimensions, each rated 1–5 when given.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dimensions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tangibles: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reliability: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsiveness: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assurance: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empathy: Option<Rating>,
}

/// A customer whose id and tier the merchant signed; unsigned ones are not kept.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedCustomer {
    pub id: String,
    pub tier: Option<String>,
}

/// A submission that passed every rule of the contract for its site.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSubmission {
    pub id: uuid::Uuid,
    pub kind: Kind,
    pub rating: Option<Rating>,
    pub dimensions: Option<Dimensions>,
    pub category: Option<String>,
    pub stage: Option<Stage>,
    pub message: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub order_ref: Option<String>,
    pub page_url: Option<String>,
    pub locale: Option<String>,
    pub customer: Option<VerifiedCustomer>,
    pub metadata: Option<BTreeMap<String, String>>,
    /// Digest of the body as sent: the same id with other content is a conflict.
    pub content_digest: String,
    /// A bot's by the honeypot or by inhuman speed: stored as spam, answered as usual
    /// so the bot learns nothing.
    pub spam: bool,
}

/// Faster than this from form to send is not a person typing.
pub const MIN_HUMAN_FILL_MS: i64 = 1_500;

/// Why a body was refused.
#[derive(Debug, PartialEq)]
pub enum Rejection {
    /// Not JSON, or JSON of another shape (`bad_json`).
    Malformed(String),
    /// JSON of the right shape that breaks a rule (`validation`).
    Invalid(FieldErrors),
}

/// Parses a submission body for `site`.
pub fn parse(body: &[u8], site: &Site) -> Result<NewSubmission, Rejection> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Rejection::Malformed(format!("body is not valid JSON: {e}")))?;
    let Value::Object(object) = &value else {
        return Err(Rejection::Malformed("body must be a JSON object".into()));
    };
    let mut errors = FieldErrors::new();
    reject_unknown(object, FIELDS, "", &mut errors);
    for (nested, allowed) in [("dimensions", DIMENSION_FIELDS), ("customer", CUSTOMER_FIELDS)] {
        if let Some(Value::Object(inner)) = object.get(nested) {
            reject_unknown(inner, allowed, nested, &mut errors);
        }
    }
    if !errors.is_empty() {
        return Err(Rejection::Invalid(errors));
    }
    let content_digest = digest(&value);
    let request: SubmissionRequest = serde_json::from_value(value)
        .map_err(|e| Rejection::Malformed(format!("body does not have the submission's shape: {e}")))?;
    if let Err(e) = request.validate() {
        flatten(&e, "", &mut errors);
    }
    let submission = build(request, site, content_digest, &mut errors);
    if errors.is_empty() {
        Ok(submission)
    } else {
        Err(Rejection::Invalid(errors))
    }
}

/// What a submission says, as a digest: of its JSON written out again (keys in order,
/// so the same content sent twice gives the same digest), fed to the hash as it is
/// written rather than gathered in a string first.
fn digest(value: &Value) -> String {
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, value).expect("a JSON value writes out");
    crate::auth::to_hex(&hasher.finalize())
}

fn reject_unknown(object: &serde_json::Map<String, Value>, allowed: &[&str], prefix: &str, errors: &mut FieldErrors) {
    for key in object.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        errors.entry(path).or_default().push("unknown field".into());
    }
}

fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages = out.entry(path).or_default();
                messages.extend(list.iter().map(|e| e.message.as_deref().unwrap_or("is invalid").to_owned()));
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn add(errors: &mut FieldErrors, field: &str, message: &str) {
    errors.entry(field.to_owned()).or_default().push(message.to_owned());
}

/// Blank text counts as absent.
fn present(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn build(request: SubmissionRequest, site: &Site, content_digest: String, errors: &mut FieldErrors) -> NewSubmission {
    let id = uuid::Uuid::parse_str(&request.id).unwrap_or_else(|_| {
        add(errors, "id", "must be a UUID");
        uuid::Uuid::nil()
    });
    let kind = request.kind.parse::<Kind>().unwrap_or_else(|e| {
        add(errors, "kind", &e);
        Kind::Feedback
    });
    if errors.get("kind").is_none() && !site.enabled_kinds.contains(&kind) {
        add(errors, "kind", "is not enabled for this site");
    }
    let rating = request.rating.and_then(Rating::new);
    if kind == Kind::Csat && request.rating.is_none() {
        add(errors, "rating", "is required for a rating");
    }
    let message = present(request.message);
    if kind == Kind::Complaint && message.is_none() {
        add(errors, "message", "is required for a complaint");
    }
    let email = present(request.email);
    if kind == Kind::Complaint && site.require_email && email.is_none() {
        add(errors, "email", "is required for a complaint on this site");
    }
    let category = present(request.category);
    if let Some(category) = &category {
        if !site.categories.contains(category) {
            add(errors, "category", &format!("must be one of: {}", site.categories.join(", ")));
        }
    }
    let stage = present(request.stage).and_then(|s| s.parse::<Stage>().map_err(|e| add(errors, "stage", &e)).ok());
    let dimensions = request.dimensions.map(|d| Dimensions {
        tangibles: d.tangibles.and_then(Rating::new),
        reliability: d.reliability.and_then(Rating::new),
        responsiveness: d.responsiveness.and_then(Rating::new),
        assurance: d.assurance.and_then(Rating::new),
        empathy: d.empathy.and_then(Rating::new),
    });
    let customer = request.customer.and_then(|c| {
        let tier = c.tier.unwrap_or_default();
        let signed = c.sig.as_deref().is_some_and(|sig| site.verifies_customer(&c.id, &tier, sig));
        signed.then(|| VerifiedCustomer { id: c.id, tier: Some(tier).filter(|t| !t.is_empty()) })
    });
    NewSubmission {
        id,
        kind,
        rating,
        dimensions,
        category,
        stage,
        message,
        email,
        name: present(request.name),
        order_ref: present(request.order_ref),
        page_url: present(request.page_url),
        locale: present(request.locale),
        customer,
        metadata: request.metadata.filter(|m| !m.is_empty()),
        content_digest,
        spam: request.website.is_some_and(|w| !w.trim().is_empty())
            || request.fill_ms.is_some_and(|ms| ms < MIN_HUMAN_FILL_MS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth;

    fn site() -> Site {
        Site { categories: vec!["billing".into()], ..Site::detached("pk", "secret") }
    }

    fn invalid(body: &str) -> FieldErrors {
        match parse(body.as_bytes(), &site()) {
            Err(Rejection::Invalid(fields)) => fields,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    const ID: &str = "6f1c2c1e-0c5b-4c8e-9d51-1f1d2b3c4d5e";

    #[test]
    fn a_rating_parses_into_typed_values() {
        let body = format!(r#"{{"id":"{ID}","kind":"csat","rating":4,"message":"  fine  ","stage":"after_sale"}}"#);
        let sub = parse(body.as_bytes(), &site()).unwrap();
        assert_eq!(sub.kind, Kind::Csat);
        assert_eq!(sub.rating.map(Rating::get), Some(4));
        assert_eq!(sub.message.as_deref(), Some("fine"));
        assert_eq!(sub.stage, Some(Stage::AfterSale));
    }

    #[test]
    fn the_content_digest_is_of_the_body_written_out_again_whatever_its_key_order() {
        let body = format!(r#"{{"rating":4,"kind":"csat","id":"{ID}","message":"快递"}}"#);
        let reordered = format!(r#"{{ "id": "{ID}", "kind": "csat", "message": "快递", "rating": 4 }}"#);
        let digest = parse(body.as_bytes(), &site()).unwrap().content_digest;
        assert_eq!(parse(reordered.as_bytes(), &site()).unwrap().content_digest, digest);
        // What earlier builds stored: the hash of the compact text with keys in order.
        let written = format!(r#"{{"id":"{ID}","kind":"csat","message":"快递","rating":4}}"#);
        assert_eq!(digest, format!("{:x}", Sha256::digest(written.as_bytes())));
    }

    #[test]
    fn each_broken_rule_is_named_by_its_field() {
        let fields = invalid(
            r#"{"id":"nope","kind":"csat","rating":9,"category":"x","email":"not-an-email","dimensions":{"empathy":0},"colour":"red"}"#,
        );
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["colour"], "unknown fields are reported first, alone");
        let fields = invalid(
            r#"{"id":"nope","kind":"csat","rating":9,"category":"x","email":"not-an-email","dimensions":{"empathy":0}}"#,
        );
        for field in ["id", "rating", "category", "email", "dimensions.empathy"] {
            assert!(fields.contains_key(field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn a_complaint_needs_a_message_and_a_rating_needs_a_score() {
        assert!(invalid(&format!(r#"{{"id":"{ID}","kind":"complaint","message":"   "}}"#)).contains_key("message"));
        assert!(invalid(&format!(r#"{{"id":"{ID}","kind":"csat"}}"#)).contains_key("rating"));
        assert!(invalid(&format!(r#"{{"id":"{ID}","kind":"praise"}}"#)).contains_key("kind"));
    }

    #[test]
    fn only_a_valid_signature_grants_a_tier() {
        let sig = auth::customer_signature("secret", "c_1", "key");
        let signed =
            format!(r#"{{"id":"{ID}","kind":"feedback","customer":{{"id":"c_1","tier":"key","sig":"{sig}"}}}}"#);
        let customer = parse(signed.as_bytes(), &site()).unwrap().customer.unwrap();
        assert_eq!(customer.tier.as_deref(), Some("key"));
        let forged =
            format!(r#"{{"id":"{ID}","kind":"feedback","customer":{{"id":"c_1","tier":"vip","sig":"{sig}"}}}}"#);
        assert_eq!(parse(forged.as_bytes(), &site()).unwrap().customer, None);
    }

    #[test]
    fn a_bar_in_a_signed_id_or_tier_is_refused_so_one_signature_cannot_cover_two_pairs() {
        // Signed for id "a|b" with no tier: the same bytes as id "a" with tier "b|".
        let sig = auth::customer_signature("secret", "a|b", "");
        for customer in [r#""id":"a|b""#.to_owned(), r#""id":"a","tier":"b|""#.to_owned()] {
            let body = format!(r#"{{"id":"{ID}","kind":"feedback","customer":{{{customer},"sig":"{sig}"}}}}"#);
            let fields = invalid(&body);
            assert!(
                fields.contains_key("customer.id") || fields.contains_key("customer.tier"),
                "{customer}: {fields:?}"
            );
        }
    }

    #[test]
    fn a_filled_honeypot_or_inhuman_speed_is_spam() {
        let parse_spam = |extra: &str| {
            let body = format!(r#"{{"id":"{ID}","kind":"feedback","message":"hi"{extra}}}"#);
            parse(body.as_bytes(), &site()).unwrap().spam
        };
        assert!(!parse_spam(""), "a merchant's server sends neither field");
        assert!(!parse_spam(r#","website":"","fill_ms":8000"#));
        assert!(parse_spam(r#","website":"http://spam.example""#));
        assert!(parse_spam(r#","fill_ms":200"#));
    }

    #[test]
    fn wrong_types_and_non_json_are_malformed() {
        assert!(matches!(parse(b"{", &site()), Err(Rejection::Malformed(_))));
        assert!(matches!(parse(b"[1]", &site()), Err(Rejection::Malformed(_))));
        let body = format!(r#"{{"id":"{ID}","kind":"csat","rating":"five"}}"#);
        assert!(matches!(parse(body.as_bytes(), &site()), Err(Rejection::Malformed(_))));
    }
}
