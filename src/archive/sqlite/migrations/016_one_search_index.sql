-- One search index: a search of the articles as they are now reads the rows of their latest
-- good versions in `search_versions` (src/archive/sqlite/search.rs), so the table of one row
-- per article, which indexed every new text a second time, goes.
DROP TABLE search_articles;
