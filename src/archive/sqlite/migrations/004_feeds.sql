-- Migration 3: what the feeds and the web UI read, one page at a time. Every list is read
-- newest first from an index and stops at the page size (keyset paging), so serving a page
-- costs the size of the page, never the size of the archive.

-- Site feeds and the UI's site filter: one site's articles, newest archived first.
CREATE INDEX articles_site_id ON articles (site, id);

-- The changes feed: every event except minor versions (whitespace/punctuation), newest first.
CREATE INDEX versions_events ON versions (id) WHERE kind <> 'minor';

-- Tombstones (RFC 6721) in the site feeds: the latest removals, newest first.
CREATE INDEX versions_removals ON versions (id) WHERE kind = 'removed';
