//! The SQLite search index (`013_search.sql`): two FTS5 tables over the tokens of
//! [`crate::search`], stored space-separated and read back by FTS5's `ascii` tokenizer, which
//! splits exactly there (our tokens hold no ASCII punctuation), so FTS5 indexes our tokens and
//! nothing else. The tables are contentless (the text is in `versions`; snippets are cut from
//! it) with `contentless_delete`, so a row can be replaced. `search_articles` has one row per
//! article (rowid: the article's id), `search_versions` one per version with a document (rowid:
//! the version's id). Columns: `title`, `body`; ranking is `bm25` with a title hit worth five
//! body hits. No trigger counts these tables as a change: the version written in the same
//! transaction already moved the change counter.

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
    pub(crate) article_id: i64,
    pub(crate) seq: u32,
    pub(crate) version_id: i64,
    pub(crate) text: SearchText,
}

/// Indexes version `seq` of an article just written (inserted, or its document replaced), in
/// the caller's transaction: its own row, and the article's row when it is the article's
/// latest version with a document. A removal tombstone changes nothing: the article keeps
/// its last good text. The version is read back and tokenized here; writers that have its
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
    index_pending(
        conn,
        &[PendingVersion {
            article_id,
            seq,
            version_id,
            text,
        }],
    )
}

/// [`index_version`] for versions whose tokens are made, with one statement per index. FTS5
/// writes its pending rows out as a new segment at every statement that opens a savepoint in
/// a transaction, which every write to a virtual table does: rows inserted one statement each
/// cost a segment each, and the merges that follow.
pub(crate) fn index_pending(
    conn: &Connection,
    versions: &[PendingVersion],
) -> Result<(), ArchiveError> {
    let (mut version_rows, mut article_rows) = (Vec::new(), Vec::new());
    for version in versions {
        let text = &version.text;
        // A later version of the article may have been written since (in the same group).
        let latest_good: Option<u32> = conn
            .prepare_cached(
                "SELECT max(seq) FROM versions WHERE article_id = ?1 AND kind <> 'removed'",
            )?
            .query_row([version.article_id], |r| r.get(0))?;
        if latest_good == Some(version.seq) {
            article_rows.push((version.article_id, text.title(), text.body()));
        }
        version_rows.push((version.version_id, text.title(), text.body()));
    }
    insert_rows(conn, IndexTable::Versions, &version_rows)?;
    insert_rows(conn, IndexTable::Articles, &article_rows)
}

/// The two FTS5 tables.
#[derive(Clone, Copy)]
enum IndexTable {
    Versions,
    Articles,
}

