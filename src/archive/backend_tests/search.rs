//! Full-text search on both backends, over real documents: a Tencent News article about
//! DeepSeek (`tests/fixtures/golden`), two of the older generator's articles about funds and
//! investment, and an English Ars Technica body (`tests/fixtures/quality`).

use super::*;
use crate::archive::search::{SearchText, rank};
use crate::document::Document;
use crate::search::{MAX_TERMS, Query, QueryError};

on_both_backends!(
    chinese_words_latin_words_and_phrases_are_found_with_snippets,
    the_best_match_ranks_first,
    a_common_word_gives_its_newest_matches,
    an_edited_out_sentence_is_found_only_in_all_versions,
    a_removed_article_stays_findable_marked_removed,
    queries_with_search_syntax_never_reach_the_index,
    a_rebuilt_or_upgraded_index_finds_the_same,
    a_group_indexes_its_kept_units_when_it_commits,
    tokens_made_before_the_write_are_used_only_for_their_own_text,
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
    archive_with_tokens(a, (site, id), document, secs, None)
}

/// [`archive_document`], with search tokens made before the write.
fn archive_with_tokens(
    a: &mut Archive,
    (site, id): (&str, &str),
    document: &str,
    secs: i64,
    search: Option<SearchText>,
) -> String {
    let url = format!("https://news.example/{site}/{id}");
    let title = Document::parse(document).unwrap().title;
    let raw = format!("<html>{id} {secs}</html>");
    a.record_capture(&NewCapture {
        canonical_url: &url,
        site,
        site_article_id: id,
        title: &title,
        document,
        raw: RawBlob::new(raw.as_bytes()).unwrap(),
        search,
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
    // A two-character word, in the body only.
    assert_eq!(latest(&a, "中美"), [DEEPSEEK_中美]);
    // A Latin word in Chinese text, whatever its case or width.
    let deepseek = [DEEPSEEK_DEEPSEEK];
    assert_eq!(latest(&a, "DeepSeek"), deepseek);
    assert_eq!(latest(&a, "deepseek"), deepseek);
    assert_eq!(latest(&a, "ＤＥＥＰＳＥＥＫ"), deepseek);
    // Every word must be there; the snippet shows the window with both.
    assert_eq!(latest(&a, "deepseek 芯片"), [DEEPSEEK_BOTH]);
    // A longer word is a phrase of bigrams, in order.
    assert_eq!(latest(&a, "\"中美科技竞争\""), [DEEPSEEK_PHRASE]);
    assert_eq!(latest(&a, "中美科技竞争").len(), 1);
    assert!(latest(&a, "科技中美").is_empty());
    assert_eq!(latest(&a, "存储芯片"), [FUNDS_STORAGE]);
    // A word in three articles: the short one with two hits first, the one with one last.
    let chips = latest(&a, "芯片");
    let ids: Vec<&str> = chips.iter().map(|r| &r[..19]).collect();
    assert_eq!(
        ids,
        [
            "qq/20250211A013J400",
            "qq/20260819A038M200",
            "qq/20260819A05ZBA00"
        ]
    );
    assert_eq!(chips[2], CONSUMPTION_CHIPS);
    // English: words anywhere (title and body marked), and a phrase.
    assert_eq!(latest(&a, "Minecraft server"), [ARS_WORDS]);
    assert_eq!(latest(&a, "\"server hosting\""), [ARS_PHRASE]);
    assert!(latest(&a, "\"hosting server\"").is_empty());
    // A site filter; a lone character is the start of a token.
    let in_site = |site: &str, q: &str| {
        let query = Query::parse(q).unwrap();
        let options = SearchOptions {
            site: Some(site),
            limit: 10,
            ..SearchOptions::default()
        };
        a.search(&query, &options).unwrap().results.len()
    };
    assert_eq!(
        (
            in_site("ars", "芯片"),
            in_site("qq", "芯片"),
            in_site("ars", "server")
        ),
        (0, 3, 1)
    );
    assert_eq!(latest(&a, "芯").len(), 3);
    // A phrase ending in a lone character: the start of the text's next bigram.
    let storage = latest(&a, "存储芯");
    assert_eq!(storage.len(), 1);
    assert!(storage[0].contains("深耕[存储芯]片赛道"), "{storage:?}");
}

fn the_best_match_ranks_first(backend: Backend) {
    let (mut a, _side) = open(backend);
    let document = |title: &str, body: &str| {
        Document {
            title: title.into(),
            body: body.into(),
            ..Document::parse(DEEPSEEK).unwrap()
        }
        .render()
    };
    let once = "美国大力限制中国获得人工智能先进芯片，但这种限制取得的效果有限。";
    let other = "这番表态多少有些让人惊讶，似乎展现了美国决策者愿意用非零和视角看待科技竞争。";
    let docs = [
        (
            "once",
            document("人工智能的竞争", &format!("{other}\n\n{once}")),
        ),
        (
            "title",
            document("先进芯片之争", &format!("{other}\n\n{once}")),
        ),
        (
            "twice",
            document("人工智能的竞争", &format!("{once}\n\n{other}\n\n{once}")),
        ),
    ];
    for (i, (id, doc)) in docs.iter().enumerate() {
        archive_document(&mut a, "qq", id, doc, i as i64);
    }
    let found = search(&a, "芯片", SearchScope::Latest);
    let order: Vec<&str> = found
        .results
        .iter()
        .map(|r| r.found.site_article_id.as_str())
        .collect();
    assert_eq!(order, ["title", "twice", "once"]);
    let scores: Vec<f64> = found.results.iter().map(|r| r.score).collect();
    assert!(scores[0] > scores[1] && scores[1] > scores[2], "{scores:?}");
    assert_eq!(
        found.results[0]
            .title
            .render("<mark>", "</mark>", str::to_owned),
        "先进<mark>芯片</mark>之争"
    );
    // Paging: the second page of one result starts where the first ended.
    let query = Query::parse("芯片").unwrap();
    let page = |offset| {
        let options = SearchOptions {
            offset,
            limit: 1,
            ..SearchOptions::default()
        };
        let page = a.search(&query, &options).unwrap();
        (page.results[0].found.site_article_id.clone(), page.more)
    };
    assert_eq!(
        [page(0), page(1), page(2)],
        [
            ("title".into(), true),
            ("twice".into(), true),
            ("once".into(), false)
        ]
    );
    // More matches than a search ranks: the newest are ranked, a title hit first.
    let newest = a
        .search_candidates(&query, SearchScope::Latest, None, 2)
        .unwrap();
    let ids: Vec<i64> = rank(newest).iter().map(|c| c.article_id).collect();
    let id_of = |id: &str| a.article_summary("qq", id).unwrap().unwrap().id;
    assert_eq!(ids, [id_of("title"), id_of("twice")]);
}

/// More matches than a search ranks (here: 1): the newest one, in both scopes, whichever way
/// the backend reads them.
fn a_common_word_gives_its_newest_matches(backend: Backend) {
    let (mut a, _side) = open(backend);
    let urls = archive_all(&mut a);
    let edited = DEEPSEEK.replace(EDITED_OUT, "");
    for i in 0..6 {
        archive_document(&mut a, "qq", &format!("copy-{i}"), &edited, 100 + i);
    }
    // The newest article does not have the word: the newest match is the one before.
    archive_document(&mut a, "qq", "last", FUNDS, 200);
    let query = Query::parse("中美").unwrap();
    let newest = a.article_summary("qq", "copy-5").unwrap().unwrap();
    for scope in [SearchScope::Latest, SearchScope::AllVersions] {
        let found = a.search_candidates(&query, scope, None, 1).unwrap();
        assert_eq!(found.len(), 1, "{scope:?}");
        assert_eq!(found[0].article_id, newest.id, "{scope:?}");
        let all = a.search_candidates(&query, scope, None, 100).unwrap();
        assert_eq!(all.len(), 7, "{scope:?}");
    }
    // A phrase whose tokens are everywhere but which is nowhere.
    assert!(latest(&a, "科技中美").is_empty());
    assert_eq!(
        a.search_candidates(
            &Query::parse("科技中美").unwrap(),
            SearchScope::Latest,
            None,
            1
        )
        .unwrap(),
        []
    );
    assert_eq!(urls.len(), 4);
}

const EDITED_OUT: &str = "美国国家安全委员会已针对DeepSeek展开调查。";

fn an_edited_out_sentence_is_found_only_in_all_versions(backend: Backend) {
    let (mut a, _side) = open(backend);
    archive_all(&mut a);
    let edited = DEEPSEEK.replace(EDITED_OUT, "");
    assert_ne!(edited, DEEPSEEK);
    archive_document(&mut a, "qq", "20250211A013J400", &edited, 100);
    assert!(latest(&a, "国家安全委员会").is_empty());
    assert_eq!(
        shown(&search(&a, "国家安全委员会", SearchScope::AllVersions)),
        [DEEPSEEK_EDITED_OUT]
    );
    // Every version has the other words: the article is one result, in its latest version.
    let all = search(&a, "中美", SearchScope::AllVersions);
    let seqs: Vec<u32> = all.results.iter().map(|r| r.found.seq).collect();
    assert_eq!(seqs, [2]);
    assert_eq!(latest(&a, "中美")[0][..23], *"qq/20250211A013J400 v2:");
}

fn a_group_indexes_its_kept_units_when_it_commits(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.begin_group().unwrap();
    a.in_unit(|a| {
        archive_document(a, "qq", "20250211A013J400", DEEPSEEK, 0);
        Ok(())
    })
    .unwrap();
    let dropped: Result<(), ArchiveError> = a.in_unit(|a| {
        archive_document(a, "qq", "20260819A038M200", FUNDS, 10);
        Err(ArchiveError::OutOfRange("a later step failed".into()))
    });
    assert!(dropped.is_err());
    // Two versions of one article in one group: the article's row holds the second.
    let edited = ars_document().replace("Minecraft", "Terraria");
    a.in_unit(|a| {
        archive_document(a, "ars", "minecraft", &ars_document(), 20);
        archive_document(a, "ars", "minecraft", &edited, 30);
        Ok(())
    })
    .unwrap();
    a.commit_group().unwrap();
    assert_eq!(latest(&a, "中美"), [DEEPSEEK_中美]);
    assert!(
        latest(&a, "存储芯片").is_empty(),
        "the rolled-back unit is not indexed"
    );
    assert!(latest(&a, "Minecraft").is_empty());
    assert_eq!(latest(&a, "Terraria").len(), 1);
    let all = search(&a, "Minecraft", SearchScope::AllVersions);
    let seqs: Vec<u32> = all.results.iter().map(|r| r.found.seq).collect();
    assert_eq!(seqs, [1]);
}

fn tokens_made_before_the_write_are_used_only_for_their_own_text(backend: Backend) {
    let (mut a, _side) = open(backend);
    let tokens = |document: &str| {
        let title = Document::parse(document).unwrap().title;
        Some(SearchText::new(&title, document))
    };
    a.begin_group().unwrap();
    a.in_unit(|a| {
        archive_with_tokens(a, ("qq", "20250211A013J400"), DEEPSEEK, 0, tokens(DEEPSEEK));
        // Tokens of another document (a caller's mistake) are not what gets indexed.
        archive_with_tokens(
            a,
            ("qq", "20260819A038M200"),
            FUNDS,
            10,
            tokens(CONSUMPTION),
        );
        Ok(())
    })
    .unwrap();
    a.commit_group().unwrap();
    // Outside a group, and tokens of the same body under another title.
    let ars = ars_document();
    let retitled = Some(SearchText::new("Terraria", &ars));
    archive_with_tokens(&mut a, ("ars", "minecraft"), &ars, 20, retitled);
    assert_eq!(latest(&a, "中美"), [DEEPSEEK_中美]);
    assert_eq!(
        latest(&a, "存储芯片").len(),
        1,
        "the funds article's own text"
    );
    assert!(latest(&a, "三新").is_empty(), "not the tokens given");
    assert!(latest(&a, "Terraria").is_empty());
    assert_eq!(
        search(&a, "Minecraft", SearchScope::AllVersions).results[0]
            .found
            .title,
        "Minecraft flaw lets anyone crash a server"
    );
}

fn a_removed_article_stays_findable_marked_removed(backend: Backend) {
    let (mut a, _side) = open(backend);
    let urls = archive_all(&mut a);
    let state = a
        .record_removal(&urls[0], &sighting(500), 1, Duration::ZERO)
        .unwrap();
    assert!(matches!(state, RemovalState::Confirmed { .. }), "{state:?}");
    let found = search(&a, "中美", SearchScope::Latest);
    let hit = &found.results[0].found;
    assert_eq!(
        (hit.status, hit.seq, hit.latest_seq),
        (ArticleStatus::Removed, 1, 2)
    );
    assert_eq!(shown(&found), [DEEPSEEK_中美]);
    assert_eq!(
        search(&a, "中美", SearchScope::AllVersions).results.len(),
        1
    );
}

fn queries_with_search_syntax_never_reach_the_index(backend: Backend) {
    let (mut a, _side) = open(backend);
    archive_all(&mut a);
    for (query, results) in [
        ("-中美", 1),
        ("中美*", 1),
        ("中美 OR 芯片", 0),
        ("NEAR(中美 DeepSeek)", 0),
        ("\"中美", 1),
        ("中美\"", 1),
        ("\"中美\" \"", 1),
        ("^中美", 1),
        ("title:中美", 0),
        ("{title body}: 中美", 0),
        ("'中美' AND (芯片)", 0),
        ("中美 & !芯片 | <-> :*", 1),
        ("\\中美\\", 1),
        ("%_中美_%", 1),
    ] {
        let found = search(&a, query, SearchScope::Latest).results.len();
        assert_eq!(found, results, "{query}");
        assert_eq!(
            search(&a, query, SearchScope::AllVersions).results.len(),
            results,
            "{query}"
        );
    }
    for nothing in ["", "   ", "\"", "\"\"", "*", "-", "()", "：，。！"] {
        assert_eq!(
            Query::parse(nothing),
            Err(QueryError::NothingToSearch),
            "{nothing:?}"
        );
    }
    let long: Vec<String> = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect();
    let long = long.join(" ");
    assert_eq!(Query::parse(&long), Err(QueryError::TooLong));
}

fn a_rebuilt_or_upgraded_index_finds_the_same(backend: Backend) {
    let (mut a, mut side, location) = open_at(backend);
    let urls = archive_all(&mut a);
    archive_document(
        &mut a,
        "qq",
        "20250211A013J400",
        &DEEPSEEK.replace(EDITED_OUT, ""),
        100,
    );
    a.record_removal(&urls[1], &sighting(500), 1, Duration::ZERO)
        .unwrap();
    let before = (
        latest(&a, "芯片"),
        shown(&search(&a, "国家安全委员会", SearchScope::AllVersions)),
    );
    let counter = a.change_counter().unwrap();
    let counts = a.rebuild_search_index().unwrap();
    assert_eq!(
        counts,
        IndexCounts {
            articles: 4,
            versions: 5
        }
    );
    // Cached search answers must go: the counter moved.
    assert!(a.change_counter().unwrap() > counter);
    let after = (
        latest(&a, "芯片"),
        shown(&search(&a, "国家安全委员会", SearchScope::AllVersions)),
    );
    assert_eq!(after, before);
    // An archive from before the index: opening it builds the index.
    drop(a);
    // Back to the schema before the search migration (SQLite's file 013, PostgreSQL's 006):
    // the migrations after it (images, screenshots, the queue's claim order; SQLite's 016 sets
    // options of the search tables, and 017 drops one of them) are undone too.
    side.execute(
        "DROP TABLE version_screenshots; DROP TABLE version_images;
         DELETE FROM row_counts WHERE name = 'screenshots';
         DROP INDEX queue_claimable;",
    );
    side.execute(&match backend {
        Backend::Sqlite => format!(
            "DROP TABLE search_versions; PRAGMA user_version = {};",
            SCHEMA_VERSION - 6
        ),
        Backend::Postgres => format!(
            "DROP TABLE search_versions, search_articles;
             DELETE FROM newsvault_schema WHERE version >= {};",
            super::super::postgres::PG_SCHEMA_VERSION - 3
        ),
    });
    let a = connect(Path::new(&location), Mode::ReadWrite).unwrap();
    let upgraded = (
        latest(&a, "芯片"),
        shown(&search(&a, "国家安全委员会", SearchScope::AllVersions)),
    );
    assert_eq!(upgraded, before);
}

/// [`open`], and where the archive is.
fn open_at(backend: Backend) -> (Archive, SideDoor, String) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("archive.db");
            let archive = connect(&path, Mode::ReadWrite).unwrap();
            let conn = rusqlite::Connection::open(&path).unwrap();
            let location = path.to_str().unwrap().to_owned();
            (archive, SideDoor::Sqlite(conn, dir), location)
        }
        Backend::Postgres => {
            let url = throwaway::fresh_database();
            let archive = connect(Path::new(&url), Mode::ReadWrite).unwrap();
            let client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
            (archive, SideDoor::Postgres(client), url)
        }
    }
}

