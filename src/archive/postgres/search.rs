//! The PostgreSQL search index (migration 4): the tokens of [`crate::search`] as `tsvector`s
//! with GIN indexes, `search_articles` (one row per article) and `search_versions` (one per
//! version with a document). SQLite keeps only the second (see `sqlite/search.rs`, for the
//! cost of a second FTS5 write); here both stay, because the newest matches of the latest texts
//! are walked along the per-article table's key (`Reading::Walk`), and doing that on the
//! versions table would need its own walk, not yet written or measured.
//!
//! The `tsvector` and `tsquery` values are written as literals, token by token with their
//! positions, not by `to_tsvector`: PostgreSQL's parser would split and classify the text its
//! own way (by locale), and the index must hold exactly the tokens the query and the snippets
//! are made of. Title positions carry weight A, body positions none (D), so `ts_rank_cd`
//! counts a title hit ten times a body hit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Conn, PostgresArchive, RowExt, limit_i64};
use crate::archive::ArchiveError;
use crate::archive::search::{FoundVersion, IndexCounts, SearchCandidate, SearchScope, SearchText};
use crate::archive::sqlite::verify_document;
use crate::archive::store::Search;
use crate::search::{Query, body_text, token_text};

/// Highest position a `tsvector` keeps (larger ones are stored as this).
const MAX_POSITION: usize = 16_383;
/// Positions a `tsvector` keeps per lexeme.
const MAX_POSITIONS_PER_LEXEME: usize = 256;

/// The `tsvector` literal of a title and a body, each given as its tokens space-separated
/// ([`crate::search::token_text`]): title tokens at positions 1.. weighted A, then the body's
/// after a gap, so that no phrase runs from the title into the body.
pub(crate) fn tsvector_literal(title: &str, body: &str) -> String {
    let mut positions: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let title_tokens: Vec<&str> = title.split_ascii_whitespace().collect();
    let body_start = title_tokens.len() + 2;
    let all = title_tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, i + 1, "A"))
        .chain(
            body.split_ascii_whitespace()
                .enumerate()
                .map(|(i, t)| (t, body_start + i, "")),
        );
    for (text, position, weight) in all {
        let list = positions.entry(text).or_default();
        if list.len() < MAX_POSITIONS_PER_LEXEME {
            list.push(format!("{}{weight}", position.min(MAX_POSITION)));
        }
    }
    let mut out = String::new();
    for (lexeme, list) in positions {
        // Tokens are letters and digits only: nothing to escape inside the quotes.
        let _ = write!(out, "'{lexeme}':{} ", list.join(","));
    }
    out
}

