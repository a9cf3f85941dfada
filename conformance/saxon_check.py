#!/usr/bin/env python3
"""Re-check the codec against the official EN 16931 stylesheets with Saxon.

Needs `pip install saxonche lxml`. Steps:
  cargo run --release -p gateway-convert --example dump_corpus -- /tmp/dump
  python3 conformance/saxon_check.py /tmp/dump [../shared/conformance]

For every corpus document (standalone and embedded unit-test documents):
  * round trip (same syntax): the fired fatal and warning rule ids must equal
    those of the source;
  * conversion (other syntax, standalone documents only): the target
    syntax's stylesheet fires no fatal rule when the source had none.
"""
import sys, os, collections
from saxonche import PySaxonProcessor
from lxml import etree

dump = sys.argv[1]
conf = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "conformance")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
XSLT = {
    "ubl": os.path.join(conf, "en16931/ubl/xslt/EN16931-UBL-validation.xslt"),
    "cii": os.path.join(conf, "en16931/cii/xslt/EN16931-CII-validation.xslt"),
}
# Extra layers checked on UBL round trips: Peppol BIS 3.0.21 (CEN + PEPPOL)
# and CIUS-RO 1.0.9.
UBL_LAYERS = {
    "peppol-cen": os.path.join(conf, "peppol-bis3-2026.5/xslt/CEN-EN16931-UBL.xslt"),
    "peppol": os.path.join(conf, "peppol-bis3-2026.5/xslt/PEPPOL-EN16931-UBL.xslt"),
    "peppol-sb": os.path.join(conf, "peppol-bis3-2026.5/xslt/PEPPOL-EN16931-UBL-SB.xslt"),
    "cius-ro": os.path.join(conf, "cius-ro/xslt/EN16931-CIUS_RO-UBL-validation.xslt"),
}

def fired(exe, proc, path):
    try:
        node = proc.parse_xml(xml_file_name=path)
        out = exe.transform_to_string(xdm_node=node)
    except Exception as e:  # the official stylesheet cannot process it
        return None, str(e)[:200]
    root = etree.fromstring(out.encode())
    fatal, warn = set(), set()
    for el in root.iter(SVRL + "failed-assert", SVRL + "successful-report"):
        rid, flag = el.get("id"), el.get("flag", "fatal")
        (warn if flag == "warning" else fatal).add(rid)
    return (frozenset(fatal), frozenset(warn)), None

def main():
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(dump, "index.tsv"))]
    stats = collections.Counter()
    problems = []
    with PySaxonProcessor(license=False) as proc:
        x = proc.new_xslt30_processor()
        exes = {k: x.compile_stylesheet(stylesheet_file=v) for k, v in XSLT.items()}
        layers = {k: x.compile_stylesheet(stylesheet_file=v) for k, v in UBL_LAYERS.items() if os.path.exists(v)}
        for name, kind, embedded, label in rows:
            other = "cii" if kind == "ubl" else "ubl"
            src, err = fired(exes[kind], proc, os.path.join(dump, "src", name))
            if src is None:
                stats["source not processable"] += 1
                continue
            rt, err = fired(exes[kind], proc, os.path.join(dump, "rt", name))
            if rt == src:
                stats[f"{kind} round trip same ids"] += 1
            else:
                stats[f"{kind} round trip DIFFERENT"] += 1
                problems.append(f"round trip {label}: source {sorted(src[0])}/{sorted(src[1])} output {rt and sorted(rt[0])}/{rt and sorted(rt[1])} {err or ''}")
            if kind == "ubl":
                for lname, lexe in layers.items():
                    a, _ = fired(lexe, proc, os.path.join(dump, "src", name))
                    b, err = fired(lexe, proc, os.path.join(dump, "rt", name))
                    if a is None:
                        continue
                    if a == b:
                        stats[f"ubl round trip same ids ({lname})"] += 1
                    else:
                        stats[f"ubl round trip DIFFERENT ({lname})"] += 1
                        problems.append(f"round trip {label} [{lname}]: lost {sorted((a[0] | a[1]) - (b[0] | b[1])) if b else a} added {sorted((b[0] | b[1]) - (a[0] | a[1])) if b else err}")
            if embedded == "true":
                continue
            conv, err = fired(exes[other], proc, os.path.join(dump, "conv", name))
            if conv is None:
                stats[f"{kind}->{other} not processable"] += 1
                problems.append(f"convert {label}: {err}")
            elif src[0] or not conv[0]:
                stats[f"{kind}->{other} ok (no new fatal)"] += 1
            else:
                stats[f"{kind}->{other} NEW FATAL"] += 1
                problems.append(f"convert {label}: fatal {sorted(conv[0])}")
    for k, v in sorted(stats.items()):
        print(f"{v:6d}  {k}")
    for p in problems:
        print(p)
    bad = sum(v for k, v in stats.items() if "DIFFERENT" in k or "NEW FATAL" in k or "->" in k and "not processable" in k)
    print(f"{sum(stats.values()) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)

main()
