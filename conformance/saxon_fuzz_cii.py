#!/usr/bin/env python3
"""Differential check of the native EN 16931 CII rules against the official
stylesheet (Saxon): mutate the CII corpus documents, run both, compare the
fired rule ids with their counts (and that a document the stylesheet cannot
process is an error for us too).

Needs `pip install saxonche lxml`. Usage:
  cargo build --release -p gateway-rules --example fired
  python3 conformance/saxon_fuzz_cii.py [N=2000] [SEED=1] [../shared/conformance]
"""
import os, random, re, subprocess, sys, collections, tempfile
from lxml import etree
from saxonche import PySaxonProcessor

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 1
here = os.path.dirname(os.path.abspath(__file__))
conf = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "shared", "conformance")
XSLT = os.path.join(conf, "en16931/cii/xslt/EN16931-CII-validation.xslt")
SCH = os.path.join(conf, "en16931/cii/schematron/preprocessed/EN16931-CII-validation-preprocessed.sch")
FIRED = os.path.join(here, "..", "target", "release", "examples", "fired")
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

rnd = random.Random(SEED)
# Names the rules talk about: inserting them exercises the "shall not be present" rules.
names = sorted(set(re.findall(r"ram:([A-Z][A-Za-z]+)", open(SCH, encoding="utf-8").read())))
VALUES = ["", " ", "0", "0.00", "-1", "-5.5", "1", "1.005", "100", "100.10", "19", "19.0", "7", "abc",
          "S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B", "XX", "VAT", "vat", "GST", "30", "58", "49",
          "IT", "DE", "FR", "EUR", "USD", "true", "false", "0", "TRUE", "20240101", "20241301",
          "2024-01-01", "380", "381", "916", "130", "50", "VATEX-EU-O", "vatex-eu-ic", "C62", "H87",
          "DE123456789", "XX123", "a b"]
ATTRS = {"schemeID": ["VA", "FC", "0088", "0002", "XX", "", "EM"], "currencyID": ["EUR", "USD", "XXX"],
         "unitCode": ["C62", "H87", "XXX"], "format": ["102", "610"], "listID": ["STI", "XX", ""],
         "mimeCode": ["application/pdf", "text/plain"], "schemeName": ["x"], "languageID": ["en"],
         "listAgencyID": ["6"], "name": ["n"]}


NS = {"rsm": RSM, "ram": RAM, "udt": UDT}
DT_ATTRS = ["schemeName", "schemeAgencyName", "schemeDataURI", "schemeURI", "schemeAgencyID",
            "schemeVersionID", "listID", "listAgencyID", "listVersionID", "listURI", "name",
            "currencyCodeListVersionID", "unitCodeListID", "unitCodeListAgencyID",
            "unitCodeListAgencyName", "format", "languageID", "languageLocaleID", "currencyID", "unitCode"]


def forbidden_paths():
    """(context XPath, relative path) of the syntax pattern's `not(path)` tests."""
    sch = etree.parse(SCH)
    S = "{http://purl.oclc.org/dsdl/schematron}"
    out = []
    for pat in sch.iter(S + "pattern"):
        if pat.get("id") != "EN16931-CII-Syntax":
            continue
        for r in pat.iter(S + "rule"):
            for a in r.iter(S + "assert"):
                m = re.fullmatch(r"not ?\(((?:ram|udt):[A-Za-z]+(?:/(?:ram|udt):[A-Za-z]+)*)(?:/@([A-Za-z]+))?\)", a.get("test").strip())
                if m:
                    out.append((r.get("context"), m.group(1), m.group(2)))
    return out


FORBIDDEN = forbidden_paths()


def insert_forbidden(root):
    ctx, path, attr = rnd.choice(FORBIDDEN)
    try:
        hits = root.getroottree().xpath(ctx, namespaces=NS)
    except etree.XPathError:
        return
    if not hits:
        return
    cur = rnd.choice(hits)
    for step in path.split("/"):
        p, l = step.split(":")
        cur = etree.SubElement(cur, f"{{{NS[p]}}}{l}")
        cur.text = rnd.choice(["1", "x", "20240101"])
    if attr:
        cur.set(attr, "x")


def vat_scenario(root):
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    code = rnd.choice(["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"])
    for e in els:
        if e.tag == f"{{{RAM}}}CategoryCode" and rnd.random() < 0.9:
            e.text = code
    for e in els:
        if e.tag == f"{{{RAM}}}RateApplicablePercent" and rnd.random() < 0.5:
            e.text = rnd.choice(["0", "0.00", "19", "7", "-1"])
        if e.tag == f"{{{RAM}}}ID" and e.get("schemeID") in ("VA", "FC") and rnd.random() < 0.4:
            e.set("schemeID", rnd.choice(["FC", "VA", "XX"]))
        if e.tag == f"{{{RAM}}}ApplicableTradeTax" and rnd.random() < 0.3:
            etree.SubElement(e, f"{{{RAM}}}ExemptionReason").text = "Reverse charge"
        if e.tag == f"{{{RAM}}}CalculatedAmount" and rnd.random() < 0.3:
            e.text = "0"


