//! SqliteArchive's side of the visual capture (see [`crate::archive::screenshots`]).

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteArchive, format_time, hash_hex, to_i64};
use crate::archive::screenshots::{NewScreenshot, ScreenshotRow, check_new, no_such_version};
use crate::archive::store::{Screenshots, Versions};
use crate::archive::{ArchiveError, ShotKind};

impl Screenshots for SqliteArchive {
    fn record_screenshot(
        &mut self,
        canonical_url: &str,
        seq: u32,
        shot: &NewScreenshot<'_>,
    ) -> Result<i64, ArchiveError> {
        check_new(shot)?;
        let tx = self.write_tx()?;
        let version_id: i64 = tx
            .prepare_cached(
                "SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| r.get(0))
            .optional()?
            .ok_or_else(|| no_such_version(canonical_url, seq))?;
        let hash = shot
            .image
            .map(|image| store_image(&tx, image))
            .transpose()?;
        tx.prepare_cached(
            "INSERT INTO version_screenshots (version_id, kind, blob_hash, width, height, outcome,
                 detail, took_ms, captured_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (version_id, kind) DO UPDATE SET blob_hash = excluded.blob_hash,
                 width = excluded.width, height = excluded.height, outcome = excluded.outcome,
                 detail = excluded.detail, took_ms = excluded.took_ms,
                 captured_at = excluded.captured_at",
        )?
        .execute(params![
            version_id,
            shot.kind,
            hash,
            shot.width,
            shot.height,
            shot.outcome,
            shot.detail,
            to_i64(shot.took_ms, "took_ms")?,
            format_time(shot.captured_at),
        ])?;
        tx.commit()?;
        Ok(version_id)
    }

    fn screenshots(&self, canonical_url: &str) -> Result<Vec<ScreenshotRow>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.version_id, v.seq, s.kind, s.blob_hash, b.size, s.width, s.height,
                 s.outcome, s.detail, s.took_ms, s.captured_at
             FROM version_screenshots s
             JOIN versions v ON v.id = s.version_id
             JOIN articles a ON a.id = v.article_id
             LEFT JOIN blobs b ON b.hash = s.blob_hash
             WHERE a.canonical_url = ?1
             ORDER BY v.seq, s.kind",
        )?;
        let rows = stmt.query_map([canonical_url], |r| {
            let size: Option<i64> = r.get("size")?;
            let took: i64 = r.get("took_ms")?;
            Ok(ScreenshotRow {
                version_id: r.get("version_id")?,
                seq: r.get("seq")?,
                kind: r.get("kind")?,
                blob_hash: r.get("blob_hash")?,
                size: size.and_then(|s| u64::try_from(s).ok()),
                width: r.get("width")?,
                height: r.get("height")?,
                outcome: r.get("outcome")?,
                detail: r.get("detail")?,
                took_ms: u64::try_from(took).unwrap_or(0),
                captured_at: r.get("captured_at")?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn screenshot_image(
        &self,
        version_id: i64,
        kind: ShotKind,
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        let hash: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT blob_hash FROM version_screenshots
                 WHERE version_id = ?1 AND kind = ?2 AND outcome = 'ok'",
            )?
            .query_row(params![version_id, kind], |r| r.get(0))
            .optional()?;
        hash.map(|hash| self.blob(&hash)).transpose()
    }
}

/// Stores an image in `blobs` unless those bytes are already there, uncompressed: PNG and PDF
/// are compressed already, and zstd would only cost time on every read.
fn store_image(conn: &Connection, image: &[u8]) -> Result<String, ArchiveError> {
    let hash = hash_hex(image);
    let size = to_i64(image.len() as u64, "image size")?;
    conn.prepare_cached(
        "INSERT INTO blobs (hash, size, compression, data) VALUES (?1, ?2, 'none', ?3)
         ON CONFLICT (hash) DO NOTHING",
    )?
    .execute(params![hash, size, image])?;
    Ok(hash)
}
