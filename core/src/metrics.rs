//! The insights' figures (`GET /api/v1/admin/metrics`, API.md "Metrics, defined") and
//! the statistics behind them. The types travel to the admin's pages; the store fills
//! them from its daily roll-ups (`store::metrics`).

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Rounds to one decimal, as every percentage is shown.
pub fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Rounds to two decimals (averages of 1–5 scores).
pub fn two_decimals(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `part` of `whole` in percent, one decimal; `None` of nothing.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| one_decimal(100.0 * part as f64 / whole as f64))
}

/// The Wilson score interval of `successes` in `n` at 95%, in percent, one decimal:
/// unlike the normal approximation it stays inside 0–100 and is honest for small `n`.
pub fn wilson(successes: i64, n: i64) -> Option<[f64; 2]> {
    if n <= 0 {
        return None;
    }
    let (n, p) = (n as f64, successes as f64 / n as f64);
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some([one_decimal(100.0 * (centre - half).max(0.0)), one_decimal(100.0 * (centre + half).min(1.0))])
}

/// The 95% interval of a mean from its count, sum and sum of squares (normal
/// approximation with the sample's standard deviation); `None` below two answers.
pub fn mean_interval(n: i64, sum: i64, squares: i64) -> Option<[f64; 2]> {
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = sum as f64 / nf;
    let variance = ((squares as f64 - nf * mean * mean) / (nf - 1.0)).max(0.0);
    let half = Z95 * (variance / nf).sqrt();
    Some([two_decimals(mean - half), two_decimals(mean + half)])
}

