//! TEMPORARY stub until the doc branch merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub date: String,
    pub summary: String,
    pub site: String,
    pub lang: String,
    pub thumbnail: String,
    pub body: String,
    pub source_url: String,
}
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DocumentError {
    pub line: usize,
    pub message: String,
}
impl Document {
    pub fn render(&self) -> String {
        format!("{:?}", self)
    }
    pub fn parse(_text: &str) -> Result<Document, DocumentError> {
        Err(DocumentError {
            line: 0,
            message: "stub".into(),
        })
    }
}
pub fn summarize(plain_text: &str, _lang: &str) -> String {
    plain_text.chars().take(50).collect()
}
pub fn content_path(lang: &str, site: &str, id: &str) -> Result<std::path::PathBuf, DocumentError> {
    Ok(format!("content/{lang}/news/{site}/{id}.{lang}.md").into())
}
