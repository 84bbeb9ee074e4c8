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

/// Categories a new site starts with; merchants edit them.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "product_quality",
    "delivery_delay",
    "damaged_item",
    "wrong_item",
    "billing",
    "customer_service",
    "website",
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

/// One row of the admin queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub id: String,
    pub site_name: String,
    pub kind: Kind,
    pub rating: Option<i64>,
    pub category: Option<String>,
    pub stage: Option<Stage>,
    pub message: Option<String>,
    pub email: Option<String>,
    pub customer_tier: Option<String>,
    pub status: Status,
    pub priority: Priority,
    /// RFC 3339, UTC.
    pub received_at: String,
}

/// The signed-in staff member, as the admin UI shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub email: String,
    pub role: Role,
    pub org_name: String,
}

/// Formats milliseconds since the Unix epoch as RFC 3339 in UTC.
pub fn rfc3339_from_millis(millis: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
