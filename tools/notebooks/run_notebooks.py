#!/usr/bin/python3
"""Executes notebooks headlessly with the pointe4j kernel and exports each to HTML.

rapaio-jupyter-kernel 3.0.1 sometimes never answers its first kernel_info_request (a startup
race: a request that arrives before its shell handlers are registered kills the shell thread with
a NullPointerException; see the README's Notebooks section); waiting longer does not help,
starting the kernel again does. Once, on a loaded machine, a start also ended with the kernel
exiting before its first answer. Such starts are retried and every retry is counted and printed. A failing
cell fails the run with the cell's error.

The kernel's own console output (the JVM's start-up lines, one per class-path entry) goes to
OUT_DIR/NOTEBOOK.kernel.log instead of the log a user reads; its tail is printed when a notebook
fails.

usage: run_notebooks.py OUT_DIR NOTEBOOK.ipynb... [--timeout SECONDS] [--retries N]
       run_notebooks.py --self-test   (a kernel that never answers, and one that exits while starting, are
                                       retried, then fail, and the run ends without nbclient's exit-hook traceback)
"""
import argparse
import atexit
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

# a start that has not answered in this time is taken as the start-up race and retried; generous,
# so that a slow start on a loaded machine is not mistaken for the race
STARTUP_SECONDS = 30


def start_failed(e):
    """True for nbclient's errors of a kernel start that never got as far as running a cell."""
    text = str(e)
    return "didn't respond" in text or "died before replying to kernel_info" in text


def execute(path, out_dir, timeout, retries, log, kernel="pointe4j", startup_seconds=STARTUP_SECONDS):
    retried = 0
    while True:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, startup_timeout=startup_seconds,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.time()
        try:
            log.write(f"--- {path.name}, kernel start {retried + 1}\n")
            log.flush()
            client.execute(stdout=log, stderr=log)
            break
        except CellExecutionError:
            raise
        except RuntimeError as e:
            # nbclient has shut the kernel down, but after a start that never answered its exit hook for that
            # kernel stays registered and would print an AssertionError traceback when this script ends
            atexit.unregister(client._cleanup_kernel)
            # "Kernel didn't respond in 20 seconds": the start never answered; "Kernel died before replying
            # to kernel_info": the kernel exited while starting (seen once in CI on a loaded machine, the
            # log ending after the init script). No cell has run in either case: start again
            if not start_failed(e) or retried >= retries:
                raise
            retried += 1
            print(f"  {path.name}: kernel start {retried} did not answer, retrying", flush=True)
    seconds = time.time() - start
    executed = out_dir / path.name
    nbformat.write(nb, executed)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (out_dir / (path.stem + ".html")).write_text(html, encoding="utf-8")
    return seconds, retried


def self_test():
    # a kernel that never answers, and one that exits as soon as it starts
    kernels = {"silent": ["sleep", "20"], "dying": ["false"]}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in kernels.items():
            spec = Path(tmp) / "kernels" / name
            spec.mkdir(parents=True)
            (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": name, "language": "none"}))
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell("1"))
        nbformat.write(nb, Path(tmp) / "x.ipynb")
        for name in kernels:
            child = ("import sys; sys.path.insert(0, %r); import run_notebooks as r; from pathlib import Path\n"
                     "try:\n    r.execute(Path('x.ipynb').resolve(), Path('.'), 30, 1, open('log.txt', 'w'), %r, 1)\n"
                     "except RuntimeError as e:\n    print('failed:', e)\n") % (str(Path(__file__).parent), name)
            env = dict(os.environ, JUPYTER_PATH=tmp)
            p = subprocess.run([sys.executable, "-c", child], cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
            ok = "did not answer, retrying" in p.stdout and "failed:" in p.stdout and "AssertionError" not in p.stderr
            failures += 0 if ok else 1
            print(f"  self-test: a {name} kernel is retried once, then fails, and the run ends without a traceback: "
                  + ("ok" if ok else "FAILED\n" + p.stdout + p.stderr), flush=True)
    return 0 if failures == 0 else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--retries", type=int, default=5)
    a = ap.parse_args()
    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total_retries = 0
    for nb in a.notebooks:
        p = Path(nb).resolve()
        print(f"notebook {p.name}: executing", flush=True)
        log_file = out / (p.stem + ".kernel.log")
        try:
            with open(log_file, "w", encoding="utf-8") as log:
                seconds, retried = execute(p, out, a.timeout, a.retries, log)
        except Exception as e:
            tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
            print(f"notebook {p.name}: FAILED\n{e}\nlast lines of the kernel's log {log_file}:\n" + "\n".join(tail),
                  file=sys.stderr)
            return 1
        total_retries += retried
        print(f"notebook {p.name}: ok in {seconds:.0f} s ({retried} kernel start retries)", flush=True)
    print(f"notebooks: {len(a.notebooks)} executed, {total_retries} kernel start retries in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
