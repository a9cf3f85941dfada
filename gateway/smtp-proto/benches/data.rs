//! DATA decoding throughput: a 64 MiB message of base64 lines (what attachments look like), fed in
//! 64 KiB chunks as the server reads them. `cargo bench -p gateway-smtp-proto --bench data`.
use std::time::Instant;

use gateway_smtp_proto::DataDecoder;

fn main() {
    let line = [b"QUJDRA".repeat(12).as_slice(), b"\r\n"].concat();
    let mut wire = line.repeat((64 << 20) / line.len());
    wire.extend_from_slice(b"..stuffed\r\n.\r\n");
    let mut out = Vec::with_capacity(64 << 10);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let mut dec = DataDecoder::default();
        let mut total = 0usize;
        for chunk in wire.chunks(64 << 10) {
            out.clear();
            dec.feed(chunk, &mut out);
            total += out.len();
        }
        assert!(dec.is_done());
        assert_eq!(total, wire.len() - 4);
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "DATA decode: {:.0} MiB/s ({} MiB in {:.1} ms, best of 5)",
        wire.len() as f64 / (1 << 20) as f64 / best,
        wire.len() >> 20,
        best * 1e3
    );
}
