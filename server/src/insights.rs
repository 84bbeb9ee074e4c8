//! The insights' API: `GET /api/v1/admin/metrics` (API.md "Metrics, defined"), the same
//! figures as CSV, and the plan–do–check marks (`/api/v1/admin/marks`; owners write).

use crate::admin::{Owner, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::export::cell;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::metrics::{Mark, Metrics, MetricsParams, NewMark};
use serde::Deserialize;

/// The query of the metrics and their CSV.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MetricsQuery {
    /// A site's id; every site of the organisation when absent.
    site: Option<String>,
    /// The first day counted: `YYYY-MM-DD`, or an RFC 3339 time at the start of a day in the organisation's time zone. Default: 30 days before `to`.
    from: Option<String>,
    /// The day after the last one counted. Default: tomorrow.
    to: Option<String>,
    /// The trend's points: `day` or `week` (default: `day` up to 92 days, else `week`).
    interval: Option<String>,
}

impl MetricsQuery {
    fn params(query: Result<Query<MetricsQuery>, QueryRejection>) -> Result<MetricsParams, ApiError> {
        let Query(query) = query.map_err(|e| ApiError::bad_json(e.body_text()))?;
        let interval = match query.interval.as_deref() {
            None | Some("") => None,
            Some("day") => Some(hark_core::metrics::Interval::Day),
            Some("week") => Some(hark_core::metrics::Interval::Week),
            Some(_) => return Err(hark_core::Error::field("interval", "must be day or week").into()),
        };
        let blank = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Ok(MetricsParams { site: blank(query.site), from: blank(query.from), to: blank(query.to), interval })
    }
}

