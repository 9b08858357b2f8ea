-- The full-text search index (src/archive/sqlite/search.rs says how it is kept).
-- The tokens are made in Rust (src/search.rs: CJK bigrams, folded words) and stored
-- space-separated; the `ascii` tokenizer splits them exactly there. Contentless: the text
-- itself is in `versions`. The migration's hook indexes every stored version.
CREATE VIRTUAL TABLE search_articles USING fts5(
    title, body, content = '', contentless_delete = 1, tokenize = 'ascii'
);
CREATE VIRTUAL TABLE search_versions USING fts5(
    title, body, content = '', contentless_delete = 1, tokenize = 'ascii'
);
