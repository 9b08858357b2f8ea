//! PostgresArchive's side of `newsvault copy` (see [`crate::archive::copy`]).

use ::postgres::Row;
use ::postgres::types::ToSql;

use super::{Conn, RowExt};
use crate::archive::ArchiveError;
use crate::archive::copy::{ColumnType, CopyValue, TABLES, TableSpec};

pub(super) fn count_rows(conn: &mut Conn, table: &TableSpec) -> Result<u64, ArchiveError> {
    conn.query_one(&format!("SELECT count(*) AS n FROM {}", table.name), &[])?
        .count("n")
}

pub(super) fn rows_page(
    conn: &mut Conn,
    table: &TableSpec,
    after: Option<&CopyValue>,
    limit: usize,
) -> Result<Vec<Vec<CopyValue>>, ArchiveError> {
    let (key, columns) = (table.key(), table.column_list());
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => conn.query(
            &format!(
                "SELECT {columns} FROM {} ORDER BY {key} LIMIT $1",
                table.name
            ),
            &[&limit],
        )?,
        Some(after) => {
            let after = parameter(after, table.columns[0].1);
            conn.query(
                &format!(
                    "SELECT {columns} FROM {} WHERE {key} > $1 ORDER BY {key} LIMIT $2",
                    table.name
                ),
                &[after.as_ref(), &limit],
            )?
        }
    };
    rows.iter().map(|row| read_row(row, table)).collect()
}

fn read_row(row: &Row, table: &TableSpec) -> Result<Vec<CopyValue>, ArchiveError> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                ColumnType::Int => row
                    .try_get::<_, Option<i64>>(i)?
                    .map_or(CopyValue::Null, CopyValue::Int),
                ColumnType::Text => row
                    .try_get::<_, Option<String>>(i)?
                    .map_or(CopyValue::Null, CopyValue::Text),
                ColumnType::Bytes => row
                    .try_get::<_, Option<Vec<u8>>>(i)?
                    .map_or(CopyValue::Null, CopyValue::Bytes),
                ColumnType::Bool => row
                    .try_get::<_, Option<bool>>(i)?
                    .map_or(CopyValue::Null, CopyValue::Bool),
            })
        })
        .collect()
}

/// A value as a parameter of its column's type (a NULL is typed too).
fn parameter(value: &CopyValue, kind: ColumnType) -> Box<dyn ToSql + Sync> {
    match (value, kind) {
        (CopyValue::Int(i), _) => Box::new(*i),
        (CopyValue::Text(t), _) => Box::new(t.clone()),
        (CopyValue::Bytes(b), _) => Box::new(b.clone()),
        (CopyValue::Bool(b), _) => Box::new(*b),
        (CopyValue::Null, ColumnType::Int) => Box::new(None::<i64>),
        (CopyValue::Null, ColumnType::Text) => Box::new(None::<String>),
        (CopyValue::Null, ColumnType::Bytes) => Box::new(None::<Vec<u8>>),
        (CopyValue::Null, ColumnType::Bool) => Box::new(None::<bool>),
    }
}

pub(super) fn load_rows(
    conn: &mut Conn,
    table: &TableSpec,
    rows: &[Vec<CopyValue>],
) -> Result<u64, ArchiveError> {
    let placeholders: Vec<String> = (1..=table.columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        table.name,
        table.column_list(),
        placeholders.join(", ")
    );
    let mut loaded = 0;
    for row in rows {
        let values: Vec<Box<dyn ToSql + Sync>> = row
            .iter()
            .zip(table.columns)
            .map(|(value, (_, kind))| parameter(value, *kind))
            .collect();
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
        loaded += conn.execute(&sql, &params)?;
    }
    Ok(loaded)
}

/// Identities continue after the largest loaded id, and the planner learns what was loaded:
/// until autovacuum gets to them, freshly loaded tables have no statistics, and the first
/// reads after a copy were planned blind (a page of one site's articles took 0.3 to 0.5 s
/// instead of under 1 ms).
pub(super) fn finish_load(conn: &mut Conn) -> Result<(), ArchiveError> {
    for table in TABLES.iter().filter(|t| t.has_identity()) {
        conn.batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), coalesce(max(id), 0) + 1, false)
             FROM {0}",
            table.name
        ))?;
    }
    conn.batch("ANALYZE")?;
    Ok(())
}
