#!/usr/bin/python3
"""Executes notebooks headlessly with the pointe4j kernel and exports each to HTML.

rapaio-jupyter-kernel 3.0.1 sometimes never answers its first kernel_info_request (a startup
race: a request that arrives before its shell handlers are registered kills the shell thread with
a NullPointerException; see the README's Notebooks section); waiting longer does not help,
starting the kernel again does. Such starts are retried and every retry is counted and printed. A failing
cell fails the run with the cell's error.

The kernel's own console output (the JVM's start-up lines, one per class-path entry) goes to
OUT_DIR/NOTEBOOK.kernel.log instead of the log a user reads; its tail is printed when a notebook
fails.

usage: run_notebooks.py OUT_DIR NOTEBOOK.ipynb... [--timeout SECONDS] [--retries N]
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

# a start that has not answered in this time is taken as the start-up race and retried; generous,
# so that a slow start on a loaded machine is not mistaken for the race
STARTUP_SECONDS = 30


def execute(path, out_dir, timeout, retries, log):
    retried = 0
    while True:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name="pointe4j", timeout=timeout, startup_timeout=STARTUP_SECONDS,
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
            # "Kernel didn't respond in 20 seconds": the start never answered; start again
            if "didn't respond" not in str(e) or retried >= retries:
                raise
            retried += 1
            print(f"  {path.name}: kernel start {retried} did not answer, retrying", flush=True)
    seconds = time.time() - start
    executed = out_dir / path.name
    nbformat.write(nb, executed)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (out_dir / (path.stem + ".html")).write_text(html, encoding="utf-8")
    return seconds, retried


def main():
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
