//! The big archive of the feeds and search benches: 100,000 articles with 10 versions each
//! (new, edits, and a last one that is an edit, a minor change or, for 1%, a removal), the
//! same Chinese text with the article's number, the leader and the version in it. Written with
//! plain SQL for speed (generating test data is not archive logic): open the file through
//! `Archive::open` first so it has the real schema.

#![allow(dead_code)]

use chrono::{Duration, Utc};
use newsvault::archive::{format_time, hash_hex};
use newsvault::diff::diff_documents;
use newsvault::document::Document;

pub const ARTICLES: u64 = 100_000;
pub const VERSIONS_PER_ARTICLE: u64 = 10;

pub fn document(i: u64, seq: u64) -> Document {
    let id = article_id(i);
    let leader = if seq.is_multiple_of(2) {
        "拜登"
    } else {
        "特朗普"
    };
    Document {
        title: format!("第{i}号文章：美国总统{leader}表示（第{seq}版）"),
        date: "2025-02-11 07:03:08".into(),
        summary: format!("近期，美国总统{leader}表示，第{seq}版摘要。"),
        site: site(i).into(),
        lang: "zh-CN".into(),
        thumbnail: String::new(),
        body: format!(
            "近期，中国人工智能企业以较低算力成本实现人工智能大模型技术突破，引发美国极大关注。\
             美国总统{leader}在白宫表示，这是第{seq}版。\n\n\
             这番表态多少有些让人惊讶，似乎展现了美国决策者愿意用非零和视角看待中美科技竞争。\n\n\
             ![图片](https://inews.gtimg.com/om_bt/{id}/641)"
        ),
        source_url: format!("https://new.qq.com/rain/a/{id}"),
    }
}

pub fn article_id(i: u64) -> String {
    format!("2025{:04}A{:07}", i % 1231, i)
}

pub fn site(i: u64) -> &'static str {
    if i.is_multiple_of(10) { "sina" } else { "qq" }
}

/// One generated article row.
pub struct GenArticle {
    pub id: i64,
    pub url: String,
    pub site: &'static str,
    pub site_article_id: String,
    pub first_seen_at: String,
    pub last_at: String,
    pub removed: bool,
}

/// One generated version row.
pub struct GenVersion {
    pub seq: i64,
    pub kind: &'static str,
    pub fetched_at: String,
    pub content_hash: String,
    pub document: String,
    pub title: String,
    pub final_url: String,
    pub removal_signal: Option<&'static str>,
    pub diff: Option<String>,
}

/// Article `i` and its versions: they arrive over time; each has 10 versions: new, edits,
/// and a last one that is an edit, a minor change, or (1%) a removal.
pub fn article(i: u64, now: chrono::DateTime<Utc>) -> (GenArticle, Vec<GenVersion>) {
    let id = article_id(i);
    let url = format!("https://new.qq.com/rain/a/{id}");
    let first = now + Duration::seconds(i as i64 * 20);
    let removed = i % 100 == 7;
    let mut versions = Vec::new();
    let mut previous: Option<Document> = None;
    for seq in 1..=VERSIONS_PER_ARTICLE {
        let fetched_at = format_time(first + Duration::minutes(seq as i64 * 30));
        let last = seq == VERSIONS_PER_ARTICLE;
        let kind = match seq {
            1 => "new",
            _ if last && removed => "removed",
            _ if last && i.is_multiple_of(2) => "minor",
            _ => "edit",
        };
        if kind == "removed" {
            versions.push(GenVersion {
                seq: seq as i64,
                kind,
                fetched_at,
                content_hash: hash_hex(b""),
                document: String::new(),
                title: previous.as_ref().unwrap().title.clone(),
                final_url: "https://www.qq.com/babygohome/".into(),
                removal_signal: Some("redirect to the home page"),
                diff: None,
            });
            continue;
        }
        let doc = if kind == "minor" {
            let mut d = previous.clone().unwrap();
            d.body = d.body.replacen('，', ",", 1);
            d
        } else {
            document(i, seq)
        };
        let rendered = doc.render();
        let diff = previous.as_ref().map(|p| {
            let mut d = diff_documents(p, &doc);
            d.base = Some(seq as u32 - 1);
            d.to_json()
        });
        versions.push(GenVersion {
            seq: seq as i64,
            kind,
            fetched_at,
            content_hash: hash_hex(rendered.as_bytes()),
            document: rendered,
            title: doc.title.clone(),
            final_url: url.clone(),
            removal_signal: None,
            diff,
        });
        previous = Some(doc);
    }
    let article = GenArticle {
        id: i as i64 + 1,
        url,
        site: site(i),
        site_article_id: id,
        first_seen_at: format_time(first),
        last_at: format_time(first + Duration::minutes(VERSIONS_PER_ARTICLE as i64 * 30)),
        removed,
    };
    (article, versions)
}

