//! Conversion in both directions never panics and produces readable output.
#![no_main]

use gateway_convert::{convert, read, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = gateway_xml::Limits::default();
    for target in [Target::Ubl, Target::Cii] {
        if let Ok(out) = convert(data, target, &limits) {
            read(&out, &limits).expect("converted output re-reads");
        }
    }
});
