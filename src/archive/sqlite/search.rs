//! The SQLite search index (`013_search.sql`, `017_one_search_table.sql`): one FTS5 table,
//! `search_versions`, over the tokens of [`crate::search`], stored space-separated and read back
//! by FTS5's `ascii` tokenizer, which splits exactly there (our tokens hold no ASCII
//! punctuation), so FTS5 indexes our tokens and nothing else. The table is contentless (the
//! text is in `versions`; snippets are cut from it) with `contentless_delete`, so a row can be
//! replaced. It has one row per version with a document (rowid: the version's id); a search of
//! the latest texts keeps the matches that are their article's latest version with a document.
//! (A second table of the latest text per article cost every new article a second FTS5 write:
//! without it, `archive` ran 11% faster and the daemon 14%; the price of one table is that `bm25` weighs a word's rarity
//! over all versions, not only the latest ones.) Columns: `title`, `body`; ranking is `bm25`
//! with a title hit worth five body hits. No trigger counts the table as a change: the version
//! written in the same transaction already moved the change counter.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::{ArchiveError, SqliteArchive, verify_document};
use crate::archive::search::{FoundVersion, IndexCounts, SearchCandidate, SearchScope, SearchText};
use crate::archive::store::Search;
use crate::search::{Query, body_text, token_text};