/// The nearest-rank percentile `p` (0–100) of values given as `(value, how many)`, in
/// ascending order of value; `None` of none.
pub fn percentile(sorted: &[(i64, i64)], p: f64) -> Option<i64> {
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = ((p / 100.0 * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (value, n) in sorted {
        seen += n;
        if seen >= rank {
            return Some(*value);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

/// A duration in whole minutes as the figures keep it: exact below 64, above that
/// rounded down to one of 32 steps per doubling, so never more than 1/32 (3.1 %) below
/// the exact value. The roll-ups count durations under these keys, which keeps a
/// month of them to a few hundred rows.
pub fn duration_step(minutes: i64) -> i64 {
    if minutes < 64 {
        return minutes.max(0);
    }
    let shift = 63 - minutes.leading_zeros() - 5;
    (minutes >> shift) << shift
}

/// The two-sided p-value of the difference between two proportions (`k1` of `n1`
/// against `k2` of `n2`), by the pooled two-proportion z-test; `None` when either side
/// is empty or nothing varies.
pub fn two_proportion_p(k1: i64, n1: i64, k2: i64, n2: i64) -> Option<f64> {
    if n1 <= 0 || n2 <= 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (k1 + k2) as f64 / (n1f + n2f);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (k2 as f64 / n2f - k1 as f64 / n1f) / se;
    // P(|Z| > |z|) = erfc(|z| / √2).
    Some(libm::erfc(z.abs() / std::f64::consts::SQRT_2))
}

/// Whether the trend's points are days or weeks (weeks start on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    #[default]
    Day,
    Week,
}

/// The query of `GET /api/v1/admin/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsParams {
    /// A site's id; all of the organisation's sites when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The first day counted (`YYYY-MM-DD`, or an RFC 3339 time at the start of a day in
    /// the organisation's time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The day after the last one counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
}

/// A share with its interval: CSAT of a stage or a category, before or after a mark.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// The stage or category; empty for none given.
    pub key: String,
    pub responses: i64,
    /// Percent rated 4–5.
    pub score: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

impl Share {
    pub fn of(key: impl Into<String>, satisfied: i64, responses: i64) -> Share {
        Share { key: key.into(), responses, score: percent(satisfied, responses), ci95: wilson(satisfied, responses) }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Csat {
    /// Percent of ratings that are 4 or 5, one decimal.
    pub score: Option<f64>,
    pub responses: i64,
    /// The mean rating, two decimals.
    pub average: Option<f64>,
    /// The score's Wilson 95% interval, percent.
    pub ci95: Option<[f64; 2]>,
    /// How many rated 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
    pub by_stage: Vec<Share>,
    pub by_category: Vec<Share>,
}

/// One service-quality dimension's average.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionScore {
    pub dimension: crate::model::Dimension,
    pub responses: i64,
    pub average: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

/// A count under a key (a category or a stage), with the running share a Pareto chart
/// draws.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub count: i64,
    /// Percent of the whole that this and every larger key before it make.
    pub cumulative: f64,
}

/// Counts largest first with their running share.
pub fn pareto(mut counts: Vec<(String, i64)>) -> Vec<Count> {
    counts.retain(|(_, n)| *n > 0);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let mut running = 0;
    counts
        .into_iter()
        .map(|(key, count)| {
            running += count;
            Count { key, count, cumulative: percent(running, total).unwrap_or(0.0) }
        })
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaints {
    pub count: i64,
    /// Complaints ÷ all submissions, percent.
    pub rate: Option<f64>,
    pub resolved: i64,
    /// Complaints now resolved ÷ complaints received, percent.
    pub resolution_rate: Option<f64>,
    /// Largest first: a Pareto chart.
    pub by_category: Vec<Count>,
    pub by_stage: Vec<Count>,
}

/// Minutes from receipt, over the submissions that carry a promise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Durations {
    pub count: i64,
    pub p50: Option<i64>,
    pub p90: Option<i64>,
}

impl Durations {
    pub fn of(sorted: &[(i64, i64)]) -> Durations {
        Durations {
            count: sorted.iter().map(|(_, n)| n).sum(),
            p50: percentile(sorted, 50.0),
            p90: percentile(sorted, 90.0),
        }
    }
}

/// Promises kept, percent of those decided (kept, broken, or overdue and still open).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promises {
    pub first_response_met: Option<f64>,
    pub first_response_decided: i64,
    pub resolution_met: Option<f64>,
    pub resolution_decided: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sla {
    #[serde(flatten)]
    pub all: Promises,
    /// The same for key customers' submissions.
    pub key: Promises,
}

/// The hidden part: unhappy raters who never complained, per complaint received.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Iceberg {
    /// Ratings of 1–2 that did not become complaints.
    pub silent: i64,
    pub complaints: i64,
    /// `silent` ÷ `complaints`, one decimal.
    pub per_complaint: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryRate {
    /// Resolved complaints whose shopper rated the handling 4–5 ÷ those rated, percent.
    pub rate: Option<f64>,
    pub responses: i64,
    pub ci95: Option<[f64; 2]>,
}

/// One person's handling of the submissions assigned to them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentFigures {
    pub user_id: String,
    pub email: String,
    /// Submissions with a promise assigned to them.
    pub assigned: i64,
    pub resolved: i64,
    /// Their median first response, minutes.
    pub first_response_p50: Option<i64>,
}

/// Everything counted over one period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Every submission received, spam excluded.
    pub submissions: i64,
    pub csat: Csat,
    /// Weakest first.
    pub dimensions: Vec<DimensionScore>,
    pub complaints: Complaints,
    pub first_response: Durations,
    pub resolution_time: Durations,
    pub sla: Sla,
    pub iceberg: Iceberg,
    pub recovery: RecoveryRate,
    pub agents: Vec<AgentFigures>,
}

/// One day's or week's point of the trend.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// The first day, `YYYY-MM-DD`.
    pub start: String,
    pub submissions: i64,
    pub complaints: i64,
    pub csat: Share,
}

/// Open submissions by how long ago they arrived (now, not the period's).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacklogAge {
    /// `under_1d`, `1_3d`, `3_7d` or `over_7d`.
    pub age: String,
    pub count: i64,
}

/// A phrase from what unhappy shoppers wrote.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Phrase {
    pub phrase: String,
    /// The category most of its submissions were filed under; empty for none.
    pub category: String,
    /// Complaints and ratings of 1–2 holding it, in the period and in the one before.
    pub count: i64,
    pub previous: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Phrases {
    /// Most frequent first.
    pub top: Vec<Phrase>,
    /// Growing most against the period before.
    pub rising: Vec<Phrase>,
}

/// A change the shop made, and the figures before and after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkCheck {
    pub mark: Mark,
    /// The days compared on each side (as many after as have passed, at most 28, and
    /// as many before).
    pub days: i64,
    pub before: Share,
    pub after: Share,
    /// The two-proportion test's p-value for CSAT.
    pub p_value: Option<f64>,
    /// The difference is more than chance (p < 0.05).
    pub significant: bool,
    /// Complaints per submission before and after, percent.
    pub complaint_rate_before: Option<f64>,
    pub complaint_rate_after: Option<f64>,
    pub complaint_p_value: Option<f64>,
}

