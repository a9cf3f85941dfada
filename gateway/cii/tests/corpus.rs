//! Every CII document of the shared corpus parses, and CII -> model -> CII
//! keeps the model and every element path, attribute and text value.

use gateway_testdata::{round_trip_corpus, Kind};
use gateway_xml::Limits;

#[test]
fn every_cii_document_parses_and_round_trips() {
    let limits = Limits::default();
    round_trip_corpus(
        Kind::Cii,
        300,
        |bytes| gateway_cii::read(bytes, &limits).map(|p| (p.doc, p.invoice)),
        gateway_cii::write,
    );
}
