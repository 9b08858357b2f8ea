//! A generated Hugo archive tree for import/export tests and the import benchmark: varied
//! documents (CJK and English, quotes and backslashes in titles, zh-CN/zh-TW/en, Tencent News
//! links in every form and other sites' links, CRLF files, a BOM, the older generator's
//! layout and hand-edited variants) and about 1% malformed files of several kinds.

use std::path::{Path, PathBuf};

use newsvault::document::Document;

/// What a generated file should give on import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Imported as the article with this canonical URL.
    Good { canonical_url: String },
    /// Skipped, reported at this line (`path:line:`).
    Bad { line: usize, what: &'static str },
}

#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// Relative to the tree root.
    pub relative: PathBuf,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

const LANGS: &[&str] = &[
    "zh-CN", "zh-CN", "zh-CN", "zh-TW", "en", "zh-CN", "en-US", "zh-HK",
];

const CJK_PARAGRAPHS: &[&str] = &[
    "新华社北京2月11日电 国家统计局11日发布数据，1月份全国居民消费价格同比上涨0.5%。",
    "“这是一个好消息。”他说，“我们会继续努力。”",
    "\\*ST威领公告称，公司股票将于明日复牌，4.8亿元的资产重组已完成。",
    "![图片](https://inews.gtimg.com/om_bt/OGrCo1pCk/641)",
    "△图片来源：视觉中国",
    "**重点提示**：以下内容仅供参考。",
    "> 文 | 记者 张三",
    "　　全角缩进的段落，保留原样。",
];

const EN_PARAGRAPHS: &[&str] = &[
    "Shares rose 3% on Tuesday after the company said revenue grew faster than expected.",
    "\"We are confident,\" the chief executive said in a statement. 'Very confident.'",
    "Analysts at [Example Bank](https://example.com/research) raised their target to $1.10.",
    "- first point\n- second point",
    "### What happens next",
    "The deal, worth C:\\Program Files\\ nothing, closed on 2025-02-11.",
];

const TITLES: &[&str] = &[
    "国家统计局：1月CPI同比上涨0.5%",
    "他说：\"这是好消息\" \\ 反斜杠",
    "Markets: \"risk-on\" returns\\again",
    "標題：臺灣新聞",
    "A title with 'single' quotes and a # hash",
    "*ST威领：复牌公告",
];

const OTHER_SITES: &[(&str, &str)] = &[
    ("infoq", "https://www.infoq.cn/article/"),
    ("pingwest", "https://www.pingwest.com/a/"),
    ("Reuters", "https://www.reuters.com/markets/"),
    ("wallstreetcn", "https://wallstreetcn.com/articles/"),
];

fn qq_id(i: usize) -> String {
    format!("2025{:02}{:02}A{:05}00", 1 + i % 12, 1 + i % 28, i)
}

fn qq_link(id: &str, i: usize) -> String {
    match i % 5 {
        0 | 1 => format!("https://new.qq.com/rain/a/{id}"),
        2 => format!("https://news.qq.com/rain/a/{id}"),
        3 => format!("https://view.inews.qq.com/a/{id}"),
        _ => format!("https://new.qq.com/omn/{}/{id}.html", &id[..8]),
    }
}

fn body(i: usize, cjk: bool) -> String {
    let paragraphs = if cjk { CJK_PARAGRAPHS } else { EN_PARAGRAPHS };
    let n = 1 + i % 6;
    let mut parts: Vec<String> = (0..n)
        .map(|k| paragraphs[(i + k * 7) % paragraphs.len()].to_owned())
        .collect();
    parts.push(format!("（{i}）"));
    if i.is_multiple_of(97) {
        // A `---` line and a link line inside the body: still body.
        parts.push("---".to_owned());
        parts.push("[qq](https://new.qq.com/rain/a/20250101A00000000)".to_owned());
        parts.push("end".to_owned());
    }
    parts.join("\n\n")
}

