//! UBL reader: never panics, and whatever it reads writes back to a
//! document that reads to the same model.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = gateway_xml::Limits::default();
    if let Ok(p) = gateway_ubl::read(data, &limits) {
        let out = gateway_ubl::write(&p.invoice);
        let again = gateway_ubl::read(&out, &limits).expect("written UBL re-reads");
        assert_eq!(again.invoice, p.invoice);
    }
});
