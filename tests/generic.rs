//! Pages of sites without a module: encodings declared wrongly or not at all, `extract --json`,
//! and site keys of the documents.

mod common;

use common::newsvault;
use encoding_rs::Encoding;
use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

/// An article page in `text`'s language, encoded in `encoding`, with `declared` as its
/// `<meta charset>` (or none).
fn page_bytes(
    title: &str,
    para: &str,
    encoding: &'static Encoding,
    declared: Option<&str>,
) -> Vec<u8> {
    let meta = declared
        .map(|d| format!("<meta charset=\"{d}\">"))
        .unwrap_or_default();
    let html = format!(
        "<html><head>{meta}<title>{title}</title>\
         <meta property=\"article:published_time\" content=\"2024-05-01T10:00:00+08:00\"></head>\
         <body><h1>{title}</h1><div class=\"content\">{}</div></body></html>",
        format!("<p>{para}</p>").repeat(5)
    );
    let (bytes, _, unmappable) = encoding.encode(&html);
    assert!(!unmappable, "text not representable in {}", encoding.name());
    bytes.into_owned()
}

fn extract(bytes: &[u8], url: &str) -> (newsvault::extract::Article, &'static str, bool) {
    let saved = extract_saved_page(bytes, url, &Config::default()).unwrap();
    match saved.extraction {
        Extraction::Article(a) => (a, saved.encoding, saved.decode_errors),
        other => panic!("{url}: {other:?}"),
    }
}

