//! SqliteArchive's side of `newsvault copy` (see [`crate::archive::copy`]).

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

use super::ArchiveError;
use crate::archive::copy::{ColumnType, CopyValue, TableSpec};

pub(super) fn count_rows(conn: &Connection, table: &TableSpec) -> Result<u64, ArchiveError> {
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| {
        r.get(0)
    })?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn rows_page(
    conn: &Connection,
    table: &TableSpec,
    after: Option<&CopyValue>,
    limit: usize,
) -> Result<Vec<Vec<CopyValue>>, ArchiveError> {
    let key = table.key();
    let sql = format!(
        "SELECT {} FROM {} WHERE ?1 IS NULL OR {key} > ?1 ORDER BY {key} LIMIT ?2",
        table.column_list(),
        table.name
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let after = after.map_or(Value::Null, to_value);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(rusqlite::params![after, limit], |r| {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| Ok(from_value(r.get_ref(i)?, *kind)))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn load_rows(
    conn: &Connection,
    table: &TableSpec,
    rows: &[Vec<CopyValue>],
) -> Result<u64, ArchiveError> {
    let placeholders = vec!["?"; table.columns.len()].join(", ");
    let sql = format!(
        "INSERT OR IGNORE INTO {} ({}) VALUES ({placeholders})",
        table.name,
        table.column_list()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut loaded = 0;
    for row in rows {
        loaded += stmt.execute(params_from_iter(row.iter().map(to_value)))? as u64;
    }
    Ok(loaded)
}

fn from_value(value: ValueRef<'_>, kind: ColumnType) -> CopyValue {
    match (value, kind) {
        (ValueRef::Null, _) => CopyValue::Null,
        (ValueRef::Integer(i), ColumnType::Bool) => CopyValue::Bool(i != 0),
        (ValueRef::Integer(i), _) => CopyValue::Int(i),
        (ValueRef::Real(f), _) => CopyValue::Int(f as i64),
        (ValueRef::Text(t), _) => CopyValue::Text(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), _) => CopyValue::Bytes(b.to_vec()),
    }
}

fn to_value(value: &CopyValue) -> Value {
    match value {
        CopyValue::Null => Value::Null,
        CopyValue::Int(i) => Value::Integer(*i),
        CopyValue::Text(t) => Value::Text(t.clone()),
        CopyValue::Bytes(b) => Value::Blob(b.clone()),
        CopyValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}
