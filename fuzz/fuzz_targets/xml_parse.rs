//! The hardened XML reader never panics; errors carry a position.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gateway_xml::parse(data, &gateway_xml::Limits::default()) {
        assert!(e.line >= 1 && e.column >= 1);
    }
});