/// Plan–do–check: a change marked on a day, for a site and optionally one category.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mark {
    pub id: String,
    pub site_id: String,
    pub category: Option<String>,
    /// `YYYY-MM-DD` in the organisation's time zone.
    pub day: String,
    pub title: String,
    pub created_at: String,
}

/// `POST /api/v1/admin/sites/{id}/marks`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMark {
    #[serde(default)]
    pub category: Option<String>,
    pub day: String,
    pub title: String,
}

/// The answer of `GET /api/v1/admin/metrics`: the period's figures at the top, the
/// period before of the same length under `previous`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metrics {
    pub site: Option<String>,
    /// The first day counted and the day after the last, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// The same bounds as times (RFC 3339): the start of `from` and of `to` in
    /// `time_zone`, as the queue's `from` and `to` take them.
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    /// True while the figures are counted again after a change of time zone: until
    /// done they stay complete, by the days of `time_zone`, the zone before the change.
    pub recounting: bool,
    pub interval: Interval,
    #[serde(flatten)]
    pub current: Figures,
    pub previous: Figures,
    pub trend: Vec<TrendPoint>,
    pub backlog: Vec<BacklogAge>,
    pub phrases: Phrases,
    pub marks: Vec<MarkCheck>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_step_is_exact_below_an_hour_and_within_a_thirty_second_above() {
        for minutes in 0..64 {
            assert_eq!(duration_step(minutes), minutes);
        }
        assert_eq!(duration_step(-5), 0);
        assert_eq!(duration_step(65), 64);
        assert_eq!(duration_step(127), 126);
        assert_eq!(duration_step(1_000), 992);
        let mut steps = std::collections::BTreeSet::new();
        for minutes in 64..(1 << 17) {
            let step = duration_step(minutes);
            assert!(step <= minutes && (minutes - step) * 32 < minutes, "{minutes} → {step}");
            assert_eq!(duration_step(step), step, "a step is its own step");
            steps.insert(step);
        }
        // 32 steps in each of the 11 doublings from 64 to 2^17 (91 days).
        assert_eq!(steps.len(), 11 * 32);
    }

    #[test]
    fn wilson_matches_the_textbook_values() {
        // 7 of 10: 39.7–89.2 % (Wilson, z = 1.96).
        assert_eq!(wilson(7, 10), Some([39.7, 89.2]));
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(1, 1), Some([20.7, 100.0]));
    }

    #[test]
    fn a_small_sample_has_a_wide_interval_and_a_large_one_a_narrow_one() {
        let [lo7, hi7] = wilson(6, 7).unwrap();
        let [lo7000, hi7000] = wilson(6000, 7000).unwrap();
        assert!(hi7 - lo7 > 30.0 && hi7000 - lo7000 < 2.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1), (10, 1)];
        assert_eq!(percentile(&values, 50.0), Some(5));
        assert_eq!(percentile(&values, 90.0), Some(9));
        assert_eq!(percentile(&[(42, 1)], 90.0), Some(42));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn two_proportion_test_separates_chance_from_change() {
        // 50 % vs 60 % of 100 each: pooled z ≈ 1.42, p ≈ 0.155.
        let p = two_proportion_p(50, 100, 60, 100).unwrap();
        assert!((p - 0.1552).abs() < 0.001, "{p}");
        // The same shares over 2,000 each: p far below 0.05.
        assert!(two_proportion_p(1000, 2000, 1200, 2000).unwrap() < 0.001);
        assert_eq!(two_proportion_p(0, 0, 1, 2), None);
    }

    #[test]
    fn pareto_orders_largest_first_with_running_shares() {
        let counts = pareto(vec![("a".into(), 1), ("b".into(), 6), ("c".into(), 3), ("d".into(), 0)]);
        let keys: Vec<_> = counts.iter().map(|c| (c.key.as_str(), c.cumulative)).collect();
        assert_eq!(keys, [("b", 60.0), ("c", 90.0), ("a", 100.0)]);
    }

    #[test]
    fn a_mean_interval_needs_two_answers() {
        assert_eq!(mean_interval(1, 4, 16), None);
        // 2, 4: mean 3, sd √2, half = 1.96 · 1 = 1.96.
        assert_eq!(mean_interval(2, 6, 20), Some([1.04, 4.96]));
    }
}
