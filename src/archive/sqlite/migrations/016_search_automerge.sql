-- The search index's merging (src/archive/sqlite/search.rs). Each group commit writes one new
-- FTS5 segment per index, and FTS5 merges a level's segments once `automerge` of them wait
-- (4 by default). Merging 8 at a time rewrites each entry fewer times: on the 2,000 articles
-- of the end-to-end bench, written 4 to a commit, FTS5's CPU time fell by about a fifth, and a
-- query still reads few segments (up to 8 a level). Only how the index is laid out changes.
INSERT INTO search_articles (search_articles, rank) VALUES ('automerge', 8);
INSERT INTO search_versions (search_versions, rank) VALUES ('automerge', 8);
