#!/usr/bin/env python3
"""Print `rules!` declarations (id, flag, message) for the given rule ids,
read from an official .sch file. Only the facts are taken: id, flag, text.

usage: rule_decls.py FILE.sch ID...   (an ID ending in '*' is a prefix)
"""
import re, sys, html, json
src = open(sys.argv[1], encoding="utf-8").read()
want = sys.argv[2:]
seen = set()
# Attributes are matched whole: a test may contain '>' (XML allows it unescaped in attributes).
for m in re.finditer(r'<(assert|report)((?:\s+[\w:]+="[^"]*")*)\s*>(.*?)</\1>', src, re.S):
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    rid = attrs.get("id")
    if not rid or rid in seen:
        continue
    if not any(rid == w or (w.endswith("*") and rid.startswith(w[:-1])) for w in want):
        continue
    seen.add(rid)
    flag = {"fatal": "Fatal", "warning": "Warning"}[attrs.get("flag", "fatal")]
    msg = " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(3))).split())
    name = re.sub(r"[^A-Za-z0-9]", "_", rid).upper()
    print(f'    {name} = "{rid}", {flag}, {json.dumps(msg, ensure_ascii=False)};')
