//! Every UBL document of the shared corpus parses, and UBL -> model -> UBL
//! keeps the model and every element path, attribute and text value.

use gateway_testdata::{round_trip_corpus, Kind};
use gateway_xml::Limits;

#[test]
fn every_ubl_document_parses_and_round_trips() {
    let limits = Limits::default();
    round_trip_corpus(
        Kind::Ubl,
        1500,
        |bytes| gateway_ubl::read(bytes, &limits).map(|p| (p.doc, p.invoice)),
        gateway_ubl::write,
    );
}
