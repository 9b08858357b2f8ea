//! PostgresArchive's side of the visual capture (see [`crate::archive::screenshots`]).

use super::{Conn, PostgresArchive, RowExt};
use crate::archive::screenshots::{NewScreenshot, ScreenshotRow, check_new, no_such_version};
use crate::archive::sqlite::to_i64;
use crate::archive::store::{Screenshots, Versions};
use crate::archive::{ArchiveError, ShotKind, format_time, hash_hex};

impl Screenshots for PostgresArchive {
    fn record_screenshot(
        &mut self,
        canonical_url: &str,
        seq: u32,
        shot: &NewScreenshot<'_>,
    ) -> Result<i64, ArchiveError> {
        check_new(shot)?;
        self.write(|conn| record_in(conn, canonical_url, seq, shot))
    }

    fn screenshots(&self, canonical_url: &str) -> Result<Vec<ScreenshotRow>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT s.version_id, v.seq, s.kind, s.blob_hash, b.size, s.width, s.height,
                 s.outcome, s.detail, s.took_ms, s.captured_at
             FROM version_screenshots s
             JOIN versions v ON v.id = s.version_id
             JOIN articles a ON a.id = v.article_id
             LEFT JOIN blobs b ON b.hash = s.blob_hash
             WHERE a.canonical_url = $1
             ORDER BY v.seq, s.kind",
            &[&canonical_url],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ScreenshotRow {
                    version_id: r.int("version_id")?,
                    seq: r.seq("seq")?,
                    kind: r.vocab("kind")?,
                    blob_hash: r.try_get("blob_hash")?,
                    size: r
                        .try_get::<_, Option<i64>>("size")?
                        .and_then(|s| u64::try_from(s).ok()),
                    width: r.opt_seq("width")?,
                    height: r.opt_seq("height")?,
                    outcome: r.vocab("outcome")?,
                    detail: r.try_get("detail")?,
                    took_ms: r.count("took_ms")?,
                    captured_at: r.try_get("captured_at")?,
                })
            })
            .collect()
    }

    fn screenshot_image(
        &self,
        version_id: i64,
        kind: ShotKind,
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT blob_hash FROM version_screenshots
             WHERE version_id = $1 AND kind = $2 AND outcome = 'ok'",
            &[&version_id, &kind.as_str()],
        )?;
        let hash: Option<String> = row.map(|r| r.try_get("blob_hash")).transpose()?;
        hash.map(|hash| self.blob(&hash)).transpose()
    }
}

fn record_in(
    conn: &mut Conn,
    canonical_url: &str,
    seq: u32,
    shot: &NewScreenshot<'_>,
) -> Result<i64, ArchiveError> {
    let version_id = conn
        .query_opt(
            "SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.seq = $2",
            &[&canonical_url, &i64::from(seq)],
        )?
        .ok_or_else(|| no_such_version(canonical_url, seq))?
        .int("id")?;
    let hash = shot
        .image
        .map(|image| store_image(conn, image))
        .transpose()?;
    let (width, height) = (shot.width.map(i64::from), shot.height.map(i64::from));
    conn.execute(
        "INSERT INTO version_screenshots (version_id, kind, blob_hash, width, height, outcome,
             detail, took_ms, captured_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (version_id, kind) DO UPDATE SET blob_hash = excluded.blob_hash,
             width = excluded.width, height = excluded.height, outcome = excluded.outcome,
             detail = excluded.detail, took_ms = excluded.took_ms,
             captured_at = excluded.captured_at",
        &[
            &version_id,
            &shot.kind.as_str(),
            &hash,
            &width,
            &height,
            &shot.outcome.as_str(),
            &shot.detail,
            &to_i64(shot.took_ms, "took_ms")?,
            &format_time(shot.captured_at),
        ],
    )?;
    Ok(version_id)
}

/// Stores an image as a blob unless those bytes are already there, uncompressed (PNG and PDF
/// are compressed already).
fn store_image(conn: &mut Conn, image: &[u8]) -> Result<String, ArchiveError> {
    let hash = hash_hex(image);
    let size = to_i64(image.len() as u64, "image size")?;
    conn.execute(
        "INSERT INTO blobs (hash, size, compression, data) VALUES ($1, $2, 'none', $3)
         ON CONFLICT (hash) DO NOTHING",
        &[&hash, &size, &image],
    )?;
    Ok(hash)
}
