//! How the archive's vocabularies ([`super::kinds`]) are stored in SQLite: as their names.

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::archive::images::{ImageOutcome, ImageRole};
use crate::archive::kinds::{
    ArticleStatus, FetchOutcome, QueueStatus, ShotKind, ShotOutcome, VersionKind, VersionOrigin,
};

macro_rules! stored_as_name {
    ($($name:ty),+) => {$(
        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
    )+};
}

stored_as_name!(
    ShotKind,
    ShotOutcome,
    VersionKind,
    ArticleStatus,
    FetchOutcome,
    QueueStatus,
    VersionOrigin,
    ImageRole,
    ImageOutcome
);

/// SQL selecting a version's stored kind as `kind` and the kind of the version before it as
/// `previous_kind`, for `versions v`; [`reported_kind`] reads the pair.
macro_rules! kind_columns {
    () => {
        "v.kind AS kind, (SELECT p.kind FROM versions p
            WHERE p.article_id = v.article_id AND p.seq = v.seq - 1) AS previous_kind"
    };
}
pub(crate) use kind_columns;
pub(crate) const KIND_COLUMNS: &str = kind_columns!();

/// The kind a version is reported as ([`VersionKind::reported`]), from [`KIND_COLUMNS`].
pub(crate) fn reported_kind(r: &Row<'_>) -> rusqlite::Result<VersionKind> {
    Ok(VersionKind::reported(
        r.get("kind")?,
        r.get("previous_kind")?,
    ))
}
