#!/usr/bin/python3
"""Proves that the plots of exported notebooks drew: opens each HTML export in headless
Chromium once per plot, with a small script that pins that plot to the top-left corner of the
window, takes a screenshot and counts the pixels inside the plot's area. A 3-D plot (drawn with
WebGL) must show coloured pixels (the points or faces in their colours), a 2-D plot any ink.

usage: check_plots.py EXPORT.html... [--chromium chromium]
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

WIDTH = 1000

PIN = """
<script>
window.addEventListener('load', function () {
  var k = %d;
  setTimeout(function () {
    var plots = document.querySelectorAll('.pointe-plot');
    var info = {count: plots.length, height: 0, kind: ''};
    if (k < plots.length) {
      var el = plots[k];
      el.style.position = 'fixed'; el.style.left = '0px'; el.style.top = '0px';
      el.style.width = '%dpx'; el.style.zIndex = 2147483647; el.style.background = 'white';
      if (window.Plotly) { Plotly.Plots.resize(el); }
      info.height = el.getBoundingClientRect().height;
      info.kind = (el.data || []).some(function (t) { return /3d$/.test(t.type); }) ? '3d' : '2d';
    }
    var pre = document.createElement('pre');
    pre.id = 'pointe-check'; pre.textContent = JSON.stringify(info);
    document.body.appendChild(pre);
  }, 1500);
});
</script>
"""


def chromium(binary, page, extra, height):
    profile = tempfile.mkdtemp(prefix="pointe-chromium-")
    try:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--enable-unsafe-swiftshader", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--user-data-dir={profile}", "--virtual-time-budget=20000",
               f"--window-size={WIDTH},{height}"] + extra + [page.as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def pinned(html_text, k, tmp):
    page = tmp / f"plot{k}.html"
    page.write_text(html_text.replace("</body>", (PIN % (k, WIDTH)) + "</body>", 1), encoding="utf-8")
    return page


def check(binary, export):
    text = export.read_text(encoding="utf-8")
    failures = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        k = 0
        while True:
            page = pinned(text, k, tmp)
            dom = chromium(binary, page, ["--dump-dom"], 900).stdout
            m = re.search(r'<pre id="pointe-check">(.*?)</pre>', dom)
            if not m:
                failures.append(f"{export.name}: the page did not load (no check marker)")
                break
            info = json.loads(m.group(1).replace("&quot;", '"'))
            if k >= info["count"]:
                break
            h = int(info["height"])
            shot = tmp / f"plot{k}.png"
            chromium(binary, page, [f"--screenshot={shot}"], max(h, 200))
            img = np.asarray(Image.open(shot).convert("RGB")).astype(int)[:h, :WIDTH]
            spread = img.max(axis=2) - img.min(axis=2)
            coloured = float((spread >= 40).mean())
            ink = float((img.min(axis=2) < 235).mean())
            ok = coloured >= 0.002 if info["kind"] == "3d" else ink >= 0.002
            print(f"  {export.name} plot {k} ({info['kind']}, {h} px): {coloured:.2%} coloured, {ink:.2%} ink -> "
                  f"{'ok' if ok else 'BLANK'}", flush=True)
            if not ok:
                failures.append(f"{export.name}: plot {k} ({info['kind']}) did not draw")
            k += 1
        if k == 0 and not failures:
            print(f"  {export.name}: no plots")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exports", nargs="+")
    ap.add_argument("--chromium", default="chromium")
    a = ap.parse_args()
    failures = []
    for e in a.exports:
        failures += check(a.chromium, Path(e).resolve())
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
