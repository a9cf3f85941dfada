#!/usr/bin/env python3
"""Writes deterministic mutants of seed documents for `saxon_diff.py`:
deleted, duplicated and re-valued elements and attributes, so that rules
the corpus never fires get exercised against the official stylesheets.

  python3 conformance/tools/mutate.py OUT_DIR COUNT SEED_FILE...
"""
import os, random, sys
from lxml import etree

TEXTS = ["", " ", "0", "-1", "1", "100.00", "12.345", "abc", "NaN", "2020-13-01", "2017-11-13",
         "2099-01-01", "380", "381", "389", "527", "261", "326", "384", "DE", "NO", "RO", "SE", "DK",
         "IT", "IS", "NL", "GR", "S", "Z", "E", "AE", "K", "G", "O", "L", "M", "VAT", "true", "false",
         "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
         "urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0",
         "urn:peppol:bis:billing_with_response",
         "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
         "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0",
         "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1",
         "RO1234567890", "RO123", "1234567890123", "7300010000001", "123456785", "DK12345678",
         "0123456789", "NL123456789B12", "IT12345678901", "RO-B", "RO-CJ", "SECTOR1", "Bucuresti",
         "VATEX-EU-G", "VATEX-EU-O", "VATEX-EU-IC", "30", "31", "42", "49", "58", "59", "97", "ZZZ",
         "EUR", "RON", "USD", "A" * 300, "x" * 101]
ATTRS = {
    "schemeID": ["0088", "0192", "0184", "0007", "0208", "9944", "0201", "0210", "0211", "0151",
                 "0096", "0198", "0106", "0190", "0217", "9907", "9906", "XXXX", "0002", "SEPA"],
    "currencyID": ["EUR", "USD", "RON", "XYZ", "NOK"],
    "mimeCode": ["application/pdf", "text/plain", "image/png", "application/xml"],
    "unitCode": ["C62", "EA", "H87", "XXX"],
    "listID": ["UNCL7143", "XX"],
}


def mutants(path, count, rng):
    tree = etree.parse(path)
    elements = [e for e in tree.getroot().iter() if isinstance(e.tag, str)]
    for i in range(count):
        t = etree.parse(path)
        els = [e for e in t.getroot().iter() if isinstance(e.tag, str)]
        for _ in range(rng.choice([1, 1, 2, 3])):
            e = rng.choice(els)
            op = rng.random()
            if e.getparent() is None:
                continue
            if op < 0.25:
                e.getparent().remove(e)
            elif op < 0.4:
                e.addnext(etree.fromstring(etree.tostring(e)))
            elif op < 0.8 and len(e) == 0:
                e.text = rng.choice(TEXTS)
            else:
                names = [a for a in ATTRS if a in e.attrib] or list(ATTRS)
                a = rng.choice(names)
                e.set(a, rng.choice(ATTRS[a]))
            els = [x for x in t.getroot().iter() if isinstance(x.tag, str)]
        yield i, t
    del elements


def main():
    out, count, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(4)
    for s in seeds:
        base = os.path.splitext(os.path.basename(s))[0].replace(" ", "_")
        for i, t in mutants(s, count, rng):
            t.write(os.path.join(out, f"{base}-{i:03d}.xml"), xml_declaration=True, encoding="UTF-8")


main()