/// Writes the archive into the SQLite file at `path`.
pub fn generate(path: &std::path::Path) {
    let now = Utc::now() - Duration::days(30);
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut article_insert = tx
            .prepare(
                "INSERT INTO articles (id, canonical_url, site, site_article_id, lang, first_seen_at,
                     last_checked_at, last_changed_at, latest_seq, status, removal_signal)
                 VALUES (?1, ?2, ?3, ?4, 'zh-CN', ?5, ?6, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        let mut version_insert = tx
            .prepare(
                "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
                     document, title, published, http_status, final_url, removal_signal, diff)
                 VALUES (?1, ?2, ?3, 'fetch', ?4, ?5, ?6, ?7, '2025-02-11 07:03:08', 200, ?8, ?9, ?10)",
            )
            .unwrap();
        for i in 0..ARTICLES {
            let (a, versions) = article(i, now);
            article_insert
                .execute(rusqlite::params![
                    a.id,
                    a.url,
                    a.site,
                    a.site_article_id,
                    a.first_seen_at,
                    a.last_at,
                    VERSIONS_PER_ARTICLE as i64,
                    if a.removed { "removed" } else { "live" },
                    a.removed.then_some("redirect to the home page"),
                ])
                .unwrap();
            for v in versions {
                version_insert
                    .execute(rusqlite::params![
                        a.id,
                        v.seq,
                        v.kind,
                        v.fetched_at,
                        v.content_hash,
                        v.document,
                        v.title,
                        v.final_url,
                        v.removal_signal,
                        v.diff,
                    ])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

/// Writes the archive into the PostgreSQL database at `url` (its schema made by
/// `Archive::open`), 1,000 articles a statement.
pub fn generate_postgres(url: &str) {
    let now = Utc::now() - Duration::days(30);
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    for chunk in (0..ARTICLES).collect::<Vec<_>>().chunks(1_000) {
        let (mut a_cols, mut v_cols) = (ArticleColumns::default(), VersionColumns::default());
        for &i in chunk {
            let (a, versions) = article(i, now);
            for v in versions {
                v_cols.push(a.id, v);
            }
            a_cols.push(a);
        }
        let mut tx = client.transaction().unwrap();
        tx.execute(
            "INSERT INTO articles (id, canonical_url, site, site_article_id, lang, first_seen_at,
                 last_checked_at, last_changed_at, latest_seq, status, removal_signal)
             SELECT id, url, site, sid, 'zh-CN', first, last, last, 10,
                 CASE WHEN removed THEN 'removed' ELSE 'live' END,
                 CASE WHEN removed THEN 'redirect to the home page' END
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::bool[]) AS u(id, url, site, sid, first, last, removed)",
            &[
                &a_cols.id,
                &a_cols.url,
                &a_cols.site,
                &a_cols.sid,
                &a_cols.first,
                &a_cols.last,
                &a_cols.removed,
            ],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
                 document, title, published, http_status, final_url, removal_signal, diff)
             SELECT a, s, k, 'fetch', f, h, d, t, '2025-02-11 07:03:08', 200, u, r, x
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                 AS v(a, s, k, f, h, d, t, u, r, x)",
            &[
                &v_cols.article_id,
                &v_cols.seq,
                &v_cols.kind,
                &v_cols.fetched_at,
                &v_cols.hash,
                &v_cols.document,
                &v_cols.title,
                &v_cols.final_url,
                &v_cols.removal_signal,
                &v_cols.diff,
            ],
        )
        .unwrap();
        tx.commit().unwrap();
    }
}

#[derive(Default)]
struct ArticleColumns {
    id: Vec<i64>,
    url: Vec<String>,
    site: Vec<String>,
    sid: Vec<String>,
    first: Vec<String>,
    last: Vec<String>,
    removed: Vec<bool>,
}

impl ArticleColumns {
    fn push(&mut self, a: GenArticle) {
        self.id.push(a.id);
        self.url.push(a.url);
        self.site.push(a.site.to_owned());
        self.sid.push(a.site_article_id);
        self.first.push(a.first_seen_at);
        self.last.push(a.last_at);
        self.removed.push(a.removed);
    }
}

#[derive(Default)]
struct VersionColumns {
    article_id: Vec<i64>,
    seq: Vec<i64>,
    kind: Vec<String>,
    fetched_at: Vec<String>,
    hash: Vec<String>,
    document: Vec<String>,
    title: Vec<String>,
    final_url: Vec<String>,
    removal_signal: Vec<Option<String>>,
    diff: Vec<Option<String>>,
}

impl VersionColumns {
    fn push(&mut self, article_id: i64, v: GenVersion) {
        self.article_id.push(article_id);
        self.seq.push(v.seq);
        self.kind.push(v.kind.to_owned());
        self.fetched_at.push(v.fetched_at);
        self.hash.push(v.content_hash);
        self.document.push(v.document);
        self.title.push(v.title);
        self.final_url.push(v.final_url);
        self.removal_signal
            .push(v.removal_signal.map(str::to_owned));
        self.diff.push(v.diff);
    }
}
