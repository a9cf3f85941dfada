//! A person's corrections of an extraction: the corrected values replace the read ones (with
//! full confidence), the invoice is built again from the fields and checked again.
use std::collections::BTreeMap;

use gateway_extract::fields::{review, Field, LineItem};
use gateway_extract::{BBox, Extraction, Source};
use gateway_store::{Direction, Summary};
use serde_json::Value;

use crate::lifecycle::extract;

/// The threshold below which a field needs a look (as the worker's).
const THRESHOLD: f32 = 0.6;

/// Fields of a stored result (the JSON the worker wrote).
pub fn fields_of(result: &Value) -> BTreeMap<String, Field> {
    fields_in(&result["fields"])
}

/// The invoice lines of a stored result.
pub fn lines_of(result: &Value) -> Vec<LineItem> {
    result["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| LineItem {
            fields: fields_in(l),
        })
        .collect()
}

fn fields_in(v: &Value) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    for (id, f) in v.as_object().into_iter().flatten() {
        let Some(value) = f["value"].as_str() else {
            continue;
        };
        let bbox = f["box"].as_object().map(|b| {
            let n = |k: &str| b.get(k).and_then(Value::as_f64).unwrap_or(0.0) as f32;
            BBox {
                x0: n("x0"),
                y0: n("y0"),
                x1: n("x1"),
                y1: n("y1"),
            }
        });
        out.insert(
            id.clone(),
            Field {
                value: value.to_string(),
                confidence: f["confidence"].as_f64().unwrap_or(0.0) as f32,
                page: f["page"].as_u64().map(|p| p as u32),
                bbox,
            },
        );
    }
    out
}

fn source_of(name: Option<&str>) -> Source {
    match name {
        Some("embedded-xml") => Source::EmbeddedXml,
        Some("ocr") => Source::Ocr,
        _ => Source::TextLayer,
    }
}

/// The corrected extraction: `corrections` maps a business term to its value (`null` or an
/// empty text removes it). The lines read are kept as they were.
pub fn apply(
    result: &Value,
    source: Option<&str>,
    corrections: &BTreeMap<String, Option<String>>,
) -> Extraction {
    let mut fields = fields_of(result);
    for (id, value) in corrections {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => {
                let old = fields.get(id);
                fields.insert(
                    id.clone(),
                    Field {
                        value: v.to_string(),
                        confidence: 1.0,
                        page: old.and_then(|f| f.page),
                        bbox: old.and_then(|f| f.bbox),
                    },
                );
            }
            None => {
                fields.remove(id);
            }
        }
    }
    let (needs_review, review_reasons) = review(&fields, THRESHOLD);
    Extraction {
        source: source_of(source),
        needs_review,
        review_reasons,
        fields,
        lines: lines_of(result),
        pages: result["pages"].as_u64().unwrap_or(0) as u32,
        embedded: None,
    }
}

/// The UBL rendering of an extraction and the summary it gives.
pub fn rendering(x: &Extraction) -> (Vec<u8>, Option<Summary>) {
    let ubl = gateway_convert::write(&x.invoice(), gateway_convert::Target::Ubl);
    let summary = extract::parse(&ubl).ok().map(|p| {
        let mut s = extract::summary(&p, Direction::Purchase);
        s.syntax = x.source.as_str().into();
        s
    });
    (ubl, summary)
}
