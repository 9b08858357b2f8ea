-- Migration 6: the full-text search index, as SQLite's 013_search.sql (src/archive/postgres/search.rs
-- says how it is kept). The tokens are made in Rust (src/search.rs) and stored as tsvector
-- literals with their positions; the migration then indexes every stored version (in Rust).
CREATE TABLE search_articles (
    article_id bigint   PRIMARY KEY REFERENCES articles (id),
    tsv        tsvector NOT NULL
);
CREATE INDEX search_articles_tsv ON search_articles USING gin (tsv);

CREATE TABLE search_versions (
    version_id bigint   PRIMARY KEY REFERENCES versions (id),
    article_id bigint   NOT NULL REFERENCES articles (id),
    tsv        tsvector NOT NULL
);
CREATE INDEX search_versions_tsv ON search_versions USING gin (tsv);
