//! The fuzz targets' properties (see `fuzz/`), run over deterministic
//! mutations of corpus documents so that CI exercises them on stable Rust:
//! no panic, errors with positions, and read -> write -> read stability.

use gateway_convert::{convert, read, Target};
use gateway_testdata::{samples, Kind};
use gateway_xml::Limits;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?x?>",
    b"xmlns:cbc=\"\"",
    b"\"",
    b"\xff",
    b"\xc3",
    b"<cbc:ID>",
    b"</cbc:ID>",
    b"<ram:ID>",
    b"</a>",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let pos = rng.below(v.len() + 1);
        match rng.below(4) {
            0 => v.truncate(pos),
            1 => {
                if pos < v.len() {
                    v[pos] = rng.next() as u8;
                }
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(pos..pos, t.iter().copied());
            }
            _ => {
                let end = (pos + rng.below(64)).min(v.len());
                v.drain(pos..end);
            }
        }
    }
    v
}

fn check_one(data: &[u8], limits: &Limits) {
    if let Err(e) = gateway_xml::parse(data, limits) {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
    }
    if let Ok(p) = gateway_ubl::read(data, limits) {
        let out = gateway_ubl::write(&p.invoice);
        let again = gateway_ubl::read(&out, limits).expect("written UBL re-reads");
        assert_eq!(again.invoice, p.invoice);
    }
    if let Ok(p) = gateway_cii::read(data, limits) {
        let out = gateway_cii::write(&p.invoice);
        let again = gateway_cii::read(&out, limits).expect("written CII re-reads");
        assert_eq!(again.invoice, p.invoice);
    }
    for target in [Target::Ubl, Target::Cii] {
        if let Ok(out) = convert(data, target, limits) {
            read(&out, limits).expect("converted output re-reads");
        }
    }
}

#[test]
fn mutated_corpus_documents_never_break_the_codec() {
    let limits = Limits::default();
    let seeds: Vec<_> = samples()
        .into_iter()
        .filter(|s| !s.embedded && s.bytes.len() < 60_000)
        .collect();
    assert!(seeds.len() > 50);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let iterations: usize = std::env::var("FUZZ_SMOKE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for i in 0..iterations {
        let seed = &seeds[rng.below(seeds.len())];
        let data = mutate(&mut rng, &seed.bytes);
        let result = std::panic::catch_unwind(|| check_one(&data, &limits));
        if result.is_err() {
            let path = std::env::temp_dir().join(format!("gateway-fuzz-crash-{i}.xml"));
            let _ = std::fs::write(&path, &data);
            panic!(
                "iteration {i} (seed {}) broke the codec; input saved to {}",
                seed.name,
                path.display()
            );
        }
    }
    let _ = Kind::Ubl;
}
