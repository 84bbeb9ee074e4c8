//! Values shared by the server, the admin UI and its hydrate bundle.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a closed set of lower-case string values that round-trip through JSON and SQL.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

/// Categories a new site starts with: the after-sales problems shoppers raise most;
/// merchants edit them, and add their own as they write them.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "delivery_delay",
    "price_change",
    "product_quality",
    "installation",
    "billing",
    "missing_information",
    "staff_attitude",
    "other",
];

string_enum!(
    /// What the shopper chose to send.
    Kind { Csat = "csat", Feedback = "feedback", Complaint = "complaint" }
);

string_enum!(
    /// Where in the customer journey the experience happened.
    Stage { PreSale = "pre_sale", InSale = "in_sale", AfterSale = "after_sale" }
);

string_enum!(
    /// The five service-quality dimensions (SERVQUAL) a shopper may score 1–5.
    Dimension {
        Tangibles = "tangibles",
        Reliability = "reliability",
        Responsiveness = "responsiveness",
        Assurance = "assurance",
        Empathy = "empathy",
    }
);

string_enum!(
    /// Where a submission stands in the triage workflow.
    Status { New = "new", Open = "open", Pending = "pending", Resolved = "resolved", Spam = "spam" }
);

string_enum!(
    /// How urgently staff should look at a submission.
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);

string_enum!(
    /// What a staff member may do: owners manage everything, agents triage, viewers read.
    Role { Owner = "owner", Agent = "agent", Viewer = "viewer" }
);

string_enum!(
    /// What happened to a submission, as its timeline lists it.
    EventKind {
        Received = "received",
        Status = "status",
        Priority = "priority",
        Assignee = "assignee",
        Tags = "tags",
        Note = "note",
        Reply = "reply",
        FollowUp = "follow_up",
        Recovery = "recovery",
    }
);

/// A staff member as other staff see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: String,
    pub email: String,
}

/// A member of an organisation, as its owners see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
}

/// An invitation not yet accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// Who sent it.
    pub invited_by: Person,
    pub created_at: String,
    pub expires_at: String,
}

/// An API token as its holder and the organisation's owners see it: never the token
/// itself, which is shown once, when made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: String,
    /// What it is for, as its maker named it.
    pub name: String,
    /// Whose it is: it acts as this person, with their role.
    pub person: Person,
    pub created_at: String,
    /// To the minute; `null`: never used.
    pub last_used_at: Option<String>,
}

/// How many submissions of a filter are in one status: `n` exactly, or, when `more`, more
/// than `n` (counts stop at a limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: Status,
    pub n: i64,
    pub more: bool,
}

impl StatusCount {
    pub fn exactly(status: Status, n: i64) -> Self {
        StatusCount { status, n, more: false }
    }
}

/// One row of the admin queue. Times are RFC 3339, UTC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub id: String,
    pub site_id: String,
    pub site_name: String,
    pub kind: Kind,
    pub rating: Option<i64>,
    pub category: Option<String>,
    pub stage: Option<Stage>,
    pub message: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub order_ref: Option<String>,
    /// The verified customer's tier; present only when the merchant signed it.
    pub customer_tier: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<Person>,
    pub tags: Vec<String>,
    pub received_at: String,
    pub first_response_due: Option<String>,
    pub resolution_due: Option<String>,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    /// The next promise still open (first response, then resolution); none when every
    /// promise is kept or the submission carries none.
    pub due_at: Option<String>,
}

/// The five service-quality dimensions as the shopper rated them, 1–5 each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionScores {
    pub tangibles: Option<i64>,
    pub reliability: Option<i64>,
    pub responsiveness: Option<i64>,
    pub assurance: Option<i64>,
    pub empathy: Option<i64>,
}

/// One entry of a submission's timeline: `actor` is the staff member, none for the
/// shopper; `body` a note's, reply's or follow-up's text, or a field's new value, and
/// `previous` its old one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub id: String,
    pub kind: EventKind,
    pub actor: Option<Person>,
    pub body: Option<String>,
    pub previous: Option<String>,
    pub at: String,
}

/// Everything about one submission, for its page in the admin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionDetail {
    #[serde(flatten)]
    pub item: QueueItem,
    pub dimensions: Option<DimensionScores>,
    pub page_url: Option<String>,
    pub locale: Option<String>,
    pub customer_id: Option<String>,
    pub metadata: Option<std::collections::BTreeMap<String, String>>,
    pub recovery_rating: Option<i64>,
    pub recovery_comment: Option<String>,
    /// Oldest first, from `received` on.
    pub timeline: Vec<TimelineEvent>,
}

