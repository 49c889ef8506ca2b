#!/usr/bin/python3
"""Proves that the plots of exported notebooks drew: opens each HTML export in headless
Chromium once per plot, with a small script that pins that plot to the top-left corner of the
window and reports what the plot holds (its traces, their points and marker sizes, and where
each 3-D scene sits), takes a screenshot and counts the pixels each part drew.

A 3-D scene (WebGL) must show drawn pixels in proportion to what it was given: at least 0.2% of
its area, or, for a sparse plot, a quarter of the area its distinct points' markers would cover
(never fewer than 30 pixels). Before the screenshot the titles, annotations, axes and toolbar of
the pinned plot are hidden, so that only the data is left: a drawn pixel is a coloured one or one
darker than the white background (a white cloud is shaded grey). Each scene of a grid of clouds
is judged on its own. So a plot of twenty dots passes, and a scene whose canvas stayed blank
fails however few points it had. A 2-D plot must show ink on 0.2% of its area.

A loaded machine makes Chromium slow or makes it fail now and then: each Chromium run has a
generous timeout and is retried, and a plot that looks blank is rendered once more before it
counts as blank.

usage: check_plots.py EXPORT.html... [--chromium chromium]
       check_plots.py --self-test PLOTLY.js     (a sparse plot passes, a blank one fails)
"""
import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

WIDTH = 1000
MIN_PIXELS = 30           # drawn pixels a 3-D scene must show at least
DENSE_SHARE = 0.002       # share of a scene's area that is plainly drawn
SPARSE_SHARE = 0.25       # share of its markers' area a sparse scene must show
PX_PER_SIZE2 = 8.0        # pixels a scatter3d marker covers per size^2 (measured: 50 px at size 2.5)
RUNS = 3                  # Chromium attempts per page

PIN = """
<script>
window.addEventListener('load', function () {
  var k = %d;
  setTimeout(function () {
    var plots = document.querySelectorAll('.pointe-plot');
    var all = [];
    for (var j = 0; j < plots.length; j++) { all.push(describe(plots[j])); }
    if (k >= 0 && k < plots.length) {
      var el = plots[k];
      el.style.position = 'fixed'; el.style.left = '0px'; el.style.top = '0px';
      el.style.width = '%dpx'; el.style.zIndex = 2147483647; el.style.background = 'white';
      if (window.Plotly) {
        Plotly.Plots.resize(el);
        // only the data may count as drawn: hide titles, annotations, axes and the toolbar, so
        // that grey points (a white or grey cloud) can be counted as ink without the text and
        // grid lines around them passing a blank scene
        var upd = {annotations: [], 'title.text': ''};
        Object.keys(el.layout || {}).forEach(function (key) {
          if (/^scene\d*$/.test(key)) {
            ['xaxis', 'yaxis', 'zaxis'].forEach(function (a) { upd[key + '.' + a + '.visible'] = false; });
          }
        });
        Plotly.relayout(el, upd);
        var css = document.createElement('style');
        css.textContent = '.modebar-container { display: none !important; }';
        document.head.appendChild(css);
      }
    }
    var pre = document.createElement('pre');
    pre.id = 'pointe-check'; pre.textContent = JSON.stringify(all);
    document.body.appendChild(pre);
  }, 1500);

  // what a plot holds: its height, kind, and per 3-D scene the distinct points, marker size,
  // domain and the figure's margins (the scene's place in the pinned plot follows from them)
  function describe(el) {
    var info = {height: el.getBoundingClientRect().height, kind: '', scenes: []};
    var data = el.data || [];
    var layout = el.layout || {};
    info.kind = data.some(function (t) { return /3d$/.test(t.type); }) ? '3d' : '2d';
    info.margin = layout.margin || {};
    var seen = {};
    data.forEach(function (t) {
      if (!/3d$/.test(t.type) || t.visible === false) { return; }
      var name = t.scene || 'scene';
      var s = seen[name];
      if (!s) {
        var d = (layout[name] && layout[name].domain) || {};
        s = seen[name] = {name: name, points: 0, marker: 0, x: d.x || [0, 1], y: d.y || [0, 1]};
        info.scenes.push(s);
      }
      // distinct points at 1/200 of the trace's extent: points closer than that share pixels
      var xs = t.x || [], ys = t.y || [], zs = t.z || [], keys = {}, n = 0;
      var lo = Infinity, hi = -Infinity;
      [xs, ys, zs].forEach(function (a) { for (var i = 0; i < a.length; i++) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); } });
      var q = hi > lo ? (hi - lo) / 200 : 1;
      for (var i = 0; i < xs.length; i++) {
        var key = Math.round(xs[i] / q) + ',' + Math.round(ys[i] / q) + ',' + Math.round(zs[i] / q);
        if (!keys[key]) { keys[key] = 1; n++; }
      }
      s.points += t.type === 'mesh3d' ? 1e9 : n;
      s.marker = Math.max(s.marker, (t.marker && t.marker.size) || 6);
    });
    return info;
  }
});
</script>
"""


def chromium(binary, page, extra, height):
    """One headless Chromium run; None when it failed or timed out."""
    profile = tempfile.mkdtemp(prefix="pointe-chromium-")
    try:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--enable-unsafe-swiftshader", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--user-data-dir={profile}", "--virtual-time-budget=30000",
               f"--window-size={WIDTH},{height}"] + extra + [page.as_uri()]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_info(binary, page):
    """What the pinned page reports, retried when Chromium fails; None if it never loads."""
    for attempt in range(RUNS):
        r = chromium(binary, page, ["--dump-dom"], 900)
        m = re.search(r'<pre id="pointe-check">(.*?)</pre>', r.stdout if r else "")
        if m:
            return json.loads(m.group(1).replace("&quot;", '"'))
        print(f"  {page.name}: Chromium run {attempt + 1} gave no page, retrying", flush=True)
    return None


