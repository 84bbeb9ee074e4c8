//! The submission decoder and validator on arbitrary bytes: it must answer, never panic.
#![no_main]

use hark_core::store::Site;
use hark_core::submission::{parse, Rejection};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let site = Site::detached("pk_fuzz", "secret");
    if let Ok(submission) = parse(data, &site) {
        // What it accepts is within the contract's bounds.
        assert!(submission.rating.is_none_or(|r| (1..=5).contains(&r.get())));
        assert!(submission.message.as_ref().is_none_or(|m| m.chars().count() <= 5000));
        assert!(submission.order_ref.as_ref().is_none_or(|o| o.chars().count() <= 64));
    } else if let Err(Rejection::Invalid(fields)) = parse(data, &site) {
        assert!(!fields.is_empty());
    }
});
