//! `/media/<hash>`: an archived image, as stored. Only blobs that an image row names are
//! served (never a raw capture), only with a kept image type read from the bytes when they
//! were fetched, never as HTML, under a CSP of its own that forbids everything and sandboxes
//! the answer should a browser open it as a document.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{AppError, AppState};

/// Where the web UI's pages point their archived images.
pub const PREFIX: &str = crate::media::MEDIA_PREFIX;

/// The policy an archived image is served under (the pages' policy would allow styles).
pub const MEDIA_CSP: &str = "default-src 'none'; sandbox";

/// GET `/media/{hash}`.
pub async fn image(
    State(state): State<Arc<AppState>>,
    Path(hash): Path<String>,
) -> Result<Response, AppError> {
    if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(AppError::NotFound(format!("no archived image {hash:?}")));
    }
    let key = hash.clone();
    let found = state.read(move |a| Ok(a.image_blob(&key)?)).await?;
    let Some((content_type, bytes)) = found else {
        return Err(AppError::NotFound(format!("no archived image {hash}")));
    };
    // Stored types were sniffed from the bytes; anything else is refused, not guessed at.
    if !crate::media::is_kept_type(&content_type) {
        return Err(AppError::NotFound(format!("no archived image {hash}")));
    }
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type).expect("a kept type is a valid header"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(MEDIA_CSP),
    );
    // The bytes never change under their hash.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{hash}\"")).expect("hex is a valid header"),
    );
    Ok(response)
}
