//! What is checked of a PNG the browser gave before it is kept: the signature, every chunk
//! whole with a matching CRC, `IHDR` first (its size in pixels is what is recorded) and `IEND`
//! last. The pixels themselves are not decoded (a full page is tens of megapixels).

/// The PNG file signature.
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The image's width and height, or why these bytes are not a whole PNG.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), String> {
    let mut rest = bytes
        .strip_prefix(SIGNATURE)
        .ok_or("not a PNG (no PNG signature)")?;
    let mut size = None;
    let mut ended = false;
    while !rest.is_empty() {
        if ended {
            return Err("bytes after the IEND chunk".into());
        }
        let (kind, data, after) = chunk(rest)?;
        match (kind, size) {
            (b"IHDR", None) if data.len() == 13 => {
                let number = |at: usize| {
                    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
                };
                size = Some((number(0), number(4)));
            }
            (b"IHDR", _) => return Err("a malformed or repeated IHDR chunk".into()),
            (_, None) => return Err("the first chunk is not IHDR".into()),
            (b"IEND", _) => ended = true,
            _ => {}
        }
        rest = after;
    }
    match size {
        Some((w, h)) if ended && w > 0 && h > 0 => Ok((w, h)),
        Some(_) if ended => Err("an image of zero pixels".into()),
        _ => Err("cut short (no IEND chunk)".into()),
    }
}

/// One chunk read: its type, its data, and the bytes after it.
type Chunk<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// One chunk: its type, its data, and what follows it.
fn chunk(bytes: &[u8]) -> Result<Chunk<'_>, String> {
    let short = || "cut short inside a chunk".to_owned();
    let length = bytes.get(..4).ok_or_else(short)?;
    let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
    let end = length.checked_add(12).ok_or_else(short)?;
    let whole = bytes.get(..end).ok_or_else(short)?;
    let (kind_and_data, crc) = whole[4..].split_at(4 + length);
    let expected = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if crc32fast::hash(kind_and_data) != expected {
        let kind = String::from_utf8_lossy(&kind_and_data[..4]);
        return Err(format!("the {kind} chunk fails its CRC"));
    }
    Ok((&kind_and_data[..4], &kind_and_data[4..], &bytes[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk_bytes(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
        out
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut out = SIGNATURE.to_vec();
        out.extend(chunk_bytes(b"IHDR", &ihdr));
        out.extend(chunk_bytes(b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01"));
        out.extend(chunk_bytes(b"IEND", b""));
        out
    }

    #[test]
    fn a_whole_png_gives_its_size() {
        assert_eq!(dimensions(&png(1280, 4321)), Ok((1280, 4321)));
    }

    #[test]
    fn damaged_pngs_are_refused_saying_why() {
        let good = png(10, 20);
        let mut flipped = good.clone();
        flipped[40] ^= 1;
        let cut = &good[..good.len() - 5];
        let mut trailing = good.clone();
        trailing.push(0);
        for (bytes, why) in [
            (&b"<html>"[..], "signature"),
            (&flipped[..], "CRC"),
            (cut, "cut short"),
            (&trailing[..], "after the IEND"),
            (&png(0, 20)[..], "zero pixels"),
        ] {
            let err = dimensions(bytes).unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
