-- One search table (src/archive/sqlite/search.rs): a search of the latest texts reads
-- `search_versions` and keeps each article's latest version with a document, so the table of
-- the latest text per article, which cost every new version a second FTS5 write, goes.
DROP TABLE search_articles;
