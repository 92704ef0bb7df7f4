"""Many writers at once: concurrent clients POST articles to a real gunicorn and every one is checked.

usage: python bench/concurrency.py [--workers 4] [--clients 32] [--articles 2000] [--repeats 300]
                                   [--model PATH|none] [--keep DIR]

Starts gunicorn (the project's config, `-b 127.0.0.1:PORT`) on a fresh temporary database,
sends `--articles` distinct real articles (PolNeAR articles and FNC-1 bodies from ../shared/data,
generated text when that is absent) plus `--repeats` copies of some of them, interleaved so that
copies of the same text race each other, from `--clients` threads. Then it stops the server, opens
the database itself and prints JSON counts: every distinct article must be stored exactly once,
whole (the stored text equals the article.text each response returned) and with the claims its
response listed; no response may be a 5xx or mention "database is locked".
Exit status 0 when all of that holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import hashlib
import http.client
import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.server import Server, request, resolve_model  # noqa: E402
from stance.ingest import clean_text  # noqa: E402

SHARED_DATA = REPO.parent / "shared" / "data"


# -- texts -------------------------------------------------------------------


def real_texts(data: Path = SHARED_DATA) -> list[str]:
    """PolNeAR articles (one per file, whatever the annotator) then FNC-1 bodies, in file order."""
    texts: list[str] = []
    seen_files: set[str] = set()
    for path in sorted((data / "polnear").glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record["filename"] not in seen_files:
                    seen_files.add(record["filename"])
                    texts.append(record["text"])
    bodies = data / "fnc1" / "train_bodies.csv"
    if bodies.exists():
        csv.field_size_limit(1 << 26)
        with open(bodies, encoding="utf-8", newline="") as handle:
            texts.extend(row["articleBody"] for row in csv.DictReader(handle))
    return texts


NAMES = ["Ana Lima", "Omar Haddad", "Mei Chen", "Jonas Berg", "Priya Nair", "Tomás Ortega"]
ROLES = ["the union", "the ministry", "a senior official", "the company", "the mayor's office"]
VERBS = ["said", "told reporters", "insisted", "denied", "claimed", "warned"]
TOPICS = ["wages", "the port", "the budget", "the ceasefire", "the pipeline", "the election", "tariffs"]


def generated_text(rng: random.Random, number: int) -> str:
    """A short wire-style story with quotes and reported speech; `number` keeps it distinct."""
    sentences = [f"Story {number}: dispute over {rng.choice(TOPICS)}."]
    for _ in range(rng.randint(4, 9)):
        who, topic = rng.choice(NAMES), rng.choice(TOPICS)
        if rng.random() < 0.5:
            sentences.append(f'"We will not move on {topic}," {who} {rng.choice(VERBS)} on day {number}.')
        else:
            sentences.append(
                f"{rng.choice(ROLES).capitalize()} {rng.choice(VERBS)} that {topic} would change, "
                f"according to {who}."
            )
    return " ".join(sentences)


def article_texts(count: int, seed: int = 7, data: Path = SHARED_DATA) -> tuple[list[str], str]:
    """`count` texts that stay distinct after the service's normalisation, and where they came from."""
    rng = random.Random(seed)
    texts, source = [], "generated"
    if (data / "polnear").is_dir():
        texts, source = real_texts(data), "polnear+fnc1"
    distinct: dict[str, str] = {}
    for text in texts:
        normalised = clean_text(text)
        if normalised.strip() and normalised not in distinct:
            distinct[normalised] = text
    chosen = list(distinct.values())
    rng.shuffle(chosen)
    chosen = chosen[:count]
    number = 0
    while len(chosen) < count:
        text = generated_text(rng, number)
        number += 1
        if clean_text(text) not in distinct:
            distinct[clean_text(text)] = text
            chosen.append(text)
    if len(chosen) > len(texts):
        source += "+generated" if source != "generated" else ""
    return chosen, source


