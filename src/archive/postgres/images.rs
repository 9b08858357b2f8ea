//! PostgresArchive's images (see [`crate::archive::images`]).

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use ::postgres::Row;

use super::{Conn, PostgresArchive, RowExt};
use crate::archive::sqlite::to_i64;
use crate::archive::store::{Images, Versions};
use crate::archive::{
    ArchiveError, ArchivedImage, ImageOutcome, ImageRow, NewImage, format_time, hash_hex,
};

const ROW_COLUMNS: &str = "i.position, i.role, i.url, i.blob_hash, i.content_type, i.size, \
     i.outcome, i.detail, i.attempts, i.fetched_at";

fn image_row(r: &Row) -> Result<ImageRow, ArchiveError> {
    let size: Option<i64> = r.try_get("size")?;
    Ok(ImageRow {
        position: r.seq("position")?,
        role: r.vocab("role")?,
        url: r.try_get("url")?,
        blob_hash: r.try_get("blob_hash")?,
        content_type: r.try_get("content_type")?,
        size: size.and_then(|s| u64::try_from(s).ok()),
        outcome: r.vocab("outcome")?,
        detail: r.try_get("detail")?,
        attempts: r.seq("attempts")?,
        fetched_at: r.try_get("fetched_at")?,
    })
}

/// Stores image bytes as a blob, uncompressed, unless they are there already.
fn store_image_blob(conn: &mut Conn, bytes: &[u8]) -> Result<String, ArchiveError> {
    let hash = hash_hex(bytes);
    let size = to_i64(bytes.len() as u64, "image size")?;
    conn.execute(
        "INSERT INTO blobs (hash, size, compression, data) VALUES ($1, $2, 'none', $3)
         ON CONFLICT (hash) DO NOTHING",
        &[&hash, &size, &bytes],
    )?;
    Ok(hash)
}

fn record_one(conn: &mut Conn, version_id: i64, image: &NewImage) -> Result<(), ArchiveError> {
    let hash = match (&image.blob_hash, &image.bytes) {
        (Some(hash), _) => Some(hash.clone()),
        (None, Some(bytes)) if image.outcome == ImageOutcome::Ok => {
            Some(store_image_blob(conn, bytes)?)
        }
        _ => None,
    };
    let size = image.size.map(|s| to_i64(s, "image size")).transpose()?;
    conn.execute(
        "INSERT INTO version_images (version_id, position, role, url, blob_hash, content_type,
             size, outcome, detail, attempts, fetched_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)
         ON CONFLICT (version_id, url) DO UPDATE SET blob_hash = excluded.blob_hash,
             content_type = excluded.content_type, size = excluded.size,
             outcome = excluded.outcome, detail = excluded.detail,
             attempts = version_images.attempts + 1, fetched_at = excluded.fetched_at
         WHERE version_images.outcome <> 'ok'",
        &[
            &version_id,
            &i64::from(image.position),
            &image.role.as_str(),
            &image.url,
            &hash,
            &image.content_type,
            &size,
            &image.outcome.as_str(),
            &image.detail,
            &format_time(image.fetched_at),
        ],
    )?;
    Ok(())
}

impl Images for PostgresArchive {
    fn record_images(
        &mut self,
        canonical_url: &str,
        seq: u32,
        images: &[NewImage],
    ) -> Result<(), ArchiveError> {
        let (url, seq) = (canonical_url.to_owned(), i64::from(seq));
        self.write(|conn| {
            let row = conn.query_opt(
                "SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = $1 AND v.seq = $2",
                &[&url, &seq],
            )?;
            let Some(row) = row else {
                return Err(ArchiveError::Corrupt(format!(
                    "no version {seq} of {url} to record images for"
                )));
            };
            let version_id = row.int("id")?;
            for image in images {
                record_one(conn, version_id, image)?;
            }
            Ok(())
        })
    }

    fn version_images(&self, canonical_url: &str, seq: u32) -> Result<Vec<ImageRow>, ArchiveError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.seq = $2 ORDER BY i.position, i.id"
        );
        let rows = self
            .conn
            .borrow_mut()
            .query(&sql, &[&canonical_url, &i64::from(seq)])?;
        rows.iter().map(image_row).collect()
    }

    fn archived_images(&self, canonical_url: &str) -> Result<Vec<ImageRow>, ArchiveError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND i.outcome = 'ok' ORDER BY i.id"
        );
        let rows = self.conn.borrow_mut().query(&sql, &[&canonical_url])?;
        let mut latest = BTreeMap::new();
        for row in &rows {
            let row = image_row(row)?;
            latest.insert(row.url.clone(), row);
        }
        Ok(latest.into_values().collect())
    }

    fn image_blob(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT content_type FROM version_images
             WHERE blob_hash = $1 AND outcome = 'ok' LIMIT 1",
            &[&hash],
        )?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((row.try_get("content_type")?, self.blob(hash)?))),
        }
    }

    fn each_image(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(ArchivedImage) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        // The list is small (no bytes); each image's bytes are read as it is handed on.
        let rows = self.conn.borrow_mut().query(
            "SELECT i.url, i.blob_hash, min(i.content_type) AS content_type,
                 min(i.fetched_at) AS fetched_at
             FROM version_images i
             JOIN versions v ON v.id = i.version_id JOIN articles a ON a.id = v.article_id
             WHERE i.outcome = 'ok' AND ($1::text IS NULL OR a.site = $1)
             GROUP BY i.url, i.blob_hash ORDER BY min(i.fetched_at), i.url",
            &[&site],
        )?;
        for row in &rows {
            let hash: String = row.try_get("blob_hash")?;
            let image = ArchivedImage {
                url: row.try_get("url")?,
                content_type: row.try_get("content_type")?,
                fetched_at: row.try_get("fetched_at")?,
                bytes: self.blob(&hash)?,
                blob_hash: hash,
            };
            if f(image).is_break() {
                break;
            }
        }
        Ok(())
    }
}
