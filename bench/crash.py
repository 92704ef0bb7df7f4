"""Crashes: kill -9 gunicorn workers (then the whole server) while clients post articles, restart, check.

usage: python bench/crash.py [--articles 400] [--clients 16] [--kills 8] [--batch-every 8]
                             [--model PATH|none] [--keep DIR]

Starts gunicorn (4 workers) on a fresh database; client threads POST articles, some of them as
batches of several; meanwhile a killer sends SIGKILL to a random worker every few tenths of a second
(gunicorn forks a new one) and finally kills the whole server (master and workers) in the middle of
the load. Then it starts a new server on the same database and checks, through the API and the
database itself:
- every article acknowledged with a 2xx is there, its text equal to the article.text the response
  returned and its claims equal to the claims the response listed;
- nothing is half-written: every stored article (acknowledged or not) has exactly the claims the
  analysis finds in its text, no claim points at a missing article, integrity_check is ok;
- posting an acknowledged text again answers 200 with the same id (nothing stored twice).
Prints JSON counts; exit status 0 when all of that holds.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.concurrency import (  # noqa: E402
    SHARED_DATA,
    Outcome,
    article_texts,
    claim_keys,
    issue_linking,
    read_only,
)
from bench.server import Server, request, resolve_model  # noqa: E402
from stance.analysis import analyze  # noqa: E402
from stance.document import Article  # noqa: E402
from stance.parties import Registry  # noqa: E402


def post_unit(server: Server, texts: list[str], timeout: float) -> list[Outcome]:
    """POST one article (a JSON object) or a batch (a JSON list); one Outcome per text."""
    outcomes = [Outcome(text=t) for t in texts]
    body: Any = [{"text": t} for t in texts] if len(texts) > 1 else {"text": texts[0]}
    try:
        status, raw = request(server.host, server.port, "POST", "/api/articles", body, timeout=timeout)
    except (OSError, http.client.HTTPException) as error:
        for outcome in outcomes:
            outcome.error = f"{type(error).__name__}: {error}"
        return outcomes
    docs = json.loads(raw) if 200 <= status < 300 else None
    if docs is not None and len(texts) == 1:
        docs = [docs]
    for index, outcome in enumerate(outcomes):
        outcome.status = status
        if docs is not None:
            outcome.article_id = docs[index]["article"]["id"]
            outcome.stored_text = docs[index]["article"]["text"]
            outcome.claims = claim_keys(docs[index]["claims"])
        else:
            outcome.error = raw[:300].decode("utf-8", "replace")
    return outcomes


def units(texts: list[str], batch_every: int, batch_size: int, seed: int = 5) -> list[list[str]]:
    """The texts cut into single posts, with every `batch_every`-th post a batch."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(texts):
        size = batch_size if batch_every and rng.randrange(batch_every) == 0 else 1
        out.append(texts[i : i + size])
        i += size
    return out


def killer(
    server: Server, kills: int, stop: threading.Event, done: threading.Event, seed: int = 3
) -> list[int]:
    """SIGKILL a random live worker every 0.2-0.8 s, `kills` times; returns the pids killed."""
    rng = random.Random(seed)
    killed: list[int] = []
    time.sleep(1.0)
    while len(killed) < kills and not stop.is_set():
        pids = [p for p in server.worker_pids() if p not in killed]
        if pids:
            pid = rng.choice(pids)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        stop.wait(rng.uniform(0.2, 0.8))
    done.set()
    return killed


def run_crash(
    articles: int = 400,
    clients: int = 16,
    kills: int = 8,
    batch_every: int = 8,
    batch_size: int = 4,
    crash_at: float = 0.75,
    workers: int = 4,
    model: str | None = None,
    workdir: Path | None = None,
    data: Path = SHARED_DATA,
    timeout: float = 120,
) -> dict[str, Any]:
    """The whole experiment; returns the figures (figures["ok"] says whether everything held)."""
    texts, source = article_texts(articles, data=data)
    plan = units(texts, batch_every, batch_size)
    crash_after = int(len(plan) * crash_at)
    model_path = resolve_model(model)
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stance-crash-")))
        db = Path(workdir) / "crash.db"
        started = time.monotonic()
        server = Server(db=db, workers=workers, model=model_path).start()
        stop, kills_done, crashed = threading.Event(), threading.Event(), threading.Event()
        sent_units = collections.Counter()
        lock = threading.Lock()

        def one(unit: list[str]) -> list[Outcome]:
            with lock:
                if crashed.is_set():
                    return []
                sent_units["n"] += 1
                number = sent_units["n"]
            if number == crash_after:
                # The whole server dies mid-load: master and every worker, in-flight requests too.
                kills_done.wait(60)
                server.kill()
                crashed.set()
            return post_unit(server, unit, timeout)

        with ThreadPoolExecutor(max_workers=1) as background:
            killed_future = background.submit(killer, server, kills, stop, kills_done)
            with ThreadPoolExecutor(max_workers=clients) as pool:
                outcomes = [o for batch in pool.map(one, plan) for o in batch]
            stop.set()
            killed = killed_future.result()
        if not crashed.is_set():  # fewer units than clients: crash now
            server.kill()
        server.proc.wait(10)  # type: ignore[union-attr]
        load_seconds = time.monotonic() - started

        restarted = Server(db=db, workers=2, model=model_path, log=server.log).start()
        try:
            api = check_through_api(restarted, outcomes)
        finally:
            restarted.stop()
        database = check_stored(db, outcomes)
        log = server.log.read_text(errors="replace") if server.log else ""

    acked = [o for o in outcomes if o.article_id is not None]
    statuses = collections.Counter(str(o.status) if o.status else "no-response" for o in outcomes)
    figures = {
        "texts": source,
        "model": model_path,
        "workers": workers,
        "clients": clients,
        "posts_planned": len(plan),
        "articles_sent": len(outcomes),
        "batches_sent": sum(1 for u in plan[: sum(sent_units.values())] if len(u) > 1),
        "acknowledged": len(acked),
        "status": dict(sorted(statuses.items())),
        "5xx": sum(1 for o in outcomes if o.status and o.status >= 500),
        "workers_killed": len(killed),
        "server_killed": 1,
        **api,
        **database,
        "tracebacks_in_server_log": log.count("Traceback"),
        "load_seconds": round(load_seconds, 1),
    }
    figures["ok"] = (
        figures["5xx"] == 0
        and figures["acknowledged"] > 0
        and figures["acknowledged_missing_after_restart"] == 0
        and figures["acknowledged_text_changed"] == 0
        and figures["acknowledged_claims_changed"] == 0
        and figures["repost_not_deduplicated"] == 0
        and figures["half_written_articles"] == 0
        and figures["orphan_claims"] == 0
        and figures["claims_outside_text"] == 0
        and figures["integrity_check"] == "ok"
    )
    return figures


