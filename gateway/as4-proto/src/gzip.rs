//! gzip compression of AS4 payloads; decompression stops as soon as the output passes the limit,
//! so a gzip bomb costs at most `limit` bytes of memory.

use std::io::{Read, Write};

use crate::error::{Error, Result};

pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit));
    let mut dec = flate2::read::GzDecoder::new(data).take(limit as u64 + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| Error::Decompression(format!("not valid gzip: {e}")))?;
    if out.len() > limit {
        return Err(Error::Decompression(format!(
            "the payload decompresses to more than {limit} bytes"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bomb_refused_early() {
        let data = b"<Invoice/>".repeat(100);
        assert_eq!(decompress(&compress(&data), 10_000).unwrap(), data);
        let bomb = compress(&vec![0u8; 50 << 20]);
        assert!(bomb.len() < (50 << 20) / 100);
        let err = decompress(&bomb, 1 << 20).unwrap_err();
        assert!(matches!(err, Error::Decompression(_)), "{err}");
        assert!(matches!(
            decompress(b"not gzip", 100),
            Err(Error::Decompression(_))
        ));
    }
}