def screenshot(binary, page, shot, h):
    for attempt in range(RUNS):
        if shot.exists():
            shot.unlink()
        r = chromium(binary, page, [f"--screenshot={shot}"], max(h, 200))
        if r is not None and shot.exists():
            return np.asarray(Image.open(shot).convert("RGB")).astype(int)[:h, :WIDTH]
        print(f"  {page.name}: Chromium screenshot {attempt + 1} failed, retrying", flush=True)
    return None


def required(scene, box):
    """Coloured pixels a 3-D scene must show: see the module's doc."""
    x0, y0, x1, y1 = box
    area = max(1.0, (x1 - x0) * (y1 - y0))
    marker_area = PX_PER_SIZE2 * scene["marker"] ** 2
    return max(MIN_PIXELS, min(DENSE_SHARE * area, SPARSE_SHARE * scene["points"] * marker_area))


def scene_box(scene, info):
    """The pixel rectangle (x0, y0, x1, y1) of a scene in the pinned plot, from its domain and the margins."""
    m = info.get("margin") or {}
    left, right, top, bottom = (float(m.get(k, 0)) for k in ("l", "r", "t", "b"))
    w = WIDTH - left - right
    h = info["height"] - top - bottom
    return (left + scene["x"][0] * w, top + (1 - scene["y"][1]) * h, left + scene["x"][1] * w, top + (1 - scene["y"][0]) * h)


def judge(img, info):
    """(ok, description) of one screenshot of a plot."""
    spread = img.max(axis=2) - img.min(axis=2)
    coloured = spread >= 40
    dark = img.min(axis=2) < 235
    ink = float(dark.mean())
    # in a 3-D scene only the data is left (see PIN): coloured points, or grey and white ones
    # that the lighting shades below the white background
    drawn = coloured | dark
    if info["kind"] != "3d":
        return ink >= DENSE_SHARE, f"{ink:.2%} ink"
    if not info["scenes"]:
        return False, "no visible 3-D trace"
    parts = []
    ok = True
    for s in info["scenes"]:
        box = scene_box(s, info)
        x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
        x1, y1 = min(img.shape[1], int(math.ceil(box[2]))), min(img.shape[0], int(math.ceil(box[3])))
        got = int(drawn[y0:y1, x0:x1].sum())
        need = required(s, box)
        ok = ok and got >= need
        parts.append(f"{s['name']} {got} px (needs {need:.0f}; {min(int(s['points']), 10**6)} points)")
    return ok, f"{float(coloured.mean()):.2%} coloured; " + ", ".join(parts)


def pinned(text, k, tmp):
    page = tmp / f"plot{k}.html"
    page.write_text(text.replace("</body>", (PIN % (k, WIDTH)) + "</body>", 1), encoding="utf-8")
    return page


def check(binary, export):
    text = export.read_text(encoding="utf-8")
    failures = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        infos = page_info(binary, pinned(text, -1, tmp))      # one run describes every plot
        if infos is None:
            return [f"{export.name}: the page did not load (no check marker)"]
        if not infos:
            print(f"  {export.name}: no plots")
        for k, info in enumerate(infos):
            page = pinned(text, k, tmp)
            h = int(info["height"])
            ok, what = False, "no screenshot"
            for attempt in range(2):      # a blank-looking plot gets a second rendering
                img = screenshot(binary, page, tmp / f"plot{k}.png", h)
                if img is not None:
                    ok, what = judge(img, info)
                if ok:
                    break
            print(f"  {export.name} plot {k} ({info['kind']}, {h} px): {what} -> {'ok' if ok else 'BLANK'}", flush=True)
            if not ok:
                failures.append(f"{export.name}: plot {k} ({info['kind']}) did not draw: {what}")
    return failures


def self_test(binary, plotly_js):
    """A sparse plot (20 dots) must pass; the same plot with its dots outside the view must fail."""
    js = Path(plotly_js).read_text(encoding="utf-8")
    rng = np.random.default_rng(0)
    pts = rng.uniform(-0.4, 0.4, size=(20, 3)).round(4).tolist()

    def page(ranges):
        trace = {"type": "scatter3d", "mode": "markers", "x": [p[0] for p in pts], "y": [p[1] for p in pts],
                 "z": [p[2] for p in pts], "marker": {"size": 2.5, "color": "rgb(30,160,40)"}}
        axis = {"visible": False, "range": ranges, "autorange": False}
        layout = {"margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                  "scene": {"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "cube"}}
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><script>" + js + "</script></head><body>"
                "<div id='p' class='pointe-plot' style='width:100%;height:480px'></div><script>Plotly.newPlot('p',"
                + json.dumps([trace]) + "," + json.dumps(layout) + ");</script></body></html>")

    failed = []
    with tempfile.TemporaryDirectory() as d:
        sparse = Path(d) / "sparse.html"
        sparse.write_text(page([-0.5, 0.5]), encoding="utf-8")
        blank = Path(d) / "blank.html"
        blank.write_text(page([5, 6]), encoding="utf-8")   # the dots lie outside the drawn box
        if check(binary, sparse):
            failed.append("a sparse plot of 20 dots was called blank")
        if not check(binary, blank):
            failed.append("a blank plot passed")
    for f in failed:
        print("FAIL self-test: " + f, file=sys.stderr)
    if not failed:
        print("  self-test: a 20-dot plot passes, a blank one fails")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exports", nargs="*")
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--self-test", metavar="PLOTLY_JS")
    a = ap.parse_args()
    if a.self_test:
        return self_test(a.chromium, a.self_test)
    failures = []
    for e in a.exports:
        failures += check(a.chromium, Path(e).resolve())
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
