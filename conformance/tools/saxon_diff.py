#!/usr/bin/env python3
"""Differential check of `gateway-rules` against the official stylesheets
(Saxon-HE via `pip install saxonche lxml`) on any documents, not only the
corpus: the way to test rules the oracle never sees fire.

  cargo build -p gateway-rules --example ids
  python3 conformance/tools/saxon_diff.py RULES FILE... [--conf ../shared/conformance]

RULES is peppol, peppol-sb, cius-ro or en16931. Prints one line per file
whose fired fatal/warning ids differ (`+id` only we fire, `-id` only the
official stylesheets) and a summary; exit 1 on any difference.
"""
import json, os, subprocess, sys
from saxonche import PySaxonProcessor
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
LAYERS = {
    "en16931": ["en16931/ubl/xslt/EN16931-UBL-validation.xslt"],
    "peppol": ["peppol-bis3-2026.5/xslt/CEN-EN16931-UBL.xslt", "peppol-bis3-2026.5/xslt/PEPPOL-EN16931-UBL.xslt"],
    "peppol-sb": ["peppol-bis3-2026.5/xslt/CEN-EN16931-UBL.xslt", "peppol-bis3-2026.5/xslt/PEPPOL-EN16931-UBL-SB.xslt"],
    "cius-ro": ["cius-ro/xslt/EN16931-CIUS_RO-UBL-validation.xslt"],
}


def official(proc, exes, path):
    fatal, warning = set(), set()
    node = proc.parse_xml(xml_file_name=path)
    for exe in exes:
        try:
            out = exe.transform_to_string(xdm_node=node)
        except Exception as e:  # the stylesheet stops (dynamic error)
            return None, str(e)[:160]
        for el in etree.fromstring(out.encode()).iter(SVRL + "failed-assert", SVRL + "successful-report"):
            (warning if el.get("flag") == "warning" else fatal).add(el.get("id"))
    return (fatal, warning), None


def main():
    args = sys.argv[1:]
    conf = os.path.join(ROOT, "..", "shared", "conformance")
    if "--conf" in args:
        i = args.index("--conf")
        conf = args[i + 1]
        del args[i : i + 2]
    rules, files = args[0], args[1:]
    ids = os.path.join(ROOT, "target", "debug", "examples", "ids")
    ours = {}
    for line in subprocess.run([ids, rules, *files], capture_output=True, text=True, check=True).stdout.splitlines():
        r = json.loads(line)
        ours[r["file"]] = r
    bad = 0
    with PySaxonProcessor(license=False) as proc:
        x = proc.new_xslt30_processor()
        exes = [x.compile_stylesheet(stylesheet_file=os.path.join(conf, p)) for p in LAYERS[rules]]
        for f in files:
            want, err = official(proc, exes, f)
            got = ours[f]
            if want is None or got["error"]:
                if (want is None) != bool(got["error"]):
                    bad += 1
                    print(f"{f}: official error {err!r}, ours {got['error']!r}")
                continue
            diff = [("+" if i in got["fatal"] else "-") + i for i in sorted(set(got["fatal"]) ^ want[0])]
            diff += [("+" if i in got["warning"] else "-") + i + "(w)" for i in sorted(set(got["warning"]) ^ want[1])]
            if diff:
                bad += 1
                print(f"{f}: {' '.join(diff)}")
            elif "-v" in os.environ.get("DIFF_FLAGS", ""):
                print(f"{f}: same {sorted(want[0])} {sorted(want[1])}")
    print(f"{len(files) - bad} / {len(files)} files agree")
    sys.exit(1 if bad else 0)


main()
