//! The one error shape of the HTTP contract:
//! `{"error": {"code", "message", "fields"?}}`. Internal causes are logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::FieldErrors;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Option<FieldErrors>,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), fields: None, retry_after: None }
    }

    pub fn bad_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_json", message)
    }

    pub fn validation(fields: FieldErrors) -> Self {
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "some fields are invalid");
        error.fields = Some(fields);
        error
    }

    pub fn unknown_site() -> Self {
        Self::new(StatusCode::NOT_FOUND, "unknown_site", "no such site, or it is disabled")
    }

    pub fn origin_not_allowed() -> Self {
        Self::new(StatusCode::FORBIDDEN, "origin_not_allowed", "this origin may not post to this site")
    }

    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is over 64 KiB")
    }

    /// A body of another type than `expected` (`application/json`).
    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(StatusCode::URI_TOO_LONG, "too_large", format!("the URL is over {limit} bytes"))
    }

    pub fn headers_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too_large",
            format!("the request's headers are over {limit} bytes"),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path does not take that method")
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send Content-Type: {expected}"),
        )
    }

    pub fn unsupported_encoding() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as it is, or with Content-Encoding gzip or br",
        )
    }

    /// Too many requests; the client may try again after `wait` (rounded up to seconds).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let mut error =
            Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many submissions; try again later");
        error.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        error
    }

    pub fn timeout() -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "timeout", "the request took too long; send it again")
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in or send a valid bearer token")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The storage is briefly out of reach: nothing was stored, and the same request
    /// (same id) can be sent again shortly; clients that retry on 5xx do.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(%cause, "storage unavailable");
        let mut error =
            Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "briefly unavailable; send it again shortly");
        error.retry_after = Some(1);
        error
    }

    /// Too many password checks under way: nothing was decided, ask again shortly.
    pub fn busy() -> Self {
        let mut error = Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "too busy; try again in a moment");
        error.retry_after = Some(1);
        error
    }

    /// Too many failed sign-ins: the next try is in `seconds`.
    pub fn throttled(seconds: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed sign-ins for this account or from this address; try again later",
        );
        error.retry_after = Some(seconds);
        error
    }

    /// Logs `cause` and answers with a message that reveals nothing of it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
    }
}

impl From<hark_core::Error> for ApiError {
    fn from(err: hark_core::Error) -> Self {
        use hark_core::Error;
        match err {
            Error::NotFound => ApiError::not_found("not found"),
            Error::Conflict(message) => ApiError::conflict(message),
            Error::BadCredentials => ApiError::unauthorized(),
            Error::Validation(fields) => ApiError::validation(fields),
            Error::Busy => ApiError::busy(),
            Error::Throttled(seconds) => ApiError::throttled(seconds),
            transient if transient.is_transient() => ApiError::unavailable(transient),
            other => ApiError::internal(other),
        }
    }
}

/// The one error shape: `{"error": {"code", "message", "fields"?}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// One of `bad_json`, `validation`, `unknown_site`, `origin_not_allowed`, `too_large`,
    /// `unsupported_media_type`, `rate_limited`, `conflict`, `unauthorized`, `forbidden`,
    /// `not_found`, `method_not_allowed`, `timeout`, `unavailable`, `internal`.
    code: &'static str,
    message: String,
    /// For `validation`: the broken rules, by field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<FieldErrors>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::telemetry_metrics::rejection(self.code);
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message, fields: self.fields } };
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// A panic in a handler is a bug: log it, answer in the contract's shape.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(err: hark_core::Error) -> Response {
        ApiError::from(err).into_response()
    }

    #[test]
    fn a_busy_or_unreachable_database_is_503_with_retry_after_and_a_bug_is_500() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        for transient in [
            hark_core::Error::from(busy),
            hark_core::Error::Database(sqlx::Error::PoolTimedOut),
            hark_core::Error::Database(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into())),
        ] {
            let response = answer(transient);
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        }
        let bug = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
            Some("CHECK constraint failed".into()),
        );
        for permanent in [hark_core::Error::from(bug), hark_core::Error::Database(sqlx::Error::RowNotFound)] {
            assert_eq!(answer(permanent).status(), StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
}