/// The `tsquery` literal of a parsed query: each term its tokens joined by `<->` (a lone CJK
/// character a prefix, `:*`), all terms required.
pub(crate) fn tsquery_literal(query: &Query) -> String {
    query
        .terms
        .iter()
        .map(|term| {
            let phrase: Vec<String> = term.tokens.iter().map(|t| format!("'{t}'")).collect();
            let phrase = phrase.join(" <-> ");
            if term.prefix {
                format!("({phrase}:*)")
            } else {
                format!("({phrase})")
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Indexes version `seq` of an article just written, in the caller's transaction (see
/// `sqlite/search.rs`, `index_version`): read back and tokenized here.
pub(crate) fn index_version(
    conn: &mut Conn,
    article_id: i64,
    seq: u32,
) -> Result<(), ArchiveError> {
    let Some(row) = conn.query_opt(
        "SELECT id, kind, title, document, content_hash FROM versions
         WHERE article_id = $1 AND seq = $2",
        &[&article_id, &i64::from(seq)],
    )?
    else {
        return Ok(());
    };
    if row.try_get::<_, &str>("kind")? == "removed" {
        return Ok(());
    }
    let text = SearchText::with_hash(
        row.try_get("title")?,
        row.try_get("document")?,
        row.try_get("content_hash")?,
    );
    index_text(conn, article_id, seq, row.int("id")?, &text)
}

/// Indexes version `seq` (row `version_id`) of an article just written, whose tokens are
/// made: its own row, and the article's when it is the article's latest version with a
/// document.
pub(crate) fn index_text(
    conn: &mut Conn,
    article_id: i64,
    seq: u32,
    version_id: i64,
    text: &SearchText,
) -> Result<(), ArchiveError> {
    let tsv = tsvector_literal(text.title(), text.body());
    conn.execute(
        "INSERT INTO search_versions (version_id, article_id, tsv) VALUES ($1, $2, $3::text::tsvector)
         ON CONFLICT (version_id) DO UPDATE SET tsv = excluded.tsv",
        &[&version_id, &article_id, &tsv],
    )?;
    let latest_good = conn
        .query_one(
            "SELECT max(seq) AS seq FROM versions WHERE article_id = $1 AND kind <> 'removed'",
            &[&article_id],
        )?
        .opt_seq("seq")?;
    if latest_good == Some(seq) {
        conn.execute(
            "INSERT INTO search_articles (article_id, tsv) VALUES ($1, $2::text::tsvector)
             ON CONFLICT (article_id) DO UPDATE SET tsv = excluded.tsv",
            &[&article_id, &tsv],
        )?;
    }
    Ok(())
}

/// Rows read and written per round trip while rebuilding.
const REBUILD_PAGE: i64 = 1_000;

/// Builds both indexes from scratch, in the caller's transaction. The GIN indexes are made
/// after the rows are in: much faster than growing them row by row.
pub(crate) fn rebuild(conn: &mut Conn) -> Result<IndexCounts, ArchiveError> {
    conn.batch(
        "TRUNCATE search_articles, search_versions;
         DROP INDEX IF EXISTS search_articles_tsv;
         DROP INDEX IF EXISTS search_versions_tsv;",
    )?;
    let versions = fill(
        conn,
        "SELECT id, article_id, title, document FROM versions
         WHERE id > $1 AND kind <> 'removed' ORDER BY id LIMIT $2",
        "INSERT INTO search_versions (version_id, article_id, tsv)
         SELECT k, a, t::tsvector FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(k, a, t)",
    )?;
    let articles = fill(
        conn,
        "SELECT a.id, a.id AS article_id, v.title, v.document FROM articles a
         JOIN versions v ON v.article_id = a.id AND v.seq = (SELECT max(seq) FROM versions
             WHERE article_id = a.id AND kind <> 'removed')
         WHERE a.id > $1 ORDER BY a.id LIMIT $2",
        "INSERT INTO search_articles (article_id, tsv)
         SELECT k, t::tsvector FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(k, a, t)",
    )?;
    conn.batch(
        "CREATE INDEX search_articles_tsv ON search_articles USING gin (tsv);
         CREATE INDEX search_versions_tsv ON search_versions USING gin (tsv);
         UPDATE change_counter SET value = value + 1 WHERE id = 1;
         ANALYZE search_articles, search_versions;",
    )?;
    tracing::info!(articles, versions, "search index rebuilt");
    Ok(IndexCounts { articles, versions })
}

/// Indexes the rows `select` pages through (`id, article_id, title, document` after id `$1`,
/// `$2` at a time) with `insert` (ids, article ids and `tsvector` literals as arrays).
fn fill(conn: &mut Conn, select: &str, insert: &str) -> Result<u64, ArchiveError> {
    let (mut after, mut count) = (0i64, 0u64);
    loop {
        let page = conn.query(select, &[&after, &REBUILD_PAGE])?;
        let Some(last) = page.last() else {
            return Ok(count);
        };
        after = last.int("id")?;
        let mut ids = Vec::with_capacity(page.len());
        let mut article_ids = Vec::with_capacity(page.len());
        let mut vectors = Vec::with_capacity(page.len());
        for row in &page {
            ids.push(row.int("id")?);
            article_ids.push(row.int("article_id")?);
            let document: &str = row.try_get("document")?;
            vectors.push(tsvector_literal(
                &token_text(row.try_get("title")?),
                &token_text(&body_text(document)),
            ));
        }
        conn.execute(insert, &[&ids, &article_ids, &vectors])?;
        count += page.len() as u64;
    }
}

/// Matches counted, at most, to tell a common query from a rarer one: this many times the
/// matches a search ranks.
const DENSE_FACTOR: usize = 4;
/// How far back along the key a common query's matches are looked for row by row, in
/// multiples of the matches a search ranks, before the GIN index is asked instead.
const WALK_FACTOR: usize = 20;

/// The `tsquery` literal of every token of the query, anywhere (no phrases): what the GIN
/// index answers exactly, without looking at the rows.
fn tokens_literal(query: &Query) -> String {
    let mut tokens = Vec::new();
    for term in &query.terms {
        for (i, token) in term.tokens.iter().enumerate() {
            let prefix = term.prefix && i + 1 == term.tokens.len();
            tokens.push(format!("'{token}'{}", if prefix { ":*" } else { "" }));
        }
    }
    tokens.join(" & ")
}

/// One way of reading the newest matches of a scope.
enum Reading {
    /// From the GIN index: every match, then the newest.
    Index,
    /// Backwards along the key, row by row, within the newest `WALK_FACTOR` × limit keys.
    Walk,
}

impl PostgresArchive {
    /// The newest `limit` matches of the query in `scope`, read as `reading` says, ranked by
    /// `ts_rank_cd`.
    fn read_candidates(
        &self,
        scope: SearchScope,
        reading: Reading,
        tsquery: &str,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchCandidate>, ArchiveError> {
        let (table, key, article) = match scope {
            SearchScope::Latest => ("search_articles", "article_id", "NULL::bigint"),
            SearchScope::AllVersions => ("search_versions", "version_id", "s.version_id"),
        };
        let site_filter = if site.is_some() {
            "AND s.article_id IN (SELECT id FROM articles WHERE site = $3)"
        } else {
            "AND $3::text IS NULL"
        };
        // `ts_match_vq` is `@@` that the GIN index cannot answer: the planner must walk.
        let matching = match reading {
            Reading::Index => "s.tsv @@ $1::text::tsquery AND $4::bigint IS NOT NULL".to_owned(),
            Reading::Walk => format!(
                "ts_match_vq(s.tsv, $1::text::tsquery)
                 AND s.{key} > (SELECT max({key}) FROM {table}) - $4"
            ),
        };
        let sql = format!(
            "SELECT c.article_id, c.version_id, ts_rank_cd(c.tsv, $1::text::tsquery)::float8 AS score
             FROM (SELECT s.article_id, {article} AS version_id, s.tsv FROM {table} s
                   WHERE {matching} {site_filter}
                   ORDER BY s.{key} DESC LIMIT $2) c"
        );
        let window = limit_i64(limit.saturating_mul(WALK_FACTOR));
        let rows = self
            .conn
            .borrow_mut()
            .query_planned(&sql, &[&tsquery, &limit_i64(limit), &site, &window])?;
        rows.iter()
            .map(|r| {
                Ok(SearchCandidate {
                    article_id: r.int("article_id")?,
                    version_id: r.try_get("version_id")?,
                    score: r.try_get("score")?,
                })
            })
            .collect()
    }

    /// Whether more rows than `cap` hold every token of the query (counted from the GIN
    /// index alone).
    fn more_than(
        &self,
        scope: SearchScope,
        query: &Query,
        cap: usize,
    ) -> Result<bool, ArchiveError> {
        let table = match scope {
            SearchScope::Latest => "search_articles",
            SearchScope::AllVersions => "search_versions",
        };
        let sql = format!(
            "SELECT count(*) AS n FROM
                 (SELECT 1 FROM {table} WHERE tsv @@ $1::text::tsquery LIMIT $2) m"
        );
        let cap = limit_i64(cap);
        let rows = self
            .conn
            .borrow_mut()
            .query_planned(&sql, &[&tokens_literal(query), &(cap + 1)])?;
        let counted = rows.first().map(|r| r.int("n")).transpose()?.unwrap_or(0);
        Ok(counted > cap)
    }
}

impl Search for PostgresArchive {
    /// The newest `limit` matches, ranked by `ts_rank_cd` (it reads each row's whole
    /// tsvector, which a search cannot afford for every match of a common word). Where they
    /// are read from is chosen here, not left to the planner, whose choice flips between
    /// two plans a hundred times apart: a query whose tokens are in many rows walks back
    /// along the key (the newest rows match), any other is read from the GIN index (every
    /// match, then the newest; a phrase is checked on each row that has its tokens).
    fn search_candidates(
        &self,
        query: &Query,
        scope: SearchScope,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchCandidate>, ArchiveError> {
        let tsquery = tsquery_literal(query);
        if self.more_than(scope, query, limit.saturating_mul(DENSE_FACTOR))? {
            let walked = self.read_candidates(scope, Reading::Walk, &tsquery, site, limit)?;
            if walked.len() == limit {
                return Ok(walked);
            }
        }
        self.read_candidates(scope, Reading::Index, &tsquery, site, limit)
    }

    fn found_version(
        &self,
        candidate: &SearchCandidate,
    ) -> Result<Option<FoundVersion>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT a.id, a.canonical_url, a.site, a.site_article_id, a.lang, a.status,
                 a.latest_seq, v.seq, v.kind, v.fetched_at, v.title, v.published, v.document,
                 v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.id = coalesce($2, (SELECT id FROM versions WHERE article_id = $1
                 AND kind <> 'removed' ORDER BY seq DESC LIMIT 1))",
            &[&candidate.article_id, &candidate.version_id],
        )?;
        let Some(r) = row else {
            return Ok(None);
        };
        let canonical_url: String = r.try_get("canonical_url")?;
        let seq = r.seq("seq")?;
        let document = verify_document(
            &canonical_url,
            seq,
            r.try_get("document")?,
            r.try_get("content_hash")?,
        )?;
        Ok(Some(FoundVersion {
            article_id: r.int("id")?,
            canonical_url,
            site: r.try_get("site")?,
            site_article_id: r.try_get("site_article_id")?,
            lang: r.try_get("lang")?,
            status: r.vocab("status")?,
            latest_seq: r.seq("latest_seq")?,
            seq,
            kind: r.vocab("kind")?,
            fetched_at: r.try_get("fetched_at")?,
            title: r.try_get("title")?,
            published: r.try_get("published")?,
            document,
        }))
    }

    fn rebuild_search_index(&mut self) -> Result<IndexCounts, ArchiveError> {
        self.write(rebuild)
    }
}
