//! Full-text search on both backends, over real documents: a Tencent News article about
//! DeepSeek (`tests/fixtures/golden`), two of the older generator's articles about funds and
//! investment, and an English Ars Technica body (`tests/fixtures/quality`).

use super::*;
use crate::document::Document;
use crate::search::{Query, QueryError};

on_both_backends!(
    chinese_words_latin_words_and_phrases_are_found_with_snippets,
    the_best_match_ranks_first,
    an_edited_out_sentence_is_found_only_in_all_versions,
    a_removed_article_stays_findable_marked_removed,
    queries_with_search_syntax_never_reach_the_index,
    a_rebuilt_or_upgraded_index_finds_the_same,
);

const DEEPSEEK: &str = include_str!("../../../tests/fixtures/golden/20250211A013J400.zh-CN.md");
const FUNDS: &str = include_str!(
    "../../../tests/fixtures/qq/generator-archive/content/zh-CN/news/qq/20260819A038M200.zh-CN.md"
);
const CONSUMPTION: &str = include_str!(
    "../../../tests/fixtures/qq/generator-archive/content/zh-CN/news/qq/20260819A05ZBA00.zh-CN.md"
);
const ARS: &str = include_str!("../../../tests/fixtures/quality/expected/en-ars-1.txt");

/// The Ars Technica body as an archived document.
fn ars_document() -> String {
    Document {
        title: "Minecraft flaw lets anyone crash a server".into(),
        date: "2015-04-16 10:00:00".into(),
        summary: String::new(),
        site: "ars".into(),
        lang: "en".into(),
        thumbnail: String::new(),
        body: ARS.trim().replace('\n', "\n\n"),
        source_url: "https://arstechnica.com/security/2015/04/minecraft".into(),
    }
    .render()
}

/// Archives `document` as article `id` of `site` at time `secs`; returns its URL.
fn archive_document(a: &mut Archive, site: &str, id: &str, document: &str, secs: i64) -> String {
    let url = format!("https://news.example/{site}/{id}");
    let title = Document::parse(document).unwrap().title;
    let raw = format!("<html>{id} {secs}</html>");
    a.record_capture(&NewCapture {
        canonical_url: &url,
        site,
        site_article_id: id,
        title: &title,
        document,
        raw: raw.as_bytes(),
        ..capture(document, b"", secs)
    })
    .unwrap();
    url
}

/// The four documents, oldest first: DeepSeek, funds, consumption, Ars.
fn archive_all(a: &mut Archive) -> Vec<String> {
    vec![
        archive_document(a, "qq", "20250211A013J400", DEEPSEEK, 0),
        archive_document(a, "qq", "20260819A038M200", FUNDS, 10),
        archive_document(a, "qq", "20260819A05ZBA00", CONSUMPTION, 20),
        archive_document(a, "ars", "minecraft", &ars_document(), 30),
    ]
}

fn search(a: &Archive, query: &str, scope: SearchScope) -> SearchResults {
    let query = Query::parse(query).unwrap();
    a.search(
        &query,
        &SearchOptions {
            scope,
            limit: 10,
            ..SearchOptions::default()
        },
    )
    .unwrap()
}

/// Each result as `site/id vSEQ: [title] | [snippet]`, matches in brackets.
fn shown(results: &SearchResults) -> Vec<String> {
    results
        .results
        .iter()
        .map(|r| {
            format!(
                "{}/{} v{}: {} | {}",
                r.found.site,
                r.found.site_article_id,
                r.found.seq,
                r.title.render("[", "]", str::to_owned),
                r.snippet.render("[", "]", str::to_owned)
            )
        })
        .collect()
}

fn latest(a: &Archive, query: &str) -> Vec<String> {
    shown(&search(a, query, SearchScope::Latest))
}

fn chinese_words_latin_words_and_phrases_are_found_with_snippets(backend: Backend) {
    let (mut a, _side) = open(backend);
    archive_all(&mut a);
    for q in ["中美", "DeepSeek", "deepseek 芯片", "\"中美科技竞争\"", "芯片", "Minecraft server", "\"server hosting\"", "科技中美", "存储芯片"] {
        eprintln!("{q:?} => {:#?}", latest(&a, q));
    }
    panic!("draft");
}

fn the_best_match_ranks_first(backend: Backend) {
    let _ = backend;
}

fn an_edited_out_sentence_is_found_only_in_all_versions(backend: Backend) {
    let _ = backend;
}

fn a_removed_article_stays_findable_marked_removed(backend: Backend) {
    let _ = backend;
}

fn queries_with_search_syntax_never_reach_the_index(backend: Backend) {
    let _ = (backend, QueryError::NothingToSearch);
}

fn a_rebuilt_or_upgraded_index_finds_the_same(backend: Backend) {
    let _ = backend;
}
