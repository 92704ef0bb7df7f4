"""Resident memory per gunicorn worker with the model loaded, after some real requests.

Starts gunicorn on a loopback port, posts a few articles, reads each worker's RSS (and its
unique set size, the memory it does not share with the master) from /proc. Prints JSON.
Goal: <= 250 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import all_texts, require_data, seed_sized

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(db: str, workers: int, port: int) -> subprocess.Popen:
    env = {**os.environ, "STANCE_DB": db, "STANCE_WORKERS": str(workers), "STANCE_THREADS": "4"}
    conf = REPO / "stance" / "gunicorn_conf.py"
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(conf), "-b", f"127.0.0.1:{port}", "stance.wsgi:app"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become healthy")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def uss_kb(pid: int) -> int:
    total = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    require_data()
    db = str(Path(tempfile.mkdtemp()) / "memory.db")
    port = free_port()
    server = start_gunicorn(db, args.workers, port)
    try:
        wait_healthy(port)
        for text in seed_sized(all_texts())[: args.requests]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/articles", data=json.dumps({"text": text}).encode(),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            urllib.request.urlopen(request, timeout=60).read()
        children = [
            int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
        workers = [
            {
                "pid": pid,
                "rss_mb": round(status_kb(pid, "VmRSS") / 1024, 1),
                "uss_mb": round(uss_kb(pid) / 1024, 1),
            }
            for pid in children
        ]
        print(
            json.dumps(
                {
                    "benchmark": "resident memory per gunicorn worker, model loaded, after requests",
                    "master_rss_mb": round(status_kb(server.pid, "VmRSS") / 1024, 1),
                    "workers": workers,
                    "max_worker_rss_mb": max(w["rss_mb"] for w in workers),
                    "goal_mb_at_most": 250,
                }
            )
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
