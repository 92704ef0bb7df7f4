"""The API under gunicorn (2 workers) with 16 concurrent clients: POST and GET latency.

Use a database already holding many articles (`bench/ingest_growth.py --db FILE` fills one
with 10,000), then: POST /api/articles p50/p99 and GET /api/comparisons p99. Prints JSON,
with the server's CPU time per request (master and workers, from /proc) and the load average,
since wall-clock latency on a shared 2-core machine depends on what else runs.
Goals: POST p99 <= 100 ms, GET p99 <= 50 ms.

`--rates 5,10` adds phases that post at those arrival rates (Poisson, per second) instead of as
fast as the server answers: the latency a newsroom sees below saturation, where the closed loop
above measures the queue 16 clients build on 2 cores.

`--mixed N` adds a phase where half the clients post N more articles while the other half
list comparisons: every write changes the data version, so those reads are mostly uncached.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import distinct_articles, require_data
from bench.server import Server, resolve_model
from stance.store import Store


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else 0.0


def run_clients(
    port: int, clients: int, jobs: list[tuple[str, str, bytes | None]], due: list[float] | None = None
) -> tuple[dict[str, list[float]], dict]:
    """Send the jobs from `clients` threads over keep-alive connections; latencies in ms by method.

    Without `due`, each client sends its next job as soon as the last one is answered (a closed
    loop: the server is kept saturated). With `due` (seconds from the start, rising, one per job),
    job i is sent at due[i] by the first free client and its latency counts from due[i], so time a
    request waits for a free client counts too (an open loop at a set arrival rate).
    """
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    queue = list(reversed(jobs))
    times = list(reversed(due)) if due is not None else None
    start = time.perf_counter()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body = queue.pop()
                scheduled = start + times.pop() if times is not None else None
            headers = {"Content-Type": "application/json"} if body else {}
            if scheduled is not None:
                time.sleep(max(0.0, scheduled - time.perf_counter()))
            t0 = scheduled if scheduled is not None else time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = 1000 * (time.perf_counter() - t0)
            with lock:
                latencies.setdefault(method, []).append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def phase(
    server: Server, clients: int, jobs: list[tuple[str, str, bytes | None]], rate: float | None = None
) -> dict:
    """Run the jobs (closed loop, or Poisson arrivals at `rate` per second); latency percentiles,
    statuses, and server CPU per request."""
    due = None
    if rate:
        arrivals = random.Random(5)
        due = list(accumulate(arrivals.expovariate(rate) for _ in jobs))
    cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
    by_method, statuses = run_clients(server.port, clients, jobs, due)
    latencies = [ms for values in by_method.values() for ms in values]
    cpu, wall = server.cpu_seconds() - cpu0, time.perf_counter() - wall0
    return {
        "n": len(latencies),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "status": statuses,
        "per_second": round(len(latencies) / wall, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, len(latencies)), 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a filled database (copied, never changed)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--mixed", type=int, default=0, help="posts in a mixed post/get phase")
    parser.add_argument(
        "--warmup", type=int, default=32, help="posts (and one round of GETs) sent first, not measured"
    )
    parser.add_argument("--model", help="model file, or 'none' (default: the repo's model)")
    parser.add_argument(
        "--rates", default="",
        help="also post at these arrival rates (posts per second, comma-separated; Poisson "
        "arrivals, latency counted from each post's arrival): how the service answers below saturation",
    )  # fmt: skip
    parser.add_argument("--rate-posts", type=int, default=200, help="posts sent at each rate")
    args = parser.parse_args()
    require_data()
    work = Path(tempfile.mkdtemp())
    db = work / "api.db"
    if args.db:
        for suffix in ("", "-wal", "-shm"):
            if Path(args.db + suffix).exists():
                shutil.copy(args.db + suffix, str(db) + suffix)
    store = Store.open(db)  # migrates a copy made by an older version, before the clock starts
    stored = store.count_articles()
    issues = [i["id"] for i in store.list_issues(limit=50)]
    store.close()
    rates = [r for r in args.rates.split(",") if r.strip()]
    fresh = args.warmup + args.posts + args.mixed + len(rates) * args.rate_posts
    texts = list(distinct_articles(stored + fresh + 100, seed=11))[-fresh:]
    warmup, texts = texts[: args.warmup], texts[args.warmup :]
    paths = ["/api/comparisons?relation=conflict&limit=50", "/api/comparisons?party=us&limit=50"]
    paths += [f"/api/comparisons?issue={i}" for i in issues[:20]]
    load_before = round(os.getloadavg()[0], 2)
    figures: dict = {}
    with Server(db=db, workers=args.workers, threads=args.threads, model=resolve_model(args.model)) as server:
        if warmup:  # fresh workers fault in the model's pages and fill their caches: not measured
            cold = [("POST", "/api/articles", json.dumps({"text": t}).encode()) for t in warmup]
            figures["warmup"] = phase(server, args.clients, cold + [("GET", p, None) for p in paths])
        posts = [("POST", "/api/articles", json.dumps({"text": t}).encode()) for t in texts[: args.posts]]
        figures["post"] = phase(server, args.clients, posts)
        spare = texts[args.posts + args.mixed :]
        for rate in [float(r) for r in args.rates.split(",") if r.strip()]:
            count = min(len(spare), args.rate_posts)
            batch = [("POST", "/api/articles", json.dumps({"text": t}).encode()) for t in spare[:count]]
            spare = spare[count:]
            figures[f"post_at_{rate:g}_per_s"] = phase(server, args.clients, batch, rate=rate)
        gets = [("GET", paths[i % len(paths)], None) for i in range(args.gets)]
        figures["get_comparisons"] = phase(server, args.clients, gets)
        if args.mixed:
            more = [
                ("POST", "/api/articles", json.dumps({"text": t}).encode())
                for t in texts[args.posts : args.posts + args.mixed]
            ]
            reads = [("GET", paths[i % len(paths)], None) for i in range(4 * args.mixed)]
            jobs = [job for pair in zip(more, reads[::4], strict=False) for job in pair]
            jobs += [job for i, job in enumerate(reads) if i % 4]
            cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
            by_method, mixed_status = run_clients(server.port, args.clients, jobs)
            mixed_ms = {"POST": by_method.get("POST", []), "GET": by_method.get("GET", [])}
            cpu, wall = server.cpu_seconds() - cpu0, time.perf_counter() - wall0
            figures["mixed"] = {
                "post": {"n": len(mixed_ms["POST"]), "p50_ms": percentile(mixed_ms["POST"], 0.5),
                         "p99_ms": percentile(mixed_ms["POST"], 0.99)},
                "get_comparisons": {"n": len(mixed_ms["GET"]), "p50_ms": percentile(mixed_ms["GET"], 0.5),
                                    "p99_ms": percentile(mixed_ms["GET"], 0.99)},
                "status": mixed_status, "seconds": round(wall, 1),
                "server_cpu_ms_per_request": round(1000 * cpu / max(1, len(jobs)), 2),
            }  # fmt: skip
    print(
        json.dumps(
            {
                "benchmark": f"API under gunicorn ({args.workers} workers x {args.threads} threads), "
                f"{args.clients} concurrent clients",
                "articles_stored_before": stored,
                "cores": os.cpu_count(),
                "load_average_before": load_before,
                **figures,
                "goals": {"post_p99_ms": 100, "get_p99_ms": 50},
            }
        )
    )


if __name__ == "__main__":
    main()
