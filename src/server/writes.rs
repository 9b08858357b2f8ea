//! The writing actions, shared by the web forms and the JSON API: who may write (the
//! configured token), what may be archived (the fetcher's target policy) and the pipeline
//! calls. (How many writes a client may make is [`super::security::limit_writes`].)

use std::sync::Arc;

use axum::http::HeaderMap;

use super::security::{TokenCheck, check_token};
use super::{AppError, AppState};
use crate::pipeline::Outcome;

/// Refuses a request without the configured token: `Unauthorized` when it brought none,
/// `Forbidden` when it brought a wrong one or writing is disabled.
pub(super) fn authorize(
    state: &AppState,
    token: Option<&str>,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    match check_token(&state.config.server.token, token, headers) {
        TokenCheck::Valid => Ok(()),
        TokenCheck::Missing => Err(AppError::Unauthorized(
            "a token is required: send Authorization: Bearer <token>".into(),
        )),
        TokenCheck::Wrong | TokenCheck::Disabled => Err(forbidden(state)),
    }
}

/// Why a write without a valid token is refused.
pub(super) fn forbidden(state: &AppState) -> AppError {
    if state.config.server.token.is_empty() {
        AppError::Forbidden("writing from the web is disabled: set [server] token".into())
    } else {
        AppError::Forbidden("a valid token is required".into())
    }
}

/// Archives `url` through the pipeline; a URL the target policy refuses (a private or local
/// address, a scheme other than http(s)) is a bad request.
pub(super) async fn archive_url(state: &Arc<AppState>, url: &str) -> Result<Outcome, AppError> {
    // The fetcher applies the target policy again on every redirect hop and resolved
    // address; refusing here gives a clear answer for what can be told up front.
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| AppError::BadRequest(format!("refused to archive {url}: not a URL ({e})")))?;
    if let Err(e) = state.pipeline.fetcher().check_target(&parsed) {
        return Err(AppError::BadRequest(format!(
            "refused to archive {url}: {e}"
        )));
    }
    Ok(state.pipeline.archive_url(url).await)
}

/// Re-checks the archived article with this canonical URL now.
pub(super) async fn check_article(
    state: &Arc<AppState>,
    article: &str,
) -> Result<Outcome, AppError> {
    let url = article.to_owned();
    let known = state.read(move |a| Ok(a.article(&url)?.is_some())).await?;
    if !known {
        return Err(AppError::NotFound(format!("{article} is not archived")));
    }
    let outcomes = state
        .pipeline
        .check_urls(vec![article.to_owned()], |_| {})
        .await;
    outcomes
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("the check did not run".into()))
}