/// Inserts (or replaces) `rows` (rowid, title tokens, body tokens) in one statement of as
/// many rows (a statement per 256 beyond); the usual sizes (a group's few) stay prepared.
fn insert_rows(
    conn: &Connection,
    table: IndexTable,
    rows: &[(i64, &str, &str)],
) -> Result<(), ArchiveError> {
    /// Statements of up to this many rows are kept prepared.
    const CACHED_ROWS: usize = 8;
    /// Rows per statement at most (well within SQLite's limit on bound parameters).
    const MOST_ROWS: usize = 256;
    if rows.len() > MOST_ROWS {
        return rows
            .chunks(MOST_ROWS)
            .try_for_each(|chunk| insert_rows(conn, table, chunk));
    }
    if rows.is_empty() {
        return Ok(());
    }
    let table = match table {
        IndexTable::Versions => "search_versions",
        IndexTable::Articles => "search_articles",
    };
    let sql = format!(
        "INSERT OR REPLACE INTO {table} (rowid, title, body) VALUES {}",
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
/// so that the whole group costs one FTS5 segment per index (see [`index_pending`]).
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

/// Builds both indexes from scratch, in the caller's transaction.
pub(crate) fn rebuild(conn: &Connection) -> Result<IndexCounts, ArchiveError> {
    conn.execute_batch(
        "INSERT INTO search_versions (search_versions) VALUES ('delete-all');
         INSERT INTO search_articles (search_articles) VALUES ('delete-all');",
    )?;
    let versions = fill(
        conn,
        "SELECT id, title, document FROM versions
         WHERE id > ?1 AND kind <> 'removed' ORDER BY id LIMIT ?2",
        IndexTable::Versions,
    )?;
    let articles = fill(
        conn,
        "SELECT a.id, v.title, v.document FROM articles a
         JOIN versions v ON v.article_id = a.id AND v.seq = (SELECT max(seq) FROM versions
             WHERE article_id = a.id AND kind <> 'removed')
         WHERE a.id > ?1 ORDER BY a.id LIMIT ?2",
        IndexTable::Articles,
    )?;
    conn.execute_batch(
        "INSERT INTO search_versions (search_versions) VALUES ('optimize');
         INSERT INTO search_articles (search_articles) VALUES ('optimize');
         UPDATE change_counter SET value = value + 1 WHERE id = 1;",
    )?;
    tracing::info!(articles, versions, "search index rebuilt");
    Ok(IndexCounts { articles, versions })
}

/// Indexes in `table` the rows `select` pages through (`id, title, document` after id `?1`,
/// `?2` at a time), a page per statement; returns how many.
fn fill(conn: &Connection, select: &str, table: IndexTable) -> Result<u64, ArchiveError> {
    let (mut after, mut count) = (0i64, 0u64);
    loop {
        let page: Vec<(i64, String, String)> = conn
            .prepare_cached(select)?
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
        insert_rows(conn, table, &rows)?;
    }
}

impl SqliteArchive {
    /// How many rows of `table` match, counting no further than `cap`.
    fn count_matches(&self, table: &str, fts: &str, cap: i64) -> Result<i64, ArchiveError> {
        let sql = format!(
            "SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ?1 LIMIT ?2)"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![fts, cap], |r| r.get(0))?)
    }

    /// The rowids of the rows of `table` from rowid `from` on that match.
    fn matches_from(
        &self,
        table: &str,
        fts: &str,
        from: i64,
    ) -> Result<HashSet<i64>, ArchiveError> {
        let sql = format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1 AND rowid >= ?2");
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![fts, from], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The newest `limit` matches of `fts` in `scope` (of one site), each scored by `rank`
    /// (SQL over the FTS table of the scope).
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
        let sql = match scope {
            SearchScope::Latest => format!(
                "SELECT f.rowid AS article_id, NULL AS version_id, {rank} AS score
                 FROM search_articles f JOIN articles a ON a.id = f.rowid
                 WHERE search_articles MATCH ?1 AND (?2 IS NULL OR a.site = ?2)
                 ORDER BY f.rowid DESC LIMIT ?3"
            ),
            SearchScope::AllVersions => format!(
                "SELECT v.article_id, f.rowid AS version_id, {rank} AS score
                 FROM search_versions f JOIN versions v ON v.id = f.rowid
                     JOIN articles a ON a.id = v.article_id
                 WHERE search_versions MATCH ?1 AND (?2 IS NULL OR a.site = ?2)
                 ORDER BY f.rowid DESC LIMIT ?3"
            ),
        };
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
        let fts = fts_query(query);
        let table = match scope {
            SearchScope::Latest => "search_articles",
            SearchScope::AllVersions => "search_versions",
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX - 1);
        if self.count_matches(table, &fts, limit + 1)? <= limit {
            let rank = format!("-bm25({table}, 5.0, 1.0)");
            return self.read_candidates(scope, &rank, &fts, site, limit);
        }
        let mut candidates = self.read_candidates(scope, "0.0", &fts, site, limit)?;
        let key = |c: &SearchCandidate| c.version_id.unwrap_or(c.article_id);
        // Title matches only as far back as the oldest candidate: a phrase that no title
        // holds must not be looked for in the whole table.
        let Some(oldest) = candidates.iter().map(key).min() else {
            return Ok(candidates);
        };
        let in_title = self.matches_from(table, &format!("{{title}} : ({fts})"), oldest)?;
        for candidate in &mut candidates {
            if in_title.contains(&key(candidate)) {
                candidate.score = 1.0;
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
    fn both_indexes_merge_eight_segments_at_a_time() {
        let archive = SqliteArchive::open_in_memory().unwrap();
        for table in ["search_articles", "search_versions"] {
            let automerge: i64 = archive
                .conn
                .query_row(
                    &format!("SELECT v FROM {table}_config WHERE k = 'automerge'"),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(automerge, 8, "{table}");
        }
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
        insert_rows(&archive.conn, IndexTable::Versions, &rows(&alpha)).unwrap();
        assert_eq!(count("alpha"), 600);
        let beta = texts("beta");
        insert_rows(&archive.conn, IndexTable::Versions, &rows(&beta)).unwrap();
        assert_eq!((count("alpha"), count("beta"), count("b599")), (0, 600, 1));
    }
}
