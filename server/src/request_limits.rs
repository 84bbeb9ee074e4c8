//! A request line or header block over Hark's limits is answered here, in the contract's
//! error shape (414, 431), well inside hyper's own limits, whose answers have no body.
//! A layer of its own rather than `middleware::from_fn` (which boxes every request's
//! future): it runs on every submission.

use crate::error::ApiError;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use std::future::{ready, Ready};
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// The path and query; far more than any of Hark's URLs needs.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Every header's name and value together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

#[derive(Clone, Copy, Debug, Default)]
pub struct RequestLimitsLayer;

impl<S> Layer<S> for RequestLimitsLayer {
    type Service = RequestLimits<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLimits { inner }
    }
}

#[derive(Clone, Debug)]
pub struct RequestLimits<S> {
    inner: S,
}

/// Why `request` is refused before it is routed, if it is.
fn refusal(request: &Request) -> Option<ApiError> {
    let uri = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some(ApiError::uri_too_long(MAX_URI_BYTES));
    }
    let headers: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    (headers > MAX_HEADER_BYTES).then(|| ApiError::headers_too_large(MAX_HEADER_BYTES))
}

impl<S> Service<Request> for RequestLimits<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match refusal(&request) {
            Some(error) => Either::Left(ready(Ok(error.into_response()))),
            None => Either::Right(self.inner.call(request)),
        }
    }
}