def workload(texts: list[str], repeats: int, seed: int = 11) -> list[str]:
    """Every text once plus `repeats` copies, shuffled, with some copies sent back to back to race."""
    rng = random.Random(seed)
    if not texts or repeats <= 0:
        return list(texts)
    copies = [rng.choice(texts) for _ in range(repeats)]
    stream = list(texts) + copies[: repeats // 2]
    rng.shuffle(stream)
    # The other half goes right next to its original: concurrent clients post them at once.
    for text in copies[repeats // 2 :]:
        at = stream.index(text)
        stream.insert(at + 1, text)
    return stream


# -- the load ----------------------------------------------------------------


@dataclass
class Outcome:
    """What the client saw for one POST."""

    text: str
    status: int | None = None  # None: no HTTP response (connection refused/reset)
    article_id: str | None = None
    stored_text: str | None = None
    claims: list[tuple] | None = None  # (id, start, end, text) of each claim the response listed
    locked: bool = False
    error: str | None = None


def claim_keys(claims: list[dict[str, Any]]) -> list[tuple]:
    return sorted((c["id"], c["start"], c["end"], c["text"]) for c in claims)


def post_article(host: str, port: int, text: str, number: int, timeout: float = 600) -> Outcome:
    outcome = Outcome(text=text)
    try:
        body = {"text": text, "source": f"bench-{number}"}
        status, body = request(host, port, "POST", "/api/articles", body, timeout=timeout)
    except (OSError, http.client.HTTPException) as error:
        outcome.error = f"{type(error).__name__}: {error}"
        return outcome
    outcome.status = status
    outcome.locked = b"database is locked" in body.lower() or b"database table is locked" in body.lower()
    if 200 <= status < 300:
        doc = json.loads(body)
        outcome.article_id = doc["article"]["id"]
        outcome.stored_text = doc["article"]["text"]
        outcome.claims = claim_keys(doc["claims"])
    else:
        outcome.error = body[:300].decode("utf-8", "replace")
    return outcome


def send_all(host: str, port: int, stream: list[str], clients: int, stop: threading.Event | None = None):
    """POST every text in `stream` from `clients` threads; returns the outcomes in stream order."""

    def one(item: tuple[int, str]) -> Outcome | None:
        number, text = item
        if stop is not None and stop.is_set():
            return None
        return post_article(host, port, text, number)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [o for o in pool.map(one, enumerate(stream)) if o is not None]


# -- checking ----------------------------------------------------------------


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@contextlib.contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def check_database(db: Path, outcomes: list[Outcome], distinct: list[str]) -> dict[str, Any]:
    """Compare what the clients were told with what the database holds."""
    with read_only(db) as conn:
        rows = {
            r[0]: {"hash": r[1], "text": r[2]}
            for r in conn.execute("select id, text_hash, text from articles")
        }
        stored_claims: dict[str, list[tuple]] = collections.defaultdict(list)
        for row in conn.execute('select article_id, id, start, "end", text from claims'):
            stored_claims[row[0]].append(tuple(row[1:]))
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
        orphans = conn.execute(
            "select count(*) from claims where article_id not in (select id from articles)"
        ).fetchone()[0]
        linking = issue_linking(conn)
    by_hash = collections.Counter(r["hash"] for r in rows.values())
    acked = [o for o in outcomes if o.article_id is not None]
    ids_of_text: dict[str, set[str]] = collections.defaultdict(set)
    for outcome in acked:
        ids_of_text[outcome.text].add(outcome.article_id)  # type: ignore[arg-type]
    missing = [o for o in acked if o.article_id not in rows]
    not_whole = [o for o in acked if o.article_id in rows and rows[o.article_id]["text"] != o.stored_text]
    wrong_normalisation = [o for o in acked if o.stored_text != clean_text(o.text)]
    claims_lost = [
        o for o in acked if o.article_id in rows and sorted(stored_claims.get(o.article_id, [])) != o.claims
    ]
    distinct_acked = {o.text for o in acked}
    return {
        "stored": len(rows),
        "stored_of_distinct_acknowledged": sum(
            1 for t in distinct_acked if any(i in rows for i in ids_of_text[t])
        ),
        "distinct_acknowledged": len(distinct_acked),
        "distinct_never_acknowledged": len(set(distinct) - distinct_acked),
        "texts_with_several_ids": sum(1 for ids in ids_of_text.values() if len(ids) > 1),
        "hashes_stored_twice": sum(1 for n in by_hash.values() if n > 1),
        "acknowledged_but_missing": len(missing),
        "acknowledged_but_not_whole": len(not_whole),
        "acknowledged_text_not_normalised_input": len(wrong_normalisation),
        "acknowledged_claims_mismatch": len(claims_lost),
        "orphan_claims": orphans,
        "integrity_check": integrity,
        "claims_stored": sum(map(len, stored_claims.values())),
        **linking,
    }


def issue_linking(conn: sqlite3.Connection) -> dict[str, int]:
    """How claims were joined to issues (only with a model): issues nobody points at, unlinked claims."""
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "issues": one("select count(*) from issues"),
        "issues_without_claims": one(
            "select count(*) from issues where id not in "
            "(select issue_id from claims where issue_id is not null)"
        ),
        "claims_without_issue": one("select count(*) from claims where issue_id is null"),
        "comparisons": one("select count(*) from comparisons"),
    }


def summarise(outcomes: list[Outcome], stream: list[str], distinct: list[str]) -> dict[str, Any]:
    statuses = collections.Counter(str(o.status) if o.status else "no-response" for o in outcomes)
    return {
        "sent": len(outcomes),
        "planned": len(stream),
        "distinct": len(distinct),
        "duplicates_sent": len(stream) - len(distinct),
        "status": dict(sorted(statuses.items())),
        "5xx": sum(1 for o in outcomes if o.status and o.status >= 500),
        "locked_errors": sum(1 for o in outcomes if o.locked),
        "no_response": sum(1 for o in outcomes if o.status is None),
        "first_errors": sorted({o.error for o in outcomes if o.error})[:5],
    }


def run_load(
    articles: int = 2000,
    repeats: int = 300,
    clients: int = 32,
    workers: int = 4,
    threads: int = 4,
    model: str | None = None,
    workdir: Path | None = None,
    data: Path = SHARED_DATA,
) -> dict[str, Any]:
    """The whole run: start gunicorn, send, stop, check. Returns the figures."""
    distinct, source = article_texts(articles, data=data)
    stream = workload(distinct, repeats)
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stance-bench-")))
        db = Path(workdir) / "concurrency.db"
        server = Server(db=db, workers=workers, threads=threads, model=resolve_model(model))
        started = time.monotonic()
        with server:
            outcomes = send_all(server.host, server.port, stream, clients)
            seconds = time.monotonic() - started
            log = server.log
        server_log = log.read_text(errors="replace") if log else ""
        figures = {
            "texts": source,
            "model": server.model,
            "workers": workers,
            "threads_per_worker": threads,
            "clients": clients,
            **summarise(outcomes, stream, distinct),
            **check_database(db, outcomes, distinct),
            "locked_in_server_log": server_log.lower().count("database is locked"),
            "tracebacks_in_server_log": server_log.count("Traceback"),
            "seconds": round(seconds, 1),
        }
    figures["articles_per_second"] = round(figures["sent"] / max(figures["seconds"], 1e-9), 1)
    figures["ok"] = holds(figures)
    return figures


def holds(figures: dict[str, Any]) -> bool:
    """Every distinct article stored once and whole, nothing 5xx, nothing locked, nothing lost."""
    return (
        figures["5xx"] == 0
        and figures["locked_errors"] == 0
        and figures["no_response"] == 0
        and figures["stored"] == figures["distinct"]
        and figures["distinct_never_acknowledged"] == 0
        and figures["texts_with_several_ids"] == 0
        and figures["hashes_stored_twice"] == 0
        and figures["acknowledged_but_missing"] == 0
        and figures["acknowledged_but_not_whole"] == 0
        and figures["acknowledged_claims_mismatch"] == 0
        and figures["orphan_claims"] == 0
        and figures["issues_without_claims"] == 0
        and (figures["model"] is None or figures["claims_without_issue"] == 0)
        and figures["integrity_check"] == "ok"
        and set(figures["status"]) <= {"200", "201"}
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="distinct articles to send")
    ap.add_argument("--repeats", type=int, default=300, help="extra copies of already-sent articles")
    ap.add_argument("--clients", type=int, default=32, help="concurrent client threads")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    ap.add_argument("--model", default=None, help="model file, or 'none' (default: the repo's if present)")
    ap.add_argument("--data", default=str(SHARED_DATA), help="folder with polnear/ and fnc1/")
    ap.add_argument("--keep", default=None, help="keep the database and server log in this folder")
    args = ap.parse_args(argv)
    workdir = None
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "concurrency.db").unlink(missing_ok=True)
    figures = run_load(
        args.articles, args.repeats, args.clients, args.workers, args.threads, args.model, workdir,
        Path(args.data),
    )  # fmt: skip
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
