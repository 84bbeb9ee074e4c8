//! Public request bodies, read last: a handler first decides everything the headers
//! allow (unknown site, wrong type, rate limit, a declared size over the limit), so such
//! a request is answered at once instead of waiting on a body it will not use. Then the
//! body is read within the limit and decoded when the client compressed it.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::io::Read;

/// Bodies over this, as sent or once decoded, are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How the client encoded the body (`Content-Encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

/// Whether the body is declared as `mime` (parameters such as `charset` aside).
pub fn is_type(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|declared| declared.trim().eq_ignore_ascii_case(mime))
}

/// What the headers already say about the body: its encoding, or 415 for one Hark does
/// not decode, or 413 when `Content-Length` is over the limit.
pub fn check(headers: &HeaderMap) -> Result<Encoding, ApiError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let encoding = match headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().map(str::trim)) {
        None => Encoding::Identity,
        Some(Ok(name)) if name.eq_ignore_ascii_case("identity") => Encoding::Identity,
        Some(Ok(name)) if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") => Encoding::Gzip,
        Some(Ok(name)) if name.eq_ignore_ascii_case("br") => Encoding::Brotli,
        Some(_) => return Err(ApiError::unsupported_encoding()),
    };
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::too_large());
    }
    Ok(encoding)
}

/// Reads the body (at most `MAX_BODY_BYTES` as sent) and decodes it (at most
/// `MAX_BODY_BYTES` decoded, so a small compressed bomb is refused too).
pub async fn read(body: Body, encoding: Encoding) -> Result<Bytes, ApiError> {
    let sent = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => return Err(ApiError::too_large()),
        Err(err) => return Err(ApiError::bad_json(format!("the body could not be read: {err}"))),
    };
    let decoder: Box<dyn Read + '_> = match encoding {
        Encoding::Identity => return Ok(sent),
        Encoding::Gzip => Box::new(flate2::read::GzDecoder::new(&sent[..])),
        Encoding::Brotli => Box::new(brotli_decompressor::Decompressor::new(&sent[..], 4096)),
    };
    let mut decoded = Vec::new();
    decoder
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|err| ApiError::bad_json(format!("the body does not decode as its Content-Encoding says: {err}")))?;
    if decoded.len() > MAX_BODY_BYTES {
        return Err(ApiError::too_large());
    }
    Ok(decoded.into())
}
