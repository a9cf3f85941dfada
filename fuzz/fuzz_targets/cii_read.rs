//! CII reader: never panics, and whatever it reads writes back to a
//! document that reads to the same model.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = gateway_xml::Limits::default();
    if let Ok(p) = gateway_cii::read(data, &limits) {
        let out = gateway_cii::write(&p.invoice);
        let again = gateway_cii::read(&out, &limits).expect("written CII re-reads");
        assert_eq!(again.invoice, p.invoice);
    }
});
