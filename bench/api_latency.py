"""The API under gunicorn (2 workers) with 16 concurrent clients: POST and GET latency.

Use a database already holding many articles (`bench/ingest_growth.py --db FILE` fills one
with 10,000), then: POST /api/articles p50/p99 and GET /api/comparisons p99. Prints JSON.
Goals: POST p99 <= 100 ms, GET p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import distinct_articles, require_data
from bench.memory import free_port, start_gunicorn, wait_healthy
from stance.store import Store


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else 0.0


def run_clients(
    port: int, clients: int, jobs: list[tuple[str, str, bytes | None]]
) -> tuple[list[float], dict]:
    """Send the jobs from `clients` threads over keep-alive connections; return latencies in ms."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(jobs))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body = queue.pop()
            headers = {"Content-Type": "application/json"} if body else {}
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = 1000 * (time.perf_counter() - t0)
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a filled database (copied, never changed)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--gets", type=int, default=2000)
    args = parser.parse_args()
    require_data()
    work = Path(tempfile.mkdtemp())
    db = work / "api.db"
    if args.db:
        for suffix in ("", "-wal", "-shm"):
            if Path(args.db + suffix).exists():
                shutil.copy(args.db + suffix, str(db) + suffix)
    store = Store.open(db)
    stored = store.count_articles()
    issues = [i["id"] for i in store.list_issues(limit=50)]
    store.close()
    texts = list(distinct_articles(stored + args.posts + 100, seed=11))[-args.posts :]
    port = free_port()
    server = start_gunicorn(str(db), args.workers, port)
    try:
        wait_healthy(port, 120)
        posts = [("POST", "/api/articles", json.dumps({"text": t}).encode()) for t in texts]
        post_ms, post_status = run_clients(port, args.clients, posts)
        paths = ["/api/comparisons?relation=conflict&limit=50", "/api/comparisons?party=us&limit=50"]
        paths += [f"/api/comparisons?issue={i}" for i in issues[:20]]
        gets = [("GET", paths[i % len(paths)], None) for i in range(args.gets)]
        get_ms, get_status = run_clients(port, args.clients, gets)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        json.dumps(
            {
                "benchmark": f"API under gunicorn ({args.workers} workers), {args.clients} concurrent clients",
                "articles_stored_before": stored,
                "post": {"n": len(post_ms), "p50_ms": percentile(post_ms, 0.5), "p99_ms": percentile(post_ms, 0.99),
                         "status": post_status},
                "get_comparisons": {"n": len(get_ms), "p50_ms": percentile(get_ms, 0.5),
                                    "p99_ms": percentile(get_ms, 0.99), "status": get_status},
                "goals": {"post_p99_ms": 100, "get_p99_ms": 50},
            }
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
