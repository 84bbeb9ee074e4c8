//! The public collector: what shoppers' browsers (and merchants' servers) call.

use crate::error::{ApiError, ErrorBody};
use crate::ratelimit::PeerAddr;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::model::Kind;
use hark_core::store::{Destination, Insert, Receipt, Site};
use hark_core::submission::{self, Rejection, SubmissionRequest};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The collector's CORS: browsers may call a site's endpoints only from that site's own
/// origins.
pub fn cors(state: &AppState) -> CorsLayer {
    let sites = state.sites.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(move |origin: HeaderValue, parts: &Parts| {
            let sites = sites.clone();
            let site_key = site_key_of(parts.uri.path()).map(str::to_owned);
            async move {
                let (Some(site_key), Ok(origin)) = (site_key, origin.to_str()) else { return false };
                matches!(sites.active(&site_key).await, Ok(Some(site)) if site.allows_origin(origin))
            }
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        // The widget waits as long as a 429 says before sending again.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

fn site_key_of(path: &str) -> Option<&str> {
    path.strip_prefix("/api/v1/sites/")?.split('/').next()
}

async fn active_site(state: &AppState, site_key: &str) -> Result<Arc<Site>, ApiError> {
    state.sites.active(site_key).await?.ok_or_else(ApiError::unknown_site)
}

/// Notes where the site's widget is in use ("Is it installed?" in the admin): the
/// browser's `Origin`, allowed or not; a page on Hark's own host (the demo shop) sends
/// none with its reads, and its `Referer`'s origin stands in. Only what has an origin's
/// shape is noted. Called for the widget's settings, which every panel asks for before
/// it can send anything, and not on the submission path: that stays as fast as before
/// (docs/PERFORMANCE.md).
fn note_sighting(state: &AppState, site: &Site, headers: &HeaderMap) {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let origin = text(header::ORIGIN).or_else(|| {
        let referer = text(header::REFERER)?;
        let host_at = referer.find("://")? + 3;
        Some(referer[host_at..].find('/').map_or(referer, |end| &referer[..host_at + end]))
    });
    if let Some(origin) = origin.filter(|o| o.len() <= 200 && (o.starts_with("https://") || o.starts_with("http://"))) {
        state.store.note_sighting(site, origin);
    }
}

/// A browser's `Origin` must be one of the site's; requests without one (a merchant's
/// own server) pass. This stops other websites, not scripts: see docs/API.md.
fn check_origin(site: &Site, headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(header::ORIGIN) {
        None => Ok(()),
        Some(origin) if origin.to_str().is_ok_and(|o| site.allows_origin(o)) => Ok(()),
        Some(_) => Err(ApiError::origin_not_allowed()),
    }
}

/// A site's public widget settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteConfig {
    site_key: String,
    name: String,
    enabled_kinds: Vec<Kind>,
    categories: Vec<String>,
    /// Whether a complaint must come with an email address.
    require_email: bool,
    default_locale: String,
    theme: Theme,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Theme {
    /// A CSS colour for the launcher and buttons; `null`: Hark's own.
    color: Option<String>,
}

/// The answer to a stored (or replayed) submission.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionReceipt {
    id: String,
    /// RFC 3339, UTC.
    received_at: String,
    /// The shopper's page for the status of and replies to this submission.
    track_url: String,
}

#[utoipa::path(
    get, path = "/api/v1/sites/{site_key}/config", tag = "collector",
    params(("site_key" = String, Path, description = "The site's public key")),
    responses(
        (status = 200, description = "The site's widget settings (`Cache-Control`, `ETag`)", body = SiteConfig),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 404, description = "`unknown_site`", body = ErrorBody),
    )
)]
pub async fn site_config(
    State(state): State<AppState>,
    Path(site_key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let site = active_site(&state, &site_key).await?;
    note_sighting(&state, &site, &headers);
    let body = serde_json::to_string(&SiteConfig {
        site_key: site.site_key.clone(),
        name: site.name.clone(),
        enabled_kinds: site.enabled_kinds.clone(),
        categories: site.categories.clone(),
        require_email: site.require_email,
        default_locale: "en".into(),
        theme: Theme { color: site.theme_color.clone() },
    })
    .expect("plain data serializes");
    let etag = format!("\"{}\"", &hark_core::auth::token_digest(&body)[..16]);
    let cache = [(header::CACHE_CONTROL, "public, max-age=60".to_owned()), (header::ETAG, etag.clone())];
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn receipt_body(state: &AppState, receipt: &Receipt) -> SubmissionReceipt {
    SubmissionReceipt {
        id: receipt.id.clone(),
        received_at: receipt.received_at.clone(),
        track_url: format!("{}/track/{}", state.config.public_url, receipt.track_token),
    }
}

#[utoipa::path(
    post, path = "/api/v1/sites/{site_key}/submissions", tag = "collector",
    params(("site_key" = String, Path, description = "The site's public key")),
    request_body(content = SubmissionRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored durably", body = SubmissionReceipt),
        (status = 200, description = "The same id with the same content again: the first answer", body = SubmissionReceipt),
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`", body = ErrorBody),
        (status = 404, description = "`unknown_site`", body = ErrorBody),
        (status = 408, description = "`timeout`", body = ErrorBody),
        (status = 409, description = "`conflict`: the same id with other content", body = ErrorBody),
        (status = 413, description = "`too_large`: over 64 KiB", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation`: `fields` says which rules broke", body = ErrorBody),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: the database is briefly out of reach; nothing was stored, send the same request again (`Retry-After`)", body = ErrorBody),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    Path(site_key): Path<String>,
    peer: PeerAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // Everything the headers decide comes before the body is read. The site first: no
    // limiter state is kept for a key that names no site; the limiter last, so it counts
    // only requests that would be stored.
    let site = active_site(&state, &site_key).await?;
    check_origin(&site, &headers)?;
    if !crate::body::is_type(&headers, "application/json") {
        return Err(ApiError::unsupported_media_type("application/json"));
    }
    let encoding = crate::body::check(&headers)?;
    state.limiter.check(&site.site_key, peer, &headers).map_err(ApiError::rate_limited)?;
    let body = crate::body::read(body, encoding).await?;
    let submission = submission::parse(&body, &site).map_err(|rejection| match rejection {
        Rejection::Malformed(message) => ApiError::bad_json(message),
        Rejection::Invalid(fields) => ApiError::validation(fields),
    })?;
    let (kind, spam) = (submission.kind, submission.spam);
    match state.writer.insert(Destination::from(&*site), submission).await? {
        Insert::Created(receipt) => {
            crate::telemetry_metrics::submission(kind.as_str(), if spam { "spam" } else { "created" });
            tracing::debug!(id = %receipt.id, %kind, site = %site.site_key, "submission stored");
            Ok((StatusCode::CREATED, Json(receipt_body(&state, &receipt))).into_response())
        }
        Insert::Replayed(receipt) => {
            crate::telemetry_metrics::submission(kind.as_str(), "replayed");
            Ok((StatusCode::OK, Json(receipt_body(&state, &receipt))).into_response())
        }
        Insert::Conflict => {
            crate::telemetry_metrics::submission(kind.as_str(), "conflict");
            Err(ApiError::conflict("a submission with this id and other content exists"))
        }
    }
}
