//! Properties of the submission decoder and of card-number masking over generated input:
//! they never panic, and their verdicts follow the contract's rules.

#![cfg(feature = "db")]

use hark_core::store::Site;
use hark_core::submission::{parse, Rejection};
use proptest::prelude::*;
use serde_json::{json, Value};

fn site() -> Site {
    Site { categories: vec!["billing".into(), "delivery_delay".into()], ..Site::detached("pk", "secret") }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes, &site());
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        let _ = parse(value.to_string().as_bytes(), &site());
    }

    #[test]
    fn a_rating_is_accepted_exactly_when_it_is_one_to_five(rating in -10i64..16, message in ".{0,100}") {
        let body = json!({"id": new_id(), "kind": "csat", "rating": rating, "message": message});
        match parse(body.to_string().as_bytes(), &site()) {
            Ok(sub) => {
                prop_assert!((1..=5).contains(&rating));
                prop_assert_eq!(sub.rating.map(|r| i64::from(r.get())), Some(rating));
                prop_assert_eq!(sub.message.unwrap_or_default(), message.trim());
            }
            Err(Rejection::Invalid(fields)) => {
                prop_assert!(!(1..=5).contains(&rating), "rejected a valid rating: {:?}", fields);
                prop_assert!(fields.contains_key("rating"));
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn a_complaint_needs_text_and_at_most_5000_characters(length in 0usize..5200, blank in any::<bool>()) {
        let message: String = if blank { " ".repeat(length) } else { "é".repeat(length) };
        let body = json!({"id": new_id(), "kind": "complaint", "message": message});
        let accepted = parse(body.to_string().as_bytes(), &site()).is_ok();
        prop_assert_eq!(accepted, !blank && (1..=5000).contains(&length));
    }

    #[test]
    fn the_same_json_in_any_key_order_has_the_same_digest(
        rating in 1i64..=5,
        stage in prop::sample::select(vec!["pre_sale", "in_sale", "after_sale"]),
    ) {
        let id = new_id();
        let a = format!(r#"{{"id":"{id}","kind":"csat","rating":{rating},"stage":"{stage}"}}"#);
        let b = format!(r#"{{ "stage" : "{stage}", "rating": {rating}, "kind":"csat", "id":"{id}" }}"#);
        let (a, b) = (parse(a.as_bytes(), &site()).unwrap(), parse(b.as_bytes(), &site()).unwrap());
        prop_assert_eq!(a.content_digest, b.content_digest);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Masking touches digits only, keeps the length and the last four of every number,
    /// and masking twice changes nothing more.
    #[test]
    fn masking_card_numbers_changes_digits_only(text in "[0-9 a-z-]{0,60}") {
        let masked = hark_core::privacy::mask_card_numbers(&text);
        prop_assert_eq!(masked.chars().count(), text.chars().count());
        for (before, after) in text.chars().zip(masked.chars()) {
            prop_assert!(before == after || (before.is_ascii_digit() && after == '•'));
        }
        prop_assert_eq!(hark_core::privacy::mask_card_numbers(&masked), masked.clone());
    }
}
