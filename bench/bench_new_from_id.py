"""`papernotes new ID` timings (issue 25's goals): from a stored answer under 1 s; from a live
source, the network time plus under 1 s.

    python bench/bench_new_from_id.py [--runs 5]

Each figure is the median wall time of fresh `papernotes` processes, beside the baseline in
the same run, `papernotes --version` (start-up) and `papernotes new simclr` (a catalog note,
no network):

1. `new 1111.2011 --key n` with the arXiv and Semantic Scholar answers stored under
   `.papernotes/sources/` (no network);
2. the same with the sources live on a loopback HTTP server (the standard library's) that
   answers after `--delay` seconds, so the tool's own time is `wall - delay`.

Prints JSON; scratch files go to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRATCH = HERE / "out" / "bench_new_from_id"
ATOM = (ROOT / "tests/notes/remote/answers/arxiv_1111.2011v2.xml").read_bytes()


def _server(delay: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            time.sleep(delay)
            body, kind, code = (ATOM, "application/atom+xml", 200) if self.path.startswith("/arxiv") \
                else (b'{"error": "not found"}', "application/json", 404)
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _cmd() -> list[str]:
    script = Path(sys.executable).with_name("papernotes")
    return [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]


def _run(args: list[str], cwd: Path, env: dict, before=None) -> float:
    if before:
        before()
    t0 = time.perf_counter()
    subprocess.run(_cmd() + args, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--delay", type=float, default=0.3)
    args = ap.parse_args()
    from papernotes.core.workspace import init_workspace

    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    vault = init_workspace(SCRATCH / "vault").root
    (vault / "papernotes.yaml").write_text((vault / "papernotes.yaml").read_text()
                                           + "sources:\n  arxiv_delay_s: 0\n")
    server = _server(args.delay)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAPERNOTES_ARXIV_URL": f"{base}/arxiv",
           "PAPERNOTES_S2_URL": f"{base}/s2"}

    def clean(*names):
        return lambda: [p.unlink() for n in names if (p := vault / "notes" / n).exists()]

    def forget():
        clean("n.md")()
        shutil.rmtree(vault / ".papernotes" / "sources", ignore_errors=True)

    startup = [_run(["--version"], vault, env) for _ in range(args.runs)]
    catalog = [_run(["new", "simclr"], vault, env, clean("simclr.md")) for _ in range(args.runs)]
    live = [_run(["new", "1111.2011", "--key", "n"], vault, env, forget) for _ in range(args.runs)]
    stored = [_run(["new", "1111.2011", "--key", "n"], vault, env, clean("n.md"))
              for _ in range(args.runs)]
    server.shutdown()
    live_calls = 2  # arXiv, then Semantic Scholar (404 here), each after `delay`
    out = {
        "runs": args.runs,
        "startup_s": round(statistics.median(startup), 3),
        "catalog_note_s": round(statistics.median(catalog), 3),
        "stored_answer_s": round(statistics.median(stored), 3),
        "live_s": round(statistics.median(live), 3),
        "live_network_s": live_calls * args.delay,
        "live_minus_network_s": round(statistics.median(live) - live_calls * args.delay, 3),
        "goals": {"stored_answer_s": "< 1", "live_minus_network_s": "< 1"},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
