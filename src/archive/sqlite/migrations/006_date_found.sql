-- Migration 6: whether a version's publish time was found on the page. 0: the page showed none
-- and the document's date is the article's first capture time (a later `reprocess` with a
-- better extractor may find it). Versions stored before always had a date from the page (the
-- extractor refused pages without one) or from an imported file, hence the default.
ALTER TABLE versions ADD COLUMN date_found INTEGER NOT NULL DEFAULT 1;
