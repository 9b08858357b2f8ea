//! Copying a whole archive from one backend to another (`newsvault copy SRC DST`): every table,
//! row ids included, raw captures as stored (compressed bytes, not re-encoded), through the
//! storage interface ([`crate::archive::Exports::rows_page`] and
//! [`crate::archive::Imports::load_rows`]): no SQL outside the backends.
//!
//! Tables are copied in foreign-key order, a page at a time in key order. Loading skips rows
//! whose key is already there, so an interrupted copy is resumed by running it again; at the
//! end every table must hold as many rows as the source's, or the copy fails saying which
//! (a destination that already held other data).

use super::{Archive, ArchiveError};

/// How a column's values are carried between backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Bytes,
    /// Stored as 0/1 by SQLite, as boolean by PostgreSQL.
    Bool,
}

/// One value of a copied row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyValue {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// A table as copied: its name, its key (the first column) and its columns.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
}

impl TableSpec {
    /// The key column: the first one (`id`, or `hash` for blobs).
    pub fn key(&self) -> &'static str {
        self.columns[0].0
    }

    /// Whether the key is an identity the destination must continue after.
    pub fn has_identity(&self) -> bool {
        self.columns[0] == ("id", ColumnType::Int)
    }

    /// The column names, comma-separated.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use ColumnType::{Bool, Bytes, Int, Text};

/// Every table of an archive, parents before children.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "blobs",
        columns: &[
            ("hash", Text),
            ("size", Int),
            ("compression", Text),
            ("data", Bytes),
        ],
    },
    TableSpec {
        name: "articles",
        columns: &[
            ("id", Int),
            ("canonical_url", Text),
            ("site", Text),
            ("site_article_id", Text),
            ("lang", Text),
            ("first_seen_at", Text),
            ("last_checked_at", Text),
            ("last_changed_at", Text),
            ("status", Text),
            ("latest_seq", Int),
            ("etag", Text),
            ("last_modified", Text),
            ("next_check_at", Text),
            ("removal_signal", Text),
            ("removal_pending", Int),
            ("removal_pending_since", Text),
            ("author", Text),
        ],
    },
    TableSpec {
        name: "versions",
        columns: &[
            ("id", Int),
            ("article_id", Int),
            ("seq", Int),
            ("kind", Text),
            ("origin", Text),
            ("fetched_at", Text),
            ("content_hash", Text),
            ("document", Text),
            ("title", Text),
            ("published", Text),
            ("http_status", Int),
            ("final_url", Text),
            ("raw_hash", Text),
            ("content_type", Text),
            ("encoding", Text),
            ("extractor", Text),
            ("import_path", Text),
            ("removal_signal", Text),
            ("diff", Text),
            ("date_found", Bool),
        ],
    },
    TableSpec {
        name: "version_images",
        columns: &[
            ("id", Int),
            ("version_id", Int),
            ("position", Int),
            ("role", Text),
            ("url", Text),
            ("blob_hash", Text),
            ("content_type", Text),
            ("size", Int),
            ("outcome", Text),
            ("detail", Text),
            ("attempts", Int),
            ("fetched_at", Text),
        ],
    },
    TableSpec {
        name: "superseded_documents",
        columns: &[
            ("id", Int),
            ("version_id", Int),
            ("document", Text),
            ("content_hash", Text),
            ("extractor", Text),
            ("superseded_at", Text),
        ],
    },
    TableSpec {
        name: "version_screenshots",
        columns: &[
            ("id", Int),
            ("version_id", Int),
            ("kind", Text),
            ("blob_hash", Text),
            ("width", Int),
            ("height", Int),
            ("outcome", Text),
            ("detail", Text),
            ("took_ms", Int),
            ("captured_at", Text),
        ],
    },
    TableSpec {
        name: "fetches",
        columns: &[
            ("id", Int),
            ("url", Text),
            ("canonical_url", Text),
            ("article_id", Int),
            ("started_at", Text),
            ("duration_ms", Int),
            ("attempts", Int),
            ("http_status", Int),
            ("final_url", Text),
            ("outcome", Text),
            ("detail", Text),
            ("bytes", Int),
            ("encoding", Text),
            ("decode_errors", Bool),
        ],
    },
    TableSpec {
        name: "sources",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("kind", Text),
            ("last_poll_at", Text),
            ("last_success_at", Text),
            ("next_poll_at", Text),
            ("last_error", Text),
            ("etag", Text),
            ("last_modified", Text),
            ("interval_s", Int),
            ("polls", Int),
            ("errors", Int),
            ("items_listed", Int),
            ("items_queued", Int),
        ],
    },
    TableSpec {
        name: "queue",
        columns: &[
            ("id", Int),
            ("url", Text),
            ("source_id", Int),
            ("enqueued_at", Text),
            ("kind", Text),
            ("title", Text),
            ("published", Text),
            ("listing", Text),
            ("state", Text),
            ("attempts", Int),
            ("not_before", Text),
            ("finished_at", Text),
            ("outcome", Text),
        ],
    },
];

/// Rows read and loaded per round trip.
const PAGE: usize = 200;

/// What a copy did, per table: (table, rows in the source, rows newly loaded).
pub type CopyReport = Vec<(&'static str, u64, u64)>;

/// Copies every table of `source` into `dest` (see the module comment). `progress` is told
/// the total row count first, then each page's row count as it is done.
pub fn copy_archive(
    source: &Archive,
    dest: &mut Archive,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<CopyReport, ArchiveError> {
    let mut totals = Vec::new();
    for table in TABLES {
        totals.push(source.count_rows(table)?);
    }
    progress(CopyProgress::Total(totals.iter().sum()));
    let mut report = Vec::new();
    for (table, total) in TABLES.iter().zip(totals) {
        let loaded = copy_table(source, dest, table, progress)?;
        report.push((table.name, total, loaded));
    }
    dest.finish_load()?;
    // The search index is derived from the versions, not copied: built where they now are.
    dest.rebuild_search_index()?;
    for (table, total, _) in &report {
        let spec = TABLES
            .iter()
            .find(|t| t.name == *table)
            .expect("known table");
        let found = dest.count_rows(spec)?;
        if found != *total {
            return Err(ArchiveError::Corrupt(format!(
                "after the copy, table {table} holds {found} rows, the source {total}: the \
                 destination already held other data"
            )));
        }
    }
    Ok(report)
}

/// What [`copy_archive`] reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyProgress {
    /// Rows to copy, all tables together.
    Total(u64),
    /// This many more rows were copied (or found already there).
    Done(u64),
}

fn copy_table(
    source: &Archive,
    dest: &mut Archive,
    table: &TableSpec,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<u64, ArchiveError> {
    let mut after: Option<CopyValue> = None;
    let mut loaded = 0;
    loop {
        let rows = source.rows_page(table, after.as_ref(), PAGE)?;
        if rows.is_empty() {
            return Ok(loaded);
        }
        loaded += dest.load_rows(table, &rows)?;
        progress(CopyProgress::Done(rows.len() as u64));
        after = rows.last().map(|row| row[0].clone());
        if rows.len() < PAGE {
            return Ok(loaded);
        }
    }
}
