//! SqliteArchive's images (see [`crate::archive::images`]).

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteArchive, decode_blob, format_time, hash_hex, to_i64};
use crate::archive::store::{Images, Versions};
use crate::archive::{ArchiveError, ArchivedImage, ImageOutcome, ImageRow, NewImage};

const ROW_COLUMNS: &str = "i.position, i.role, i.url, i.blob_hash, i.content_type, i.size, \
     i.outcome, i.detail, i.attempts, i.fetched_at";

fn image_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImageRow> {
    let size: Option<i64> = r.get("size")?;
    Ok(ImageRow {
        position: r.get("position")?,
        role: r.get("role")?,
        url: r.get("url")?,
        blob_hash: r.get("blob_hash")?,
        content_type: r.get("content_type")?,
        size: size.and_then(|s| u64::try_from(s).ok()),
        outcome: r.get("outcome")?,
        detail: r.get("detail")?,
        attempts: r.get("attempts")?,
        fetched_at: r.get("fetched_at")?,
    })
}

/// Stores image bytes as a blob, uncompressed, unless they are there already.
fn store_image_blob(conn: &Connection, bytes: &[u8]) -> Result<String, ArchiveError> {
    let hash = hash_hex(bytes);
    let size = to_i64(bytes.len() as u64, "image size")?;
    conn.prepare_cached(
        "INSERT INTO blobs (hash, size, compression, data) VALUES (?1, ?2, 'none', ?3)
         ON CONFLICT (hash) DO NOTHING",
    )?
    .execute(params![hash, size, bytes])?;
    Ok(hash)
}

fn record_one(conn: &Connection, version_id: i64, image: &NewImage) -> Result<(), ArchiveError> {
    let hash = match (&image.blob_hash, &image.bytes) {
        (Some(hash), _) => Some(hash.clone()),
        (None, Some(bytes)) if image.outcome == ImageOutcome::Ok => {
            Some(store_image_blob(conn, bytes)?)
        }
        _ => None,
    };
    let size = image.size.map(|s| to_i64(s, "image size")).transpose()?;
    conn.prepare_cached(
        "INSERT INTO version_images (version_id, position, role, url, blob_hash, content_type,
             size, outcome, detail, attempts, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)
         ON CONFLICT (version_id, url) DO UPDATE SET blob_hash = excluded.blob_hash,
             content_type = excluded.content_type, size = excluded.size,
             outcome = excluded.outcome, detail = excluded.detail,
             attempts = version_images.attempts + 1, fetched_at = excluded.fetched_at
         WHERE version_images.outcome <> 'ok'",
    )?
    .execute(params![
        version_id,
        image.position,
        image.role,
        image.url,
        hash,
        image.content_type,
        size,
        image.outcome,
        image.detail,
        format_time(image.fetched_at),
    ])?;
    Ok(())
}

impl Images for SqliteArchive {
    fn record_images(
        &mut self,
        canonical_url: &str,
        seq: u32,
        images: &[NewImage],
    ) -> Result<(), ArchiveError> {
        let tx = self.write_tx()?;
        let version_id: Option<i64> = tx
            .prepare_cached(
                "SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| r.get(0))
            .optional()?;
        let Some(version_id) = version_id else {
            return Err(ArchiveError::Corrupt(format!(
                "no version {seq} of {canonical_url} to record images for"
            )));
        };
        for image in images {
            record_one(&tx, version_id, image)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn version_images(&self, canonical_url: &str, seq: u32) -> Result<Vec<ImageRow>, ArchiveError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = ?1 AND v.seq = ?2 ORDER BY i.position, i.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![canonical_url, seq], image_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn archived_images(&self, canonical_url: &str) -> Result<Vec<ImageRow>, ArchiveError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = ?1 AND i.outcome = 'ok' ORDER BY i.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([canonical_url], image_row)?;
        let mut latest = BTreeMap::new();
        for row in rows {
            let row = row?;
            latest.insert(row.url.clone(), row);
        }
        Ok(latest.into_values().collect())
    }

    fn image_blob(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, ArchiveError> {
        let content_type: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT content_type FROM version_images
                 WHERE blob_hash = ?1 AND outcome = 'ok' LIMIT 1",
            )?
            .query_row([hash], |r| r.get(0))
            .optional()?;
        match content_type {
            None => Ok(None),
            Some(content_type) => Ok(Some((content_type, self.blob(hash)?))),
        }
    }

    fn each_image(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(ArchivedImage) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.url, i.blob_hash, min(i.content_type) AS content_type,
                 min(i.fetched_at) AS fetched_at, b.size, b.compression
             FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             JOIN blobs b ON b.hash = i.blob_hash
             WHERE i.outcome = 'ok' AND (?1 IS NULL OR a.site = ?1)
             GROUP BY i.url, i.blob_hash ORDER BY min(i.fetched_at), i.url",
        )?;
        let mut rows = stmt.query(params![site])?;
        while let Some(row) = rows.next()? {
            let hash: String = row.get("blob_hash")?;
            let data: Vec<u8> = self
                .conn
                .prepare_cached("SELECT data FROM blobs WHERE hash = ?1")?
                .query_row([&hash], |r| r.get(0))?;
            let bytes = decode_blob(
                &hash,
                row.get("size")?,
                &row.get::<_, String>("compression")?,
                data,
            )?;
            let image = ArchivedImage {
                url: row.get("url")?,
                content_type: row.get("content_type")?,
                fetched_at: row.get("fetched_at")?,
                blob_hash: hash,
                bytes,
            };
            if f(image).is_break() {
                break;
            }
        }
        Ok(())
    }
}