def check_through_api(server: Server, outcomes: list[Outcome], reposts: int = 40) -> dict[str, Any]:
    """Every acknowledged article, read back through the restarted service."""
    acked = {o.article_id: o for o in outcomes if o.article_id is not None}
    missing = text_changed = claims_changed = 0
    for article_id, outcome in acked.items():
        status, raw = request(server.host, server.port, "GET", f"/api/articles/{article_id}")
        if status != 200:
            missing += 1
            continue
        doc = json.loads(raw)
        text_changed += doc["article"]["text"] != outcome.stored_text
        claims_changed += claim_keys(doc["claims"]) != outcome.claims
    not_deduplicated = 0
    for outcome in list(acked.values())[:reposts]:
        status, raw = request(server.host, server.port, "POST", "/api/articles", {"text": outcome.text})
        not_deduplicated += status != 200 or json.loads(raw)["article"]["id"] != outcome.article_id
    return {
        "acknowledged_distinct": len(acked),
        "acknowledged_missing_after_restart": missing,
        "acknowledged_text_changed": text_changed,
        "acknowledged_claims_changed": claims_changed,
        "reposted_after_restart": min(reposts, len(acked)),
        "repost_not_deduplicated": not_deduplicated,
    }


def found_claims(text: str) -> list:
    """The claims the service's own analysis finds in a text (the model only groups them later)."""
    return analyze(Article(text=text), Registry({})).claims


def check_stored(db: Path, outcomes: list[Outcome]) -> dict[str, Any]:
    """Every stored article is whole: its claims are exactly what the analysis finds in its text."""
    acked_ids = {o.article_id for o in outcomes if o.article_id is not None}
    with read_only(db) as conn:
        articles = dict(conn.execute("select id, text from articles"))
        claims: dict[str, list[tuple]] = collections.defaultdict(list)
        for row in conn.execute('select article_id, id, start, "end", text from claims'):
            claims[row[0]].append(tuple(row[1:]))
        orphans = conn.execute(
            "select count(*) from claims where article_id not in (select id from articles)"
        ).fetchone()[0]
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
        linking = issue_linking(conn)
    half_written = outside = 0
    for article_id, text in articles.items():
        stored = sorted(claims.get(article_id, []))
        expected = claim_keys([c.to_dict() for c in found_claims(text)])
        half_written += stored != expected
        outside += sum(1 for _, start, end, words in stored if text[start:end] != words)
    return {
        "stored_after_restart": len(articles),
        "stored_but_never_acknowledged": len(set(articles) - acked_ids),
        "half_written_articles": half_written,
        "claims_outside_text": outside,
        "orphan_claims": orphans,
        "integrity_check": integrity,
        # Joining claims to issues runs after the article's own transaction: a kill in between
        # leaves an issue with no claims or claims with no issue (with a model only).
        **linking,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--kills", type=int, default=8, help="workers to SIGKILL before the whole server")
    ap.add_argument("--batch-every", type=int, default=8, help="about one post in N is a batch")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--crash-at", type=float, default=0.75, help="kill the server after this share of posts")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--model", default=None, help="model file, or 'none' (default: the repo's if present)")
    ap.add_argument("--data", default=str(SHARED_DATA))
    ap.add_argument("--keep", default=None, help="keep the database and server log in this folder")
    args = ap.parse_args(argv)
    workdir = None
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        for leftover in workdir.glob("crash.db*"):
            leftover.unlink()
    figures = run_crash(
        args.articles, args.clients, args.kills, args.batch_every, args.batch_size, args.crash_at,
        args.workers, args.model, workdir, Path(args.data),
    )  # fmt: skip
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
