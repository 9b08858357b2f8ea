-- Migration 5: the article's author or media name (Tencent News: window.DATA.media), as the
-- last good capture gave it; feeds name it as the entry's author.
ALTER TABLE articles ADD COLUMN author TEXT;