#[utoipa::path(
    get, path = "/api/v1/admin/metrics", tag = "admin",
    params(MetricsQuery),
    responses(
        (status = 200, description = "The period's figures, the period before's under `previous`, the trend, open promises by age, phrases and the marks' checks", body = Metrics),
        (status = 400, description = "`bad_json`: an unknown parameter", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such site in this organisation", body = ErrorBody),
        (status = 422, description = "`validation`: a day that is not one, `from` not before `to`, a period over 1,100 days", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn metrics(
    State(state): State<AppState>,
    Staff(staff): Staff,
    query: Result<Query<MetricsQuery>, QueryRejection>,
) -> Result<Json<Metrics>, ApiError> {
    let params = MetricsQuery::params(query)?;
    Ok(Json(state.store.metrics(&staff.org_id, &params).await?))
}

#[utoipa::path(
    get, path = "/api/v1/admin/metrics.csv", tag = "admin",
    params(MetricsQuery),
    responses(
        (status = 200, description = "The same figures as CSV: one line per figure (`section, key, period, value`), UTF-8 with a byte order mark", content_type = "text/csv"),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn metrics_csv(
    State(state): State<AppState>,
    Staff(staff): Staff,
    query: Result<Query<MetricsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = MetricsQuery::params(query)?;
    let metrics = state.store.metrics(&staff.org_id, &params).await?;
    let body = csv(&metrics).map_err(|e| ApiError::internal(e.to_string()))?;
    let name = format!("hark-insights-{}-{}.csv", metrics.from, metrics.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(
    get, path = "/api/v1/admin/sites/{id}/marks", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The site's marks, latest day first", body = Vec<Mark>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such site in this organisation", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_marks(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(site): Path<String>,
) -> Result<Json<Vec<Mark>>, ApiError> {
    state.store.site(&staff.org_id, &site).await?;
    Ok(Json(state.store.marks(&staff.org_id, Some(&site)).await?))
}

#[utoipa::path(
    post, path = "/api/v1/admin/sites/{id}/marks", tag = "admin",
    params(("id" = String, Path)),
    request_body = NewMark,
    responses(
        (status = 201, description = "Marked: the trend shows it and the figures before and after it are compared", body = Mark),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 404, description = "`not_found`: no such site in this organisation", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation`: a title of 1 to 200 characters, a date and, if given, one of the site's categories", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create_mark(
    State(state): State<AppState>,
    Owner(owner): Owner,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<NewMark>,
) -> Result<(StatusCode, Json<Mark>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.store.add_mark(&owner.org_id, &site, &owner.user_id, &body).await?)))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/sites/{id}/marks/{mark_id}", tag = "admin",
    params(("id" = String, Path), ("mark_id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 404, description = "`not_found`: no such mark of this organisation's site", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn delete_mark(
    State(state): State<AppState>,
    Owner(owner): Owner,
    Path((site, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_mark(&owner.org_id, &site, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The figures as CSV lines of `section, key, period, value`: every figure the page
/// shows, the trend's points and the marks' checks.
fn csv(m: &Metrics) -> Result<Vec<u8>, csv::Error> {
    use hark_core::metrics::Figures;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(["section", "key", "period", "value"])?;
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let whole = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let span = format!("{}..{}", m.from, m.to);
    for (period, f) in [(span.as_str(), &m.current), ("previous", &m.previous)] {
        let f: &Figures = f;
        let mut row = |section: &str, key: &str, value: String| out.write_record([section, key, period, &value]);
        row("submissions", "", f.submissions.to_string())?;
        row("csat", "score", number(f.csat.score))?;
        row("csat", "responses", f.csat.responses.to_string())?;
        row("csat", "average", number(f.csat.average))?;
        row("csat", "ci95_low", number(f.csat.ci95.map(|c| c[0])))?;
        row("csat", "ci95_high", number(f.csat.ci95.map(|c| c[1])))?;
        for (rating, n) in f.csat.distribution.iter().enumerate() {
            row("csat_rating", &(rating + 1).to_string(), n.to_string())?;
        }
        for share in &f.csat.by_stage {
            row("csat_by_stage", &share.key, number(share.score))?;
        }
        for share in &f.csat.by_category {
            row("csat_by_category", &share.key, number(share.score))?;
        }
        for d in &f.dimensions {
            row("dimension", d.dimension.as_str(), number(d.average))?;
        }
        row("complaints", "count", f.complaints.count.to_string())?;
        row("complaints", "rate", number(f.complaints.rate))?;
        row("complaints", "resolution_rate", number(f.complaints.resolution_rate))?;
        for c in &f.complaints.by_category {
            row("complaints_by_category", &c.key, c.count.to_string())?;
        }
        for c in &f.complaints.by_stage {
            row("complaints_by_stage", &c.key, c.count.to_string())?;
        }
        row("first_response_minutes", "p50", whole(f.first_response.p50))?;
        row("first_response_minutes", "p90", whole(f.first_response.p90))?;
        row("resolution_minutes", "p50", whole(f.resolution_time.p50))?;
        row("resolution_minutes", "p90", whole(f.resolution_time.p90))?;
        row("sla", "first_response_met", number(f.sla.all.first_response_met))?;
        row("sla", "resolution_met", number(f.sla.all.resolution_met))?;
        row("sla_key", "first_response_met", number(f.sla.key.first_response_met))?;
        row("sla_key", "resolution_met", number(f.sla.key.resolution_met))?;
        row("iceberg", "silent", f.iceberg.silent.to_string())?;
        row("iceberg", "per_complaint", number(f.iceberg.per_complaint))?;
        row("recovery", "rate", number(f.recovery.rate))?;
        row("recovery", "responses", f.recovery.responses.to_string())?;
        for a in &f.agents {
            row("agent_assigned", &cell(&a.email), a.assigned.to_string())?;
            row("agent_resolved", &cell(&a.email), a.resolved.to_string())?;
        }
    }
    for p in &m.trend {
        out.write_record(["trend_submissions", &p.start, &span, &p.submissions.to_string()])?;
        out.write_record(["trend_complaints", &p.start, &span, &p.complaints.to_string()])?;
        out.write_record(["trend_csat", &p.start, &span, &number(p.csat.score)])?;
    }
    for b in &m.backlog {
        out.write_record(["backlog", &b.age, "now", &b.count.to_string()])?;
    }
    for p in &m.phrases.top {
        out.write_record(["phrase", &cell(&p.phrase), &span, &p.count.to_string()])?;
    }
    for c in &m.marks {
        out.write_record(["mark_csat_before", &cell(&c.mark.title), &c.mark.day, &number(c.before.score)])?;
        out.write_record(["mark_csat_after", &cell(&c.mark.title), &c.mark.day, &number(c.after.score)])?;
        out.write_record(["mark_p_value", &cell(&c.mark.title), &c.mark.day, &number(c.p_value)])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
