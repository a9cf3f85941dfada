//! PDF reading: the object model (lopdf), attachments and the text layer.

pub mod embedded;
pub mod text_layer;

use crate::Error;

/// Parse a PDF; a broken file is an error, never a panic.
pub fn load(bytes: &[u8]) -> Result<lopdf::Document, Error> {
    let doc = std::panic::catch_unwind(|| lopdf::Document::load_mem(bytes))
        .map_err(|_| Error::Pdf("the PDF structure cannot be read".into()))?
        .map_err(|e| Error::Pdf(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(Error::Pdf("encrypted PDFs are not supported".into()));
    }
    let mut doc = doc;
    inline_cid_widths(&mut doc);
    Ok(doc)
}

/// pdf-extract reads a CID font's `/W` widths only in the `cid [w ...]`
/// form with direct numbers; the `first last w` form and indirect numbers
/// (both common) leave every glyph 1000 units wide and run the words of a
/// line together. Rewrite `/W` into the form it reads.
fn inline_cid_widths(doc: &mut lopdf::Document) {
    use lopdf::Object;
    let num = |doc: &lopdf::Document, o: &Object| -> Option<f32> {
        match doc.dereference(o).ok()?.1 {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    };
    let normalise = |doc: &lopdf::Document, w: &Object| -> Option<Object> {
        let items = doc.dereference(w).ok()?.1.as_array().ok()?;
        let mut out = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let first = num(doc, &items[i])? as i64;
            let next = doc.dereference(items.get(i + 1)?).ok()?.1;
            if let Object::Array(ws) = next {
                let ws = ws
                    .iter()
                    .map(|x| num(doc, x).map(Object::Real))
                    .collect::<Option<Vec<_>>>()?;
                out.push(Object::Integer(first));
                out.push(Object::Array(ws));
                i += 2;
            } else {
                let last = num(doc, next)? as i64;
                let width = num(doc, items.get(i + 2)?)?;
                // A range wider than any font is a broken file: keep it bounded.
                let n = (last - first + 1).clamp(0, 65536) as usize;
                out.push(Object::Integer(first));
                out.push(Object::Array(vec![Object::Real(width); n]));
                i += 3;
            }
        }
        Some(Object::Array(out))
    };
    let mut fixes: Vec<(lopdf::ObjectId, Option<usize>, Object)> = Vec::new();
    for (id, obj) in &doc.objects {
        let Ok(dict) = obj.as_dict() else { continue };
        let Ok(Object::Array(desc)) = dict
            .get(b"DescendantFonts")
            .and_then(|d| doc.dereference(d).map(|x| x.1))
        else {
            continue;
        };
        for (i, d) in desc.iter().enumerate() {
            let (target, cid) = match d {
                Object::Reference(r) => match doc.get_dictionary(*r) {
                    Ok(c) => (Some(*r), c),
                    Err(_) => continue,
                },
                Object::Dictionary(c) => (None, c),
                _ => continue,
            };
            let Some(arr) = cid.get(b"W").ok().and_then(|w| normalise(doc, w)) else {
                continue;
            };
            fixes.push(match target {
                Some(r) => (r, None, arr),
                None => (*id, Some(i), arr),
            });
        }
    }
    for (id, index, arr) in fixes {
        let Some(Ok(dict)) = doc.objects.get_mut(&id).map(|o| o.as_dict_mut()) else {
            continue;
        };
        match index {
            None => dict.set("W", arr),
            Some(i) => {
                if let Ok(Object::Array(desc)) = dict.get_mut(b"DescendantFonts") {
                    if let Some(Object::Dictionary(cid)) = desc.get_mut(i) {
                        cid.set("W", arr);
                    }
                }
            }
        }
    }
}