def sources():
    docs = []
    for f in sorted(os.listdir(os.path.join(conf, "en16931/cii/examples"))):
        docs.append(etree.parse(os.path.join(conf, "en16931/cii/examples", f)).getroot())
    for f in sorted(os.listdir(os.path.join(conf, "en16931/test/cii"))):
        t = etree.parse(os.path.join(conf, "en16931/test/cii", f)).getroot()
        docs += [e for e in t.iter(f"{{{RSM}}}CrossIndustryInvoice")]
    return docs


def mutate(root):
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    kind = rnd.randrange(11)
    if kind == 8:
        return insert_forbidden(root)
    if kind == 9:
        return vat_scenario(root)
    if kind == 10:
        rnd.choice(els).set(rnd.choice(DT_ATTRS), rnd.choice(["x", "EUR", "C62", "102"]))
        return
    e = rnd.choice(els)
    if kind == 0 and e is not root:
        e.getparent().remove(e)
    elif kind == 1 and e is not root:
        e.addnext(etree.fromstring(etree.tostring(e)))
    elif kind == 2:
        leaves = [x for x in els if len(x) == 0]
        rnd.choice(leaves).text = rnd.choice(VALUES)
    elif kind == 3:
        a = rnd.choice(list(ATTRS))
        e.set(a, rnd.choice(ATTRS[a]))
    elif kind == 4 and e.attrib:
        del e.attrib[rnd.choice(list(e.attrib))]
    elif kind == 5:
        c = etree.SubElement(e, f"{{{RAM}}}{rnd.choice(names)}")
        c.text = rnd.choice(VALUES)
    elif kind == 6:
        codes = [x for x in els if x.tag in (f"{{{RAM}}}CategoryCode", f"{{{RAM}}}TypeCode", f"{{{UDT}}}Indicator")]
        if codes:
            rnd.choice(codes).text = rnd.choice(VALUES[10:45])
    else:
        nums = [x for x in els if re.search(r"(Amount|Percent|Quantity)$", x.tag)]
        if nums:
            rnd.choice(nums).text = rnd.choice(["0", "0.00", "-1", "1.005", "100", "100.10", "19", "7", "12.5", "abc", "1e3"])


errors, ours_err = {}, {}


def saxon(exe, proc, path):
    try:
        out = exe.transform_to_string(xdm_node=proc.parse_xml(xml_file_name=path))
    except Exception as e:
        errors[path] = " ".join(str(e).split())[:160]
        return None
    counts = collections.Counter()
    for el in etree.fromstring(out.encode()).iter(SVRL + "failed-assert", SVRL + "successful-report"):
        counts[(el.get("id"), el.get("flag", "fatal"))] += 1
    return counts


def main():
    base = sources()
    tmp = tempfile.mkdtemp(prefix="ciifuzz")
    files = []
    for i in range(N):
        root = etree.fromstring(etree.tostring(rnd.choice(base)))
        for _ in range(rnd.randint(1, 4)):
            mutate(root)
        p = os.path.join(tmp, f"{i:05d}.xml")
        etree.ElementTree(root).write(p, xml_declaration=True, encoding="UTF-8")
        files.append(p)
    global ours_err
    ours, ours_err = {}, {}
    for chunk in range(0, len(files), 500):
        out = subprocess.run([FIRED, *files[chunk:chunk + 500]], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f, status, fatal, warn = (line.split("\t") + ["", "", ""])[:4]
            if status == "error":
                ours[f] = None
                ours_err[f] = fatal[:160]
                continue
            c = collections.Counter()
            for part, flag in ((fatal, "fatal"), (warn, "warning")):
                for kv in filter(None, part.split(",")):
                    k, n = kv.split("=")
                    c[(k, flag)] = int(n)
            ours[f] = c
    bad_ids, agree, examples, covered = collections.Counter(), 0, {}, set()
    with PySaxonProcessor(license=False) as proc:
        exe = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=XSLT)
        for f in files:
            want, got = saxon(exe, proc, f), ours.get(f)
            for k in (want or {}):
                covered.add(k[0])
            if want == got:
                agree += 1
                continue
            if want is None or got is None:
                key = f"stylesheet error: {errors.get(f, '')}" if want is None else f"our error: {ours_err.get(f, '')}"
                bad_ids[key] += 1
                examples.setdefault(key, f)
                continue
            for k in set(want) | set(got):
                if want.get(k, 0) != got.get(k, 0):
                    key = f"{k[0]} ({k[1]}) oracle {want.get(k, 0)} ours {got.get(k, 0)}"
                    bad_ids[k[0]] += 1
                    examples.setdefault(k[0], f"{f}: {key}")
    print(f"{agree} / {N} mutated CII documents agree with the official stylesheet (seed {SEED}); "
          f"{len(covered)} distinct rule ids fired")
    if os.environ.get("COVERAGE"):
        ids = re.findall(r'<assert id="([^"]+)"', open(SCH, encoding="utf-8").read())
        print("  never fired:", " ".join(i for i in ids if i not in covered))
    for k, n in bad_ids.most_common():
        print(f"  {k}: {n} e.g. {examples[k]}")
    sys.exit(0 if agree == N else 1)


main()
