//! `GET /api/v1/admin/export.csv`: the filtered queue as a spreadsheet. Streamed a page
//! at a time (a million rows never sit in memory), UTF-8 with a byte order mark so Excel
//! reads Chinese correctly, and every cell that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) written as text.

use crate::admin::Staff;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hark_core::model::{QueueItem, QueueParams};
use hark_core::store::QueueFilter;

/// Rows encoded at a time.
const PAGE: usize = 2_000;

const HEADER: [&str; 20] = [
    "id",
    "received_at",
    "site",
    "kind",
    "status",
    "priority",
    "rating",
    "category",
    "stage",
    "message",
    "email",
    "name",
    "order_ref",
    "customer_tier",
    "assignee",
    "tags",
    "first_response_due",
    "resolution_due",
    "first_response_at",
    "resolved_at",
];

/// A cell a spreadsheet will show as text, never evaluate.
pub(crate) fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn record(item: &QueueItem) -> [String; 20] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        item.id.clone(),
        item.received_at.clone(),
        item.site_name.clone(),
        item.kind.to_string(),
        item.status.to_string(),
        item.priority.to_string(),
        item.rating.map(|r| r.to_string()).unwrap_or_default(),
        text(&item.category),
        item.stage.map(|s| s.to_string()).unwrap_or_default(),
        text(&item.message),
        text(&item.email),
        text(&item.name),
        text(&item.order_ref),
        text(&item.customer_tier),
        item.assignee.as_ref().map(|a| a.email.clone()).unwrap_or_default(),
        item.tags.join(", "),
        text(&item.first_response_due),
        text(&item.resolution_due),
        text(&item.first_response_at),
        text(&item.resolved_at),
    ]
}

/// Writes `rows` as CSV lines.
fn lines(rows: &[QueueItem], with_header: bool) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(rows.len() * 160 + 256);
    if with_header {
        buffer.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut out = csv::WriterBuilder::new().from_writer(buffer);
    if with_header {
        out.write_record(HEADER).expect("writing to memory");
    }
    for item in rows {
        out.write_record(record(item).iter().map(|c| cell(c).into_owned())).expect("writing to memory");
    }
    out.into_inner().expect("writing to memory")
}

#[utoipa::path(
    get, path = "/api/v1/admin/export.csv", tag = "admin",
    description = "The filtered queue (the list's filters; `limit` and `cursor` aside) as CSV: status by status (new, open, pending, resolved, spam), newest first within each (a search of at most 2,000 matches: newest first), or in due order. UTF-8 with a byte order mark, formulas neutralised.",
    responses(
        (status = 200, description = "text/csv, streamed", content_type = "text/csv"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn export_csv(
    State(state): State<AppState>,
    Staff(staff): Staff,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_json(e.body_text()))?;
    let params = QueueParams { limit: None, cursor: None, ..params };
    let filter = QueueFilter::parse(&params, &staff.user_id)?;
    let (sender, mut pages) = tokio::sync::mpsc::channel(4);
    let store = state.store.clone();
    tokio::spawn(async move { store.export(&staff.org_id, &filter, PAGE, sender).await });
    // The first page is read before answering, so a failure is an error status, not a
    // cut-off file.
    let first = match pages.recv().await {
        Some(Ok(rows)) => rows,
        Some(Err(err)) => return Err(err.into()),
        None => vec![],
    };
    let head = futures_util::stream::once(async move { Ok(lines(&first, true)) });
    let rest = futures_util::stream::unfold(pages, |mut pages| async move {
        let chunk = match pages.recv().await? {
            Ok(rows) => Ok(lines(&rows, false)),
            Err(err) => {
                tracing::warn!(error = %err, "export stopped");
                Err(std::io::Error::other("export stopped"))
            }
        };
        Some((chunk, pages))
    });
    let stream = futures_util::StreamExt::chain(head, rest);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"hark-submissions.csv\""),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_written_as_text() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(cell("快递太慢了"), "快递太慢了");
        assert_eq!(cell("a=b"), "a=b");
    }
}