/// Expected results (`site/id vSEQ: title | snippet`, matches in brackets).
const DEEPSEEK_中美: &str = "qq/20250211A013J400 v1: 赵明昊：摆脱“输赢视角”，共促AI发展 | …讶，似乎展现了美国决策者愿意用“非零和”视角看待[中美]科技竞争，这是值得鼓励的。当然，我们也不能过分乐观。美国国家安全委员会已针对DeepSeek展开调查。美国新任商务部长卢特尼克宣称，DeepSeek的成就并非通过合法途径获得，“而是通过窃…";
const DEEPSEEK_DEEPSEEK: &str = "qq/20250211A013J400 v1: 赵明昊：摆脱“输赢视角”，共促AI发展 | …宽政府管制，支持美国企业加快研发步伐。 美国对于[DeepSeek]的认知不乏焦虑、矛盾和纠结。硅谷风险投资家马克·安德森认为，[DeepSeek]的成功是美国的又一个“斯普特尼克时刻”。大卫·萨克斯等人则认为，[DeepSeek]事件表明美国在人工智…";
const DEEPSEEK_BOTH: &str = "qq/20250211A013J400 v1: 赵明昊：摆脱“输赢视角”，共促AI发展 | …虑、矛盾和纠结。硅谷风险投资家马克·安德森认为，[DeepSeek]的成功是美国的又一个“斯普特尼克时刻”。大卫·萨克斯等人则认为，[DeepSeek]事件表明美国在人工智能领域的领先优势并非必然。尽管美国大力限制中国获得人工智能先进[芯片]，但这种限…";
const DEEPSEEK_PHRASE: &str = "qq/20250211A013J400 v1: 赵明昊：摆脱“输赢视角”，共促AI发展 | …讶，似乎展现了美国决策者愿意用“非零和”视角看待[中美科技竞争]，这是值得鼓励的。当然，我们也不能过分乐观。美国国家安全委员会已针对DeepSeek展开调查。美国新任商务部长卢特尼克宣称，DeepSeek的成就并非通过合法途径获得，“而是通过窃…";
const CONSUMPTION_CHIPS: &str = "qq/20260819A05ZBA00 v1: 6000个“三新”项目加速落地：3000亿元投资瞄准哪些消费新场景？ | …是“人工智能+消费”。过去两年AI投资主要集中在[芯片]、算力中心和大模型。但如果AI最终不能进入普通人的消费生活，那么它仍然更多是一项基础设施投资。现在政策开始尝试推动AI从后台走向前台。深圳提出建设面向公众、持续运营的“人工智能+消费”标杆…";
const ARS_WORDS: &str = "ars/minecraft v1: [Minecraft] flaw lets anyone crash a [server] | …popular online game [Minecraft] makes it easy for just about anyone to crash the [server] hosting the game, according to…";
const ARS_PHRASE: &str = "ars/minecraft v1: Minecraft flaw lets anyone crash a server | …anyone to crash the [server hosting] the game, according to a computer programmer who has released proof-of-concept…";
const FUNDS_STORAGE: &str = "qq/20260819A038M200 v1: 权益规模增量超1100亿！公募黑马永赢基金，高速扩张背后藏隐忧 | …道、高端装备智选布局商业航天领域、半导体智选深耕[存储芯片]赛道。 系列产品均采用极致赛道化配置策略，单只基金聚焦单一细分产业，前十大重仓股占比普遍超80%，赛道集中度甚至高于主流行业ETF，工具属性极强。 这套模式的核心优势，是重构了公司的人…";
const DEEPSEEK_EDITED_OUT: &str = "qq/20250211A013J400 v1: 赵明昊：摆脱“输赢视角”，共促AI发展 | …，这是值得鼓励的。当然，我们也不能过分乐观。美国[国家安全委员会]已针对DeepSeek展开调查。美国新任商务部长卢特尼克宣称，DeepSeek的成就并非通过合法途径获得，“而是通过窃取美国知识产权、绕过美出口管制等手段推动大模型开发”，美国商…";