/// The queue's filters as a URL gives them (`/admin?status=new&q=…` and the API's
/// query): lists are comma-separated. `hark_core::store::QueueFilter` is its parse.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub site: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub priority: Option<String>,
    /// A person's id, `me`, or `none`.
    pub assignee: Option<String>,
    pub rating_max: Option<i64>,
    pub q: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// `overdue` or `soon`.
    pub due: Option<String>,
    /// `newest` (default) or `due`.
    pub sort: Option<String>,
}

impl QueueParams {
    /// The query string of these filters (cursor and limit left out), for links.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let text = [
            ("status", &self.status),
            ("kind", &self.kind),
            ("site", &self.site),
            ("category", &self.category),
            ("stage", &self.stage),
            ("priority", &self.priority),
            ("assignee", &self.assignee),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("due", &self.due),
            ("sort", &self.sort),
        ];
        let mut pairs: Vec<(&'static str, String)> = text
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
            .collect();
        if let Some(max) = self.rating_max {
            pairs.push(("rating_max", max.to_string()));
        }
        pairs
    }
}

/// A reply staff reuse.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedReply {
    pub id: String,
    pub title: String,
    pub body: String,
}

/// The signed-in staff member, as the admin UI shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub email: String,
    pub role: Role,
    pub org_name: String,
    /// Their chosen language for the admin; none: the browser's.
    pub locale: Option<String>,
    /// The organisation's time zone (IANA), in which dates are shown.
    pub time_zone: String,
}

/// A site's response targets, in minutes: how soon a submission that needs an answer
/// gets its first reply and its resolution; tighter for key customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sla {
    pub first_response: i64,
    pub resolution: i64,
    pub key_first_response: i64,
    pub key_resolution: i64,
}

impl Sla {
    /// A new site's targets (the columns' defaults): four hours to a first answer and two
    /// days to a resolution; one hour and one day for key customers.
    pub const DEFAULT: Sla =
        Sla { first_response: 240, resolution: 2880, key_first_response: 60, key_resolution: 1440 };
}

/// What an owner changes of a site; a field left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiteChange {
    /// 1 to 100 characters.
    pub name: Option<String>,
    /// Full origins (`https://shop.example`, a port if not the default), at most 20.
    pub allowed_origins: Option<Vec<String>>,
    /// 1 to 30; the default ones by their slug, a merchant's own as written (≤ 40
    /// characters each).
    pub categories: Option<Vec<String>>,
    /// At least one.
    pub enabled_kinds: Option<Vec<Kind>>,
    /// `#rrggbb` for the launcher and buttons; empty: Hark's own.
    pub theme_color: Option<String>,
    /// Whether a complaint must come with an email address for the answer.
    pub require_email: Option<bool>,
    /// A disabled site's widget and collector answer `unknown_site`.
    pub disabled: Option<bool>,
    pub sla: Option<Sla>,
}

/// Where a site's widget was last seen: an allowed origin it loaded on, or one it was
/// refused from (most often the shop's other host name, not yet added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sighting {
    pub origin: String,
    /// Whether the origin is one of the site's now.
    pub allowed: bool,
    pub last_seen_at: String,
}

/// A site as the admin shows it. `secret` only to owners.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteSettings {
    pub id: String,
    pub name: String,
    /// The public key the tag names.
    pub site_key: String,
    pub allowed_origins: Vec<String>,
    pub categories: Vec<String>,
    pub enabled_kinds: Vec<Kind>,
    pub theme_color: Option<String>,
    pub require_email: bool,
    pub disabled: bool,
    pub sla: Sla,
    pub created_at: String,
    /// The signing secret for key customers' ids; owners only.
    pub secret: Option<String>,
    /// Until when the secret replaced last still verifies; owners only.
    pub previous_secret_until: Option<String>,
    /// The tag to paste into the shop's pages.
    pub snippet: String,
    /// What a shop with a Content-Security-Policy adds to it.
    pub csp: String,
    /// Allowed origins seen first, then refused ones; newest first within each.
    pub seen: Vec<Sighting>,
}

/// One entry of an organisation's audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    /// Who did it; none for the command line.
    pub actor: Option<Person>,
    /// The client address the request came from.
    pub client: Option<String>,
    /// `site.create`, `site.update`, `site.secret`, `person.invite`, `person.join`,
    /// `person.role`, `person.remove`, `invitation.withdraw`, `token.create`,
    /// `token.revoke`, `password.change`, `sign_in`.
    pub action: String,
    /// What it names: a site's, a person's or a token's name.
    pub target: String,
    /// What changed, when there is more to say: `{"field": [old, new]}` and the like.
    pub detail: Option<serde_json::Value>,
}

/// Formats milliseconds since the Unix epoch as RFC 3339 in UTC.
pub fn rfc3339_from_millis(millis: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
