"""Resident memory per gunicorn worker with the model loaded, after some real requests.

Starts gunicorn on a loopback port, posts a few articles, reads each worker's RSS (and its
unique set size, the memory it does not share with the master) from /proc. Prints JSON.
Goal: <= 250 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import all_texts, require_data, seed_sized
from bench.server import Server, resolve_model


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
    parser.add_argument("--model", help="model file, or 'none' (default: the repo's model)")
    args = parser.parse_args()
    require_data()
    db = Path(tempfile.mkdtemp()) / "memory.db"
    with Server(db=db, workers=args.workers, model=resolve_model(args.model)) as server:
        port = server.port
        for text in seed_sized(all_texts())[: args.requests]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/articles", data=json.dumps({"text": text}).encode(),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            urllib.request.urlopen(request, timeout=60).read()
        children = server.worker_pids()
        master = server.proc.pid  # type: ignore[union-attr]
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
                    "master_rss_mb": round(status_kb(master, "VmRSS") / 1024, 1),
                    "workers": workers,
                    "max_worker_rss_mb": max(w["rss_mb"] for w in workers),
                    "goal_mb_at_most": 250,
                }
            )
        )


if __name__ == "__main__":
    main()
