//! The rules of triage every caller shares: how urgent a new submission is, which ones
//! carry promises (response targets) and when each falls due.

use crate::model::{Kind, Priority, Status};

/// Minutes to milliseconds.
const MINUTE: i64 = 60_000;

/// A new submission's priority: a verified key customer's is `urgent`; a complaint or a
/// rating of 1–2 (an unhappy shopper who did not complain) `high`; the rest `normal`.
pub fn default_priority(kind: Kind, rating: Option<u8>, key_customer: bool) -> Priority {
    if key_customer {
        Priority::Urgent
    } else if kind == Kind::Complaint || rating.is_some_and(|r| r <= 2) {
        Priority::High
    } else {
        Priority::Normal
    }
}

/// When a submission's first response and resolution are due, for those that carry
/// promises: what is `high` or `urgent` by default, that is complaints, ratings of 1–2
/// and key customers'. Spam carries none.
pub fn due_times(
    priority: Priority,
    spam: bool,
    key_customer: bool,
    sla: &crate::store::Sla,
    received_at: i64,
) -> Option<(i64, i64)> {
    if spam || !matches!(priority, Priority::High | Priority::Urgent) {
        return None;
    }
    let (first, resolution) =
        if key_customer { (sla.key_first_response, sla.key_resolution) } else { (sla.first_response, sla.resolution) };
    Some((received_at + first * MINUTE, received_at + resolution * MINUTE))
}

/// What a submission's progress says of its promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promises {
    pub status: Status,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub first_response_at: Option<i64>,
}

impl Promises {
    /// The next promise still to keep: the first response until it is given, then the
    /// resolution; none once resolved (or spam).
    pub fn next_due(&self) -> Option<i64> {
        if matches!(self.status, Status::Resolved | Status::Spam) {
            None
        } else if self.first_response_at.is_none() && self.first_response_due.is_some() {
            self.first_response_due
        } else {
            self.resolution_due
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Sla;

    #[test]
    fn complaints_low_ratings_and_key_customers_come_first() {
        assert_eq!(default_priority(Kind::Complaint, None, false), Priority::High);
        assert_eq!(default_priority(Kind::Csat, Some(2), false), Priority::High);
        assert_eq!(default_priority(Kind::Csat, Some(3), false), Priority::Normal);
        assert_eq!(default_priority(Kind::Feedback, None, false), Priority::Normal);
        assert_eq!(default_priority(Kind::Csat, Some(5), true), Priority::Urgent);
    }

    #[test]
    fn key_customers_get_the_tighter_targets_and_spam_none() {
        let sla = Sla::DEFAULT;
        assert_eq!(due_times(Priority::High, false, false, &sla, 0), Some((240 * MINUTE, 2880 * MINUTE)));
        assert_eq!(due_times(Priority::Urgent, false, true, &sla, 0), Some((60 * MINUTE, 1440 * MINUTE)));
        assert_eq!(due_times(Priority::Normal, false, false, &sla, 0), None);
        assert_eq!(due_times(Priority::High, true, false, &sla, 0), None);
    }

    #[test]
    fn the_next_promise_moves_from_first_response_to_resolution_and_ends_when_resolved() {
        let mut p = Promises {
            status: Status::New,
            first_response_due: Some(10),
            resolution_due: Some(20),
            first_response_at: None,
        };
        assert_eq!(p.next_due(), Some(10));
        p.first_response_at = Some(5);
        assert_eq!(p.next_due(), Some(20));
        p.status = Status::Resolved;
        assert_eq!(p.next_due(), None);
    }
}