#[test]
fn legacy_encodings_declared_wrongly_or_not_at_all() {
    let zh = "国务院总理今天在北京主持召开常务会议，研究部署进一步扩大内需的政策措施，会议指出，要稳定就业。";
    let tw = "行政院長今天在臺北主持會議，研究部署進一步擴大內需的政策措施，會議指出，要穩定就業與經濟。";
    let ja = "政府は今日、東京で会議を開き、内需を拡大するための政策を検討した。会議では、雇用の安定が議論された。";
    let ko = "정부는 오늘 서울에서 회의를 열고 내수 확대를 위한 정책을 논의했다. 회의에서는 고용 안정이 강조되었다.";
    let ru = "Правительство сегодня провело заседание в Москве, чтобы обсудить меры по расширению внутреннего спроса и занятости.";
    let cz = "Vláda dnes v Praze projednala opatření na podporu domácí poptávky, zaměstnanosti a stability žluťoučkých koní.";
    let cases: &[(&str, &str, &'static Encoding, &str, &str)] = &[
        (zh, "新闻标题", encoding_rs::GBK, "news.example.cn", "GBK"),
        (
            zh,
            "新闻标题",
            encoding_rs::GB18030,
            "news.example.cn",
            "gb18030",
        ),
        (
            tw,
            "新聞標題",
            encoding_rs::BIG5,
            "news.example.com.tw",
            "Big5",
        ),
        (
            ja,
            "ニュース見出し",
            encoding_rs::SHIFT_JIS,
            "news.example.jp",
            "Shift_JIS",
        ),
        (
            ko,
            "뉴스 제목",
            encoding_rs::EUC_KR,
            "news.example.kr",
            "EUC-KR",
        ),
        (
            ru,
            "Заголовок новости",
            encoding_rs::WINDOWS_1251,
            "news.example.ru",
            "windows-1251",
        ),
        (
            cz,
            "Titulek zprávy",
            encoding_rs::WINDOWS_1250,
            "news.example.cz",
            "windows-1250",
        ),
    ];
    for &(para, title, encoding, host, label) in cases {
        let url = format!("https://{host}/2024/05/01/story-123456.html");
        // Not declared at all: detection (steered by the host's TLD).
        let (a, enc, errors) = extract(&page_bytes(title, para, encoding, None), &url);
        assert_eq!(a.title, title, "{label} undeclared");
        assert!(
            a.body.plain_text.contains(para),
            "{label} undeclared: {}",
            a.body.plain_text
        );
        assert!(!errors, "{label}");
        let _ = enc;
        // Declared as UTF-8 (wrongly): CJK pages are re-detected, and replacement is reported
        // when the bytes cannot be read as declared.
        let saved = extract_saved_page(
            &page_bytes(title, para, encoding, Some("utf-8")),
            &url,
            &Config::default(),
        )
        .unwrap();
        let is_cjk = ["GBK", "gb18030", "Big5", "Shift_JIS", "EUC-KR"].contains(&label);
        if is_cjk {
            let Extraction::Article(a) = saved.extraction else {
                panic!("{label}: {:?}", saved.extraction)
            };
            assert!(a.body.plain_text.contains(para), "{label} declared utf-8");
            assert!(!saved.decode_errors, "{label}");
        } else {
            assert!(
                saved.decode_errors,
                "{label}: wrong declaration reported as replacement"
            );
        }
    }
    // UTF-8 bytes that still declare gb2312 (re-saved pages): read as UTF-8.
    let (a, enc, errors) = extract(
        &page_bytes("新闻标题", zh, encoding_rs::UTF_8, Some("gb2312")),
        "https://news.example.cn/a/123456.html",
    );
    assert_eq!(
        (a.title.as_str(), enc, errors),
        ("新闻标题", "UTF-8", false)
    );
    assert_eq!(a.lang, "zh-CN");
    // Traditional Chinese text is told apart.
    let (a, _, _) = extract(
        &page_bytes("新聞標題", tw, encoding_rs::BIG5, Some("big5")),
        "https://news.example.com.tw/a/123456.html",
    );
    assert_eq!(a.lang, "zh-TW");
}

#[test]
fn broken_bytes_never_panic_and_are_reported() {
    let mut bytes = page_bytes(
        "Title here",
        "A paragraph of running text, with commas, clauses and words enough to count.",
        encoding_rs::UTF_8,
        Some("utf-8"),
    );
    let at = bytes.len() / 2;
    bytes.splice(at..at, [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82]);
    let saved = extract_saved_page(
        &bytes,
        "https://example.org/news/123456",
        &Config::default(),
    )
    .unwrap();
    assert!(saved.decode_errors);
}

#[test]
fn extract_json_prints_one_record_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let quality = common::fixture_path("quality/pages");
    let a = quality.join("zh-xinhuanet_1.html");
    let b = quality.join("zh-sina_5.html");
    let list = dir.path().join("list.html");
    let links: String = (0..40)
        .map(|i| format!("<li><a href=\"/n/{i}.html\">第{i}条新闻的标题在这里，足够长</a></li>"))
        .collect();
    std::fs::write(
        &list,
        format!("<html><head><title>列表</title></head><body><ul>{links}</ul></body></html>"),
    )
    .unwrap();
    let missing = dir.path().join("missing.html");
    let files = [
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        list.to_str().unwrap(),
        missing.to_str().unwrap(),
    ];
    let mut args = vec!["extract", "--json"];
    args.extend(files);
    let out = newsvault(&args, dir.path());
    assert!(!out.status.success(), "not every file is an article");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 4, "{stdout}");

    let x = &records[0];
    assert_eq!(x["outcome"], "article");
    assert_eq!(x["title"], "法国全国大罢工再次严重影响交通");
    assert_eq!(x["date"], "2019-12-10 07:57:40");
    assert_eq!(x["lang"], "zh-CN");
    assert_eq!(
        x["site"], "local",
        "no --url and no canonical link: a local file"
    );
    assert!(
        x["markdown"]
            .as_str()
            .unwrap()
            .contains("新华社巴黎12月9日电")
    );
    assert!(x["plain_text"].as_str().unwrap().contains("新华社巴黎"));
    assert_eq!(x["encoding"], "UTF-8");
    assert_eq!(x["decode_errors"], false);
    assert!(x["summary"].as_str().unwrap().ends_with("..."));

    let s = &records[1];
    assert_eq!(s["site"], "sina", "og:url names the page's address");
    assert_eq!(s["id"], "iicezuev4202091");
    assert_eq!(
        s["canonical_url"],
        "https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml"
    );
    assert_eq!(s["author"], "环球网");
    assert_eq!(records[2]["outcome"], "not_article");
    assert!(records[2]["reason"].as_str().unwrap().contains("list page"));
    assert_eq!(records[3]["outcome"], "error");

    // Without --json: the archive document, filed under the given URL's site.
    let out = newsvault(
        &[
            "extract",
            b.to_str().unwrap(),
            "--url",
            "https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml?from=timeline",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = String::from_utf8(out.stdout).unwrap();
    assert!(doc.contains("categories:\n  - \"sina\""), "{doc}");
    assert!(
        doc.ends_with("[sina](https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml)\n"),
        "{doc}"
    );
}
