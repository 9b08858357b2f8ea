//! Full-text search over the archive, whichever backend holds it: what a search asks and
//! returns, and the part of a search that is the same for both (ranking the backend's
//! candidates, one result per article, snippets). The tokens and snippets themselves are
//! [`crate::search`]'s; the index is each backend's (`sqlite/search.rs`, `postgres/search.rs`).
//!
//! Two indexes are kept, in the transaction that writes each version: one row per article
//! (its latest version with a document, so a removed article stays findable by its last good
//! text) and one row per version with a document (the all-versions search, which finds a
//! sentence edited out). A backend ranks at most [`CANDIDATES`] matches, the newest: a word
//! that is in every article must not cost a ranking of the whole archive.

use crate::search::{Marked, Query, SNIPPET_CHARS, body_text, highlight, snippet, token_text};

use super::sqlite::hash_hex;
use super::store::Archive;
use super::{ArchiveError, ArticleStatus, VersionKind};

/// The newest matches a backend ranks, at most (see the module comment).
pub const CANDIDATES: usize = 1_000;

/// What is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchScope {
    /// Each article's latest version with a document.
    #[default]
    Latest,
    /// Every version with a document; an article is shown by its best matching version.
    AllVersions,
}

/// A match as the index gives it: the article, the version (for [`SearchScope::AllVersions`];
/// `None`: the article's latest version with a document), and the backend's rank, higher
/// better (comparable within one search only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCandidate {
    pub article_id: i64,
    pub version_id: Option<i64>,
    pub score: f64,
}

/// A matched version and its article, as a result shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundVersion {
    pub article_id: i64,
    pub canonical_url: String,
    pub site: String,
    pub site_article_id: String,
    pub lang: String,
    pub status: ArticleStatus,
    pub latest_seq: u32,
    pub seq: u32,
    pub kind: VersionKind,
    pub fetched_at: String,
    pub title: String,
    pub published: String,
    /// The version's document, verified against its content hash.
    pub document: String,
}

/// Which results of a search to return.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchOptions<'a> {
    pub site: Option<&'a str>,
    pub scope: SearchScope,
    /// Results skipped (the pages before).
    pub offset: usize,
    pub limit: usize,
}

/// One result: the version, its rank, its title with the matches marked and a snippet of
/// its body.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub found: FoundVersion,
    pub score: f64,
    pub title: Marked,
    pub snippet: Marked,
}

/// A page of results, best first, and whether more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub results: Vec<SearchResult>,
    pub more: bool,
}

/// A version's search tokens, made before its write from the title and the document it is
/// stored with. Tokenizing is CPU work: done by the caller's thread, it leaves the one thread
/// holding the archive's write lock only the inserting (it was a third of that thread's time).
/// A backend uses it only for the title and document it was made from (the document checked
/// by its content hash), and tokenizes again otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// The blake3 hex of the document, as in `versions.content_hash`.
    content_hash: String,
    source_title: String,
    title: String,
    body: String,
}

impl SearchText {
    /// The tokens of `title` and of `document`'s searched text ([`body_text`]).
    pub fn new(title: &str, document: &str) -> SearchText {
        SearchText::with_hash(title, document, hash_hex(document.as_bytes()))
    }

    /// [`SearchText::new`] for a document whose content hash is known.
    pub(crate) fn with_hash(title: &str, document: &str, content_hash: String) -> SearchText {
        SearchText {
            content_hash,
            source_title: title.to_owned(),
            title: token_text(title),
            body: token_text(&body_text(document)),
        }
    }

    /// Whether these are the tokens of this title and document (known by its content hash).
    pub(crate) fn is_of(&self, title: &str, content_hash: &str) -> bool {
        self.source_title == title && self.content_hash == content_hash
    }

    /// The title's tokens, space-separated ([`token_text`]).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The body's tokens, space-separated.
    pub fn body(&self) -> &str {
        &self.body
    }
}

/// What a rebuild indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexCounts {
    pub articles: u64,
    pub versions: u64,
}

/// Ranks candidates best first (ties: the newer article, then the newer version) and keeps
/// each article's best one.
pub fn rank(mut candidates: Vec<SearchCandidate>) -> Vec<SearchCandidate> {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.article_id.cmp(&a.article_id))
            .then(b.version_id.cmp(&a.version_id))
    });
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|c| seen.insert(c.article_id));
    candidates
}

impl Archive {
    /// Searches the archive (see the module comment): a page of results, best first.
    pub fn search(
        &self,
        query: &Query,
        options: &SearchOptions<'_>,
    ) -> Result<SearchResults, ArchiveError> {
        let candidates = self.search_candidates(query, options.scope, options.site, CANDIDATES)?;
        let ranked = rank(candidates);
        let more = ranked.len() > options.offset.saturating_add(options.limit);
        let mut results = Vec::new();
        for candidate in ranked.iter().skip(options.offset).take(options.limit) {
            let Some(found) = self.found_version(candidate)? else {
                continue;
            };
            results.push(SearchResult {
                title: highlight(&found.title, query),
                snippet: snippet(&body_text(&found.document), query, SNIPPET_CHARS),
                score: candidate.score,
                found,
            });
        }
        Ok(SearchResults { results, more })
    }
}