/// A good document `i`: (relative path, bytes, canonical URL).
fn good(i: usize) -> (PathBuf, Vec<u8>, String) {
    let lang = LANGS[i % LANGS.len()];
    let cjk = lang.starts_with("zh");
    let title = format!("{} {i}", TITLES[i % TITLES.len()]);
    let (site, id, link, canonical) = if i % 4 == 3 {
        let (site, base) = OTHER_SITES[(i / 4) % OTHER_SITES.len()];
        let id = format!("item-{i:05}");
        let link = format!("{base}{id}");
        (site.to_owned(), id, link.clone(), link)
    } else {
        let id = qq_id(i);
        let link = qq_link(&id, i);
        let canonical = format!("https://new.qq.com/rain/a/{id}");
        ("qq".to_owned(), id, link, canonical)
    };
    let document = Document {
        title,
        date: format!(
            "2025-{:02}-{:02} {:02}:{:02}:08",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60
        ),
        summary: if i.is_multiple_of(3) {
            String::new()
        } else {
            "摘要：第一段的前五十个字...".to_owned()
        },
        site: site.clone(),
        lang: lang.to_owned(),
        thumbnail: if i.is_multiple_of(5) {
            format!("https://inews.gtimg.com/cover/{i}.jpg")
        } else {
            String::new()
        },
        body: body(i, cjk),
        source_url: link,
    };
    let rendered = document.render();
    // Variants the reader accepts; stored and exported verbatim all the same.
    let text = match i % 50 {
        7 => rendered.replace('\n', "\r\n"),
        13 => format!("\u{FEFF}{rendered}"),
        21 => rendered.trim_end().to_owned(), // no final newline
        29 => rendered.replacen(
            "menu: \"\"\n",
            "menu: \"\"\nextra: [\"a\", b]  # hand edit\n",
            1,
        ),
        _ => rendered,
    };
    let relative = PathBuf::from(format!("content/{lang}/news/{site}/{id}.{lang}.md"));
    (relative, text.into_bytes(), canonical)
}

/// A malformed file `i`, of kind `k`: (bytes, the line reported, a word of the message).
fn bad(i: usize, k: usize) -> (Vec<u8>, usize, &'static str) {
    let (_, good_bytes, _) = good(i);
    let good_text = String::from_utf8(good_bytes).unwrap();
    match k % 7 {
        // The front matter is never closed.
        0 => (
            format!("---\ntitle: \"未闭合 {i}\"\ndate: \"2025-01-01 00:00:00\"\n").into_bytes(),
            1,
            "never closed",
        ),
        // An invalid escape in the title (line 2).
        1 => (
            format!("---\ntitle: \"bad \\q escape {i}\"\n---\n\nbody\n\n[qq](https://new.qq.com/rain/a/{})\n", qq_id(i))
                .into_bytes(),
            2,
            "invalid escape",
        ),
        // The link line is missing: the body's last line is reported.
        2 => {
            let cut = good_text.trim_end().rfind('\n').unwrap();
            let text = good_text[..cut].to_owned();
            let line = text.trim_end().split('\n').count();
            (text.into_bytes(), line, "source link")
        }
        // Binary garbage: not UTF-8 on line 1.
        3 => (
            vec![0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x80, b'\n', 0xc3],
            1,
            "not UTF-8",
        ),
        // An empty file.
        4 => (Vec::new(), 1, "must start with"),
        // Good front matter, but GBK bytes on line 3.
        5 => {
            let mut bytes = b"---\ntitle: \"x\"\n".to_vec();
            bytes.extend_from_slice(&[0xd6, 0xd0, 0xce, 0xc4, b'\n']);
            (bytes, 3, "not UTF-8")
        }
        // An empty source link on the last line.
        _ => {
            let text = good_text.trim_end();
            let cut = text.rfind('\n').unwrap();
            let text = format!("{}\n[qq]()\n", &text[..cut]);
            let line = text.trim_end().split('\n').count();
            (text.into_bytes(), line, "source link is empty")
        }
    }
}

/// `n` files, one in a hundred malformed (at least one of each kind when n >= 700).
pub fn generate(n: usize) -> Vec<GeneratedFile> {
    (0..n)
        .map(|i| {
            if i % 100 == 50 {
                let (bytes, line, what) = bad(i, i / 100);
                let relative = PathBuf::from(format!("content/zh-CN/news/qq/bad-{i:05}.zh-CN.md"));
                GeneratedFile {
                    relative,
                    bytes,
                    expect: Expect::Bad { line, what },
                }
            } else {
                let (relative, bytes, canonical_url) = good(i);
                GeneratedFile {
                    relative,
                    bytes,
                    expect: Expect::Good { canonical_url },
                }
            }
        })
        .collect()
}

/// Writes `files` under `root`.
pub fn write_tree(root: &Path, files: &[GeneratedFile]) {
    for file in files {
        let path = root.join(&file.relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.bytes).unwrap();
    }
}

/// Every file under `root`: relative path -> bytes, sorted.
pub fn read_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_owned(), bytes));
            }
        }
    }
    out.sort();
    out
}
