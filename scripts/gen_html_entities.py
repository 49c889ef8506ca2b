#!/usr/bin/env python3
"""Writes the HTML5 named character references (the table Python's html.unescape and ftfy use) as
a resource for org.pointe4j.clip.HtmlText: one 'name<TAB>code points in hex' line per entity.
Standard library only:  python3 scripts/gen_html_entities.py > src/main/resources/org/pointe4j/clip/html5_entities.tsv
"""
import html.entities

for name, text in sorted(html.entities.html5.items()):
    print(name + "\t" + " ".join("%x" % ord(c) for c in text))