/// The FTS5 query of a parsed query: each term a quoted phrase (a lone CJK character a prefix
/// phrase), all required. Tokens never hold `"`, so nothing typed can reach FTS5's syntax.
pub(crate) fn fts_query(query: &Query) -> String {
    query
        .terms
        .iter()
        .map(|term| {
            let phrase = format!("\"{}\"", term.tokens.join(" "));
            if term.prefix {
                format!("{phrase} *")
            } else {
                phrase
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A version written and waiting to be indexed, with its tokens.
#[derive(Debug)]
pub(crate) struct PendingVersion {
    pub(crate) version_id: i64,
    pub(crate) text: SearchText,
}

/// Indexes version `seq` of an article just written (inserted, or its document replaced), in
/// the caller's transaction. A removal tombstone has no row: the article keeps its last good
/// text. The version is read back and tokenized here; writers that have its
/// tokens at hand use [`index_pending`].
pub(crate) fn index_version(
    conn: &Connection,
    article_id: i64,
    seq: u32,
) -> Result<(), ArchiveError> {
    let row: Option<(i64, String, String, String, String)> = conn
        .prepare_cached(
            "SELECT id, kind, title, document, content_hash FROM versions
             WHERE article_id = ?1 AND seq = ?2",
        )?
        .query_row(params![article_id, seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((version_id, kind, title, document, hash)) = row else {
        return Ok(());
    };
    if kind == "removed" {
        return Ok(());
    }
    let text = SearchText::with_hash(&title, &document, hash);
    index_pending(conn, &[PendingVersion { version_id, text }])
}

/// [`index_version`] for versions whose tokens are made, in one statement. FTS5 writes its
/// pending rows out as a new segment at every statement that opens a savepoint in a
/// transaction, which every write to a virtual table does: rows inserted one statement each
/// cost a segment each, and the merges that follow.
pub(crate) fn index_pending(
    conn: &Connection,
    versions: &[PendingVersion],
) -> Result<(), ArchiveError> {
    let rows: Vec<(i64, &str, &str)> = versions
        .iter()
        .map(|v| (v.version_id, v.text.title(), v.text.body()))
        .collect();
    insert_rows(conn, &rows)
}

/// Inserts (or replaces) `rows` (rowid, title tokens, body tokens) in one statement of as
/// many rows (a statement per 256 beyond); the usual sizes (a group's few) stay prepared.
fn insert_rows(conn: &Connection, rows: &[(i64, &str, &str)]) -> Result<(), ArchiveError> {
    /// Statements of up to this many rows are kept prepared.
    const CACHED_ROWS: usize = 8;
    /// Rows per statement at most (well within SQLite's limit on bound parameters).
    const MOST_ROWS: usize = 256;
    if rows.len() > MOST_ROWS {
        return rows
            .chunks(MOST_ROWS)
            .try_for_each(|chunk| insert_rows(conn, chunk));
    }
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT OR REPLACE INTO search_versions (rowid, title, body) VALUES {}",
        vec!["(?, ?, ?)"; rows.len()].join(", ")
    );
    let values = rows.iter().flat_map(|&(id, title, body)| {
        [
            rusqlite::types::ToSqlOutput::from(id),
            rusqlite::types::ToSqlOutput::from(title),
            rusqlite::types::ToSqlOutput::from(body),
        ]
    });
    let params = rusqlite::params_from_iter(values);
    if rows.len() <= CACHED_ROWS {
        conn.prepare_cached(&sql)?.execute(params)?;
    } else {
        conn.prepare(&sql)?.execute(params)?;
    }
    Ok(())
}

/// Versions written in an open group of units whose index rows wait for the group's commit,
/// so that the whole group costs one FTS5 segment (see [`index_pending`]).
#[derive(Debug, Default)]
pub(crate) struct IndexBacklog {
    /// A group is open: versions wait here instead of being indexed at once.
    open: bool,
    versions: Vec<PendingVersion>,
    /// Where the open unit's versions start (dropped if the unit is rolled back).
    unit_start: usize,
}

impl IndexBacklog {
    pub(crate) fn open_group(&mut self) {
        *self = IndexBacklog {
            open: true,
            ..IndexBacklog::default()
        };
    }

    /// Ends the group, handing back what it wrote.
    pub(crate) fn close_group(&mut self) -> Vec<PendingVersion> {
        std::mem::take(self).versions
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    pub(crate) fn begin_unit(&mut self) {
        self.unit_start = self.versions.len();
    }

    pub(crate) fn roll_back_unit(&mut self) {
        self.versions.truncate(self.unit_start);
    }

    pub(crate) fn push(&mut self, version: PendingVersion) {
        self.versions.push(version);
    }
}

/// Rows read per page while rebuilding.
const REBUILD_PAGE: i64 = 1_000;

/// Builds the index from scratch, in the caller's transaction.
pub(crate) fn rebuild(conn: &Connection) -> Result<IndexCounts, ArchiveError> {
    conn.execute(
        "INSERT INTO search_versions (search_versions) VALUES ('delete-all')",
        [],
    )?;
    let versions = fill(conn)?;
    let articles: i64 = conn.query_row(
        "SELECT count(DISTINCT article_id) FROM versions WHERE kind <> 'removed'",
        [],
        |r| r.get(0),
    )?;
    let articles = u64::try_from(articles).unwrap_or_default();
    conn.execute_batch(
        "INSERT INTO search_versions (search_versions) VALUES ('optimize');
         UPDATE change_counter SET value = value + 1 WHERE id = 1;",
    )?;
    tracing::info!(articles, versions, "search index rebuilt");
    Ok(IndexCounts { articles, versions })
}

/// Indexes every version with a document, a page per statement; returns how many.
fn fill(conn: &Connection) -> Result<u64, ArchiveError> {
    let (mut after, mut count) = (0i64, 0u64);
    loop {
        let page: Vec<(i64, String, String)> = conn
            .prepare_cached(
                "SELECT id, title, document FROM versions
                 WHERE id > ?1 AND kind <> 'removed' ORDER BY id LIMIT ?2",
            )?
            .query_map(params![after, REBUILD_PAGE], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = page.last() else {
            return Ok(count);
        };
        after = last.0;
        count += page.len() as u64;
        let texts: Vec<(i64, String, String)> = page
            .into_iter()
            .map(|(id, title, document)| {
                (id, token_text(&title), token_text(&body_text(&document)))
            })
            .collect();
        let rows: Vec<(i64, &str, &str)> = texts
            .iter()
            .map(|(id, title, body)| (*id, title.as_str(), body.as_str()))
            .collect();
        insert_rows(conn, &rows)?;
    }
}

/// Keeps the versions (`v`) that are their article's latest version with a document.
const LATEST_GOOD: &str = "v.seq = (SELECT max(seq) FROM versions
    WHERE article_id = v.article_id AND kind <> 'removed')";

/// Keeps every version.
const ANY_VERSION: &str = "1";

/// The condition on versions (`v`) that `scope` searches.
fn scope_filter(scope: SearchScope) -> &'static str {
    match scope {
        SearchScope::Latest => LATEST_GOOD,
        SearchScope::AllVersions => ANY_VERSION,
    }
}

impl SqliteArchive {
    /// How many versions in `scope` match, counting no further than `cap`.
    fn count_matches(&self, scope: SearchScope, fts: &str, cap: i64) -> Result<i64, ArchiveError> {
        let sql = format!(
            "SELECT count(*) FROM (SELECT f.rowid FROM search_versions f
                 JOIN versions v ON v.id = f.rowid
             WHERE search_versions MATCH ?1 AND {} LIMIT ?2)",
            scope_filter(scope)
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![fts, cap], |r| r.get(0))?)
    }

    /// The ids of the versions from id `from` on that match.
    fn matches_from(&self, fts: &str, from: i64) -> Result<HashSet<i64>, ArchiveError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT rowid FROM search_versions WHERE search_versions MATCH ?1 AND rowid >= ?2",
            )?
            .query_map(params![fts, from], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The newest `limit` matches of `fts` in `scope` (of one site), each scored by `rank`
    /// (SQL over the FTS table), each with its version.
    fn read_candidates(
        &self,
        scope: SearchScope,
        rank: &str,
        fts: &str,
        site: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SearchCandidate>, ArchiveError> {
        // The site filter joins the articles: the newest matches are read until `limit` of
        // the site's are found.
        let sql = format!(
            "SELECT v.article_id, f.rowid AS version_id, {rank} AS score
             FROM search_versions f JOIN versions v ON v.id = f.rowid
                 JOIN articles a ON a.id = v.article_id
             WHERE search_versions MATCH ?1 AND {} AND (?2 IS NULL OR a.site = ?2)
             ORDER BY f.rowid DESC LIMIT ?3",
            scope_filter(scope)
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![fts, site, limit], |r| {
                Ok(SearchCandidate {
                    article_id: r.get(0)?,
                    version_id: r.get(1)?,
                    score: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The newest `limit` matches of `fts` in `scope`, scored (see [`Search::search_candidates`]).
    fn scored_candidates(
        &self,
        scope: SearchScope,
        fts: &str,
        site: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SearchCandidate>, ArchiveError> {
        if self.count_matches(scope, fts, limit + 1)? <= limit {
            return self.read_candidates(
                scope,
                "-bm25(search_versions, 5.0, 1.0)",
                fts,
                site,
                limit,
            );
        }
        let mut candidates = self.read_candidates(scope, "0.0", fts, site, limit)?;
        // Title matches only as far back as the oldest candidate: a phrase that no title
        // holds must not be looked for in the whole table.
        let Some(oldest) = candidates.iter().filter_map(|c| c.version_id).min() else {
            return Ok(candidates);
        };
        let in_title = self.matches_from(&format!("{{title}} : ({fts})"), oldest)?;
        for candidate in &mut candidates {
            if candidate
                .version_id
                .is_some_and(|id| in_title.contains(&id))
            {
                candidate.score = 1.0;
            }
        }
        Ok(candidates)
    }
}

impl Search for SqliteArchive {
    /// A query with at most `limit` matches is ranked by `bm25`. `bm25` weighs each word by
    /// its rarity, which it counts over every match in the table (a full pass over a common
    /// phrase's positions: half a second at a million versions), so a commoner query ranks
    /// its newest `limit` matches by whether their title holds it (1, else 0), newest first.
    fn search_candidates(
        &self,
        query: &Query,
        scope: SearchScope,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchCandidate>, ArchiveError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX - 1);
        let mut candidates = self.scored_candidates(scope, &fts_query(query), site, limit)?;
        if scope == SearchScope::Latest {
            // The article's latest version with a document, whichever that is when shown.
            for candidate in &mut candidates {
                candidate.version_id = None;
            }
        }
        Ok(candidates)
    }

    fn found_version(
        &self,
        candidate: &SearchCandidate,
    ) -> Result<Option<FoundVersion>, ArchiveError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.canonical_url, a.site, a.site_article_id, a.lang, a.status,
                     a.latest_seq, v.seq, v.kind, v.fetched_at, v.title, v.published, v.document,
                     v.content_hash
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.id = coalesce(?2, (SELECT id FROM versions WHERE article_id = ?1
                     AND kind <> 'removed' ORDER BY seq DESC LIMIT 1))",
            )?
            .query_row(params![candidate.article_id, candidate.version_id], |r| {
                Ok((
                    FoundVersion {
                        article_id: r.get(0)?,
                        canonical_url: r.get(1)?,
                        site: r.get(2)?,
                        site_article_id: r.get(3)?,
                        lang: r.get(4)?,
                        status: r.get(5)?,
                        latest_seq: r.get(6)?,
                        seq: r.get(7)?,
                        kind: r.get(8)?,
                        fetched_at: r.get(9)?,
                        title: r.get(10)?,
                        published: r.get(11)?,
                        document: String::new(),
                    },
                    r.get::<_, String>(12)?,
                    r.get::<_, String>(13)?,
                ))
            })
            .optional()?;
        row.map(|(mut found, document, hash)| {
            found.document = verify_document(&found.canonical_url, found.seq, document, &hash)?;
            Ok(found)
        })
        .transpose()
    }

    fn rebuild_search_index(&mut self) -> Result<IndexCounts, ArchiveError> {
        let tx = self.write_tx()?;
        let counts = rebuild(&tx)?;
        tx.commit()?;
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_merges_eight_segments_at_a_time() {
        let archive = SqliteArchive::open_in_memory().unwrap();
        let automerge: i64 = archive
            .conn
            .query_row(
                "SELECT v FROM search_versions_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(automerge, 8);
    }

    #[test]
    fn rows_past_one_statement_are_all_indexed_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let archive = SqliteArchive::open(&dir.path().join("archive.db")).unwrap();
        let texts = |word: &str| -> Vec<(i64, String, String)> {
            (1..=600)
                .map(|id| (id, format!("t{id}"), format!("{word} b{id}")))
                .collect()
        };
        fn rows(texts: &[(i64, String, String)]) -> Vec<(i64, &str, &str)> {
            texts
                .iter()
                .map(|(id, title, body)| (*id, title.as_str(), body.as_str()))
                .collect()
        }
        let count = |word: &str| -> i64 {
            archive
                .conn
                .query_row(
                    "SELECT count(*) FROM search_versions WHERE search_versions MATCH ?1",
                    [word],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let alpha = texts("alpha");
        insert_rows(&archive.conn, &rows(&alpha)).unwrap();
        assert_eq!(count("alpha"), 600);
        let beta = texts("beta");
        insert_rows(&archive.conn, &rows(&beta)).unwrap();
        assert_eq!((count("alpha"), count("beta"), count("b599")), (0, 600, 1));
    }
}
