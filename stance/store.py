"""The store: the only module that speaks SQL.

SQLite through sqlite-utils, in WAL mode with a busy timeout, so several
gunicorn workers can write at once. Each article is written in one
`BEGIN IMMEDIATE` transaction: a crash leaves it whole or absent. Writers queue
on a file lock beside the database, and every commit moves a data version on
that read caches key on. Connections are reused within a process. The schema
moves forward by numbered migrations recorded in `migrations`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from stance.document import Analysis, Claim

CANDIDATE_WINDOW = 25_000
_CLAIM_FIELDS = [f.name for f in dataclasses.fields(Claim)]  # claims, about a thousand articles


class NotFound(LookupError):
    """No row with that id."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _migration_1(db: Database) -> None:
    db["articles"].create(
        {
            "id": str,
            "text_hash": str,
            "title": str,
            "source": str,
            "published": str,
            "url": str,
            "text": str,
            "created": str,
            "model": str,
            "analysed": str,
        },
        pk="id",
    )
    db["articles"].create_index(["text_hash"], unique=True)
    db["claims"].create(
        {
            "article_id": str,
            "id": str,
            "text": str,
            "start": int,
            "end": int,
            "speaker": str,
            "speaker_span": str,
            "cue": str,
            "cue_span": str,
            "kind": str,
            "party": str,
            "issue_id": str,
            "confidence": float,
            "sentence_span": str,
            "speaker_resolved_from": str,
            "origin": str,
        },
        pk=("article_id", "id"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["claims"].create_index(["issue_id"])
    db["claims"].create_index(["party"])
    db["claims"].enable_fts(["text", "speaker"], create_triggers=True, tokenize="porter")
    db["issues"].create({"id": str, "label": str, "created": str, "updated": str}, pk="id")
    db["comparisons"].create(
        {
            "id": str,
            "issue_id": str,
            "relation": str,
            "score": float,
            "party_a": str,
            "party_b": str,
            "claims_a": str,
            "claims_b": str,
            "contrast": str,
            "created": str,
        },
        pk="id",
    )
    db["comparisons"].create_index(["issue_id"])
    db["comparison_articles"].create(
        {"comparison_id": str, "article_id": str}, pk=("comparison_id", "article_id")
    )
    db["comparison_articles"].create_index(["article_id"])
    db["feedback"].create(
        {
            "id": int,
            "target": str,
            "comparison_id": str,
            "article_id": str,
            "claim_id": str,
            "verdict": str,
            "relation": str,
            "party": str,
            "text_a": str,
            "text_b": str,
            "created": str,
        },
        pk="id",
    )
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["counters"].create({"name": str, "value": int}, pk="name")


def _migration_2(db: Database) -> None:
    """Indexes for the read paths that aggregate or rank, the data version counter, and a
    full-text trigger that fires only when the indexed columns change.

    claims(issue_id, party, article_id) lets the issue list count claims, parties and articles
    from the index alone; comparisons(issue_id, relation, score) serves its conflict counts;
    the rank index walks comparisons in the order the API lists them (conflicts first, by score)
    so a page needs no sort of every comparison; party_a/party_b serve the party filter.
    """
    db.execute(
        "create index if not exists idx_claims_issue_party_article on claims(issue_id, party, article_id)"
    )
    db.execute(
        "create index if not exists idx_comparisons_issue_relation on comparisons(issue_id, relation, score)"
    )
    db.execute(f"create index if not exists idx_comparisons_rank on comparisons({_RANK_INDEX})")
    db.execute("create index if not exists idx_comparisons_party_a on comparisons(party_a)")
    db.execute("create index if not exists idx_comparisons_party_b on comparisons(party_b)")
    # Starts at a random number: a database deleted and made again at the same path (even on the
    # same inode) does not repeat the versions a reader cached answers under.
    db.execute(
        "insert or ignore into counters (name, value) values ('data_version', ?)",
        [secrets.randbits(48)],
    )
    # The full-text index holds text and speaker only: linking a claim to its issue or re-tagging
    # its party (an update of other columns) no longer deletes and re-indexes its text.
    db.execute('drop trigger if exists "claims_au"')
    db.execute(
        'create trigger "claims_au" after update of "text", "speaker" on "claims" begin\n'
        '  insert into "claims_fts" ("claims_fts", rowid, "text", "speaker") '
        'values (\'delete\', old.rowid, old."text", old."speaker");\n'
        '  insert into "claims_fts" (rowid, "text", "speaker") values (new.rowid, new."text", new."speaker");\n'
        "end"
    )
    # Merge the segments the old trigger left behind (every link rewrote a claim's entry).
    db.execute("insert into claims_fts (claims_fts) values ('optimize')")


# The order comparisons are listed in (conflicts first, strongest first), as the index spells it.
_RANK_INDEX = "(relation = 'conflict') desc, score desc, id"
_RANK_ORDER = "(k.relation = 'conflict') desc, k.score desc, k.id"


def _claim_counts(issue: str) -> str:
    """SQL that recounts the claims, parties and articles of the issue `issue` names (one walk of
    the claims(issue_id, party, article_id) index)."""
    return (
        "update issues set (n_claims, n_parties, n_articles) = (select count(*), count(distinct party), "
        f"count(distinct article_id) from claims where issue_id = {issue}) where id = {issue};"
    )


def _comparison_counts(issue: str) -> str:
    """SQL that recounts the conflicts, top conflict score and agreements of an issue."""
    return (
        "update issues set (n_conflicts, top_conflict, n_agreements) = (select "
        "coalesce(sum(relation = 'conflict'), 0), max(case when relation = 'conflict' then score end), "
        f"coalesce(sum(relation = 'agree'), 0) from comparisons where issue_id = {issue}) where id = {issue};"
    )


def _migration_3(db: Database) -> None:
    """Each issue keeps its counts (claims, parties, articles, conflicts, top conflict score,
    agreements), kept right by triggers on claims, comparisons and issues whatever code writes
    them: the issue list reads the most disputed issues through one index instead of counting
    every claim in the archive on each read (43 ms of CPU at 10,000 articles, growing with them)."""
    for column, kind in (
        ("n_claims", "integer not null default 0"),
        ("n_parties", "integer not null default 0"),
        ("n_articles", "integer not null default 0"),
        ("n_conflicts", "integer not null default 0"),
        ("top_conflict", "real"),
        ("n_agreements", "integer not null default 0"),
    ):
        db.execute(f"alter table issues add column {column} {kind}")
    counted_columns = "issue_id, party, article_id"
    triggers = {
        "issue_counts_claims_ai": "after insert on claims when new.issue_id is not null begin "
        + _claim_counts("new.issue_id"),
        "issue_counts_claims_ad": "after delete on claims when old.issue_id is not null begin "
        + _claim_counts("old.issue_id"),
        "issue_counts_claims_au_old": f"after update of {counted_columns} on claims "
        "when old.issue_id is not null and old.issue_id is not new.issue_id begin "
        + _claim_counts("old.issue_id"),
        "issue_counts_claims_au_new": f"after update of {counted_columns} on claims "
        "when new.issue_id is not null begin " + _claim_counts("new.issue_id"),
        "issue_counts_comparisons_ai": "after insert on comparisons begin "
        + _comparison_counts("new.issue_id"),
        "issue_counts_comparisons_ad": "after delete on comparisons begin "
        + _comparison_counts("old.issue_id"),
        "issue_counts_comparisons_au": "after update of issue_id, relation, score on comparisons begin "
        + _comparison_counts("old.issue_id")
        + _comparison_counts("new.issue_id"),
        # an issue made after claims or comparisons already name it starts with their counts
        "issue_counts_issues_ai": "after insert on issues begin "
        + _claim_counts("new.id")
        + _comparison_counts("new.id"),
    }
    for name, body in triggers.items():
        db.execute(f"create trigger {name} {body} end")
    db.execute(_claim_counts("issues.id").replace("where id = issues.id", "where 1"))
    db.execute(_comparison_counts("issues.id").replace("where id = issues.id", "where 1"))
    # the issue list's order (most conflicts, strongest conflict, most claims, id), as an index
    db.execute(
        "create index idx_issues_rank on issues(n_conflicts desc, top_conflict desc, n_claims desc, id)"
    )


MIGRATIONS = [_migration_1, _migration_2, _migration_3]

# Idle connections kept per database file and process: opening a connection (pragmas, schema
# check) and closing the last one (SQLite checkpoints the whole WAL then) cost more than most
# requests. Keyed by process id, so a forked gunicorn worker never uses its master's connections,
# and by the file's device and inode, so a database replaced on disk is opened afresh.
# At most POOL_SIZE per file and POOL_TOTAL in all (the files used least recently lose theirs).
POOL_SIZE = 8
POOL_TOTAL = 16
_POOL_LOCK = threading.Lock()
_IDLE: OrderedDict[tuple[int, str, int, int], list[Database]] = OrderedDict()


_HELD = threading.local()  # the database files whose writer lock this thread holds


def _pool_key(path: str | Path) -> tuple[int, str, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (os.getpid(), os.path.abspath(path), info.st_dev, info.st_ino)


def _take_idle(key: tuple[int, str, int, int] | None) -> Database | None:
    if key is None:
        return None
    with _POOL_LOCK:
        idle = _IDLE.get(key)
        return idle.pop() if idle else None


def _give_back(key: tuple[int, str, int, int], db: Database) -> bool:
    """Keep an idle connection for reuse; False if the pool is full for that file."""
    evicted = []
    with _POOL_LOCK:
        idle = _IDLE.setdefault(key, [])
        if len(idle) >= POOL_SIZE:
            return False
        idle.append(db)
        _IDLE.move_to_end(key)
        # Only this process's own connections count and are closed: closing one inherited
        # through fork would drop the locks this process holds on that file.
        mine = [k for k in _IDLE if k[0] == key[0]]
        while sum(len(_IDLE[k]) for k in mine) > POOL_TOTAL:
            if _IDLE[mine[0]]:
                evicted.append(_IDLE[mine[0]].pop(0))
            if not _IDLE[mine[0]]:
                del _IDLE[mine.pop(0)]
    for old in evicted:
        with contextlib.suppress(sqlite3.Error):
            old.close()
    return True


def _close_idle() -> None:
    """Close this process's idle connections (at exit: SQLite then checkpoints the WAL)."""
    with _POOL_LOCK:
        mine = [key for key in _IDLE if key[0] == os.getpid()]
        for key in mine:
            for db in _IDLE.pop(key):
                with contextlib.suppress(sqlite3.Error):
                    db.close()


atexit.register(_close_idle)


class Store:
    """Domain verbs over one SQLite database."""

    def __init__(self, db: Database, pool_key: tuple[int, str, int, int] | None = None):
        self.db = db
        self._depth = 0
        self._pool_key = pool_key
        self._closed = False

    @property
    def path(self) -> str | None:
        """The database file (absolute), or None for an in-memory database."""
        return self._pool_key[1] if self._pool_key else None

    @property
    def identity(self) -> tuple[str, int, int] | None:
        """The database file as (path, device, inode), or None for an in-memory database."""
        return self._pool_key[1:] if self._pool_key else None

    @classmethod
    def open(cls, path: str | Path, autocheckpoint: int | None = None) -> Store:
        """Open (and create) the database at `path`, ready for concurrent use.

        Reuses an idle connection this process opened on the same file, if there is one.
        `autocheckpoint` (pages) moves SQLite's automatic checkpoint: a service that checkpoints
        on its own (see `checkpoint`) keeps the automatic one as a distant backstop.
        """
        memory = str(path) == ":memory:"
        if not memory:
            idle = _take_idle(_pool_key(path))
            if idle is not None:
                store = cls(idle, _pool_key(path))
                if autocheckpoint is not None:
                    idle.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
                return store
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = Database(conn)
        db.execute("PRAGMA busy_timeout = 30000")
        if not memory:
            _retry(lambda: db.execute("PRAGMA journal_mode = WAL"))
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if autocheckpoint is not None:
            db.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
        store = cls(db, None if memory else _pool_key(path))
        store.migrate()
        return store

    def close(self) -> None:
        """Give the connection back to the process's idle pool (or close it)."""
        if self._closed:
            return
        self._closed = True
        key = self._pool_key
        pooled = key is not None and key[0] == os.getpid() and not self.db.conn.in_transaction
        if not (pooled and _give_back(key, self.db)):  # type: ignore[arg-type]
            self.db.close()

    # -- schema -------------------------------------------------------------

    def schema_version(self) -> int:
        if "migrations" not in self.db.table_names():
            return 0
        row = self.db.execute("select max(version) from migrations").fetchone()
        return row[0] or 0

    def migrate(self) -> int:
        """Apply the migrations this database lacks; return the version reached."""
        if self.schema_version() >= len(MIGRATIONS):
            return len(MIGRATIONS)
        with self.write():
            if "migrations" not in self.db.table_names():
                self.db["migrations"].create({"version": int, "applied": str}, pk="version")
            done = self.schema_version()
            for version, migration in enumerate(MIGRATIONS, start=1):
                if version > done:
                    migration(self.db)
                    self.db["migrations"].insert({"version": version, "applied": now()})
        return len(MIGRATIONS)

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One short write transaction, taken eagerly so writers queue instead of deadlocking.

        Nested calls join the outer transaction (through a savepoint), so a caller can make
        several domain writes (an article, its issues, their comparisons) commit as one.
        """
        if self._depth:
            self._depth += 1
            try:
                with self.db.atomic():
                    yield self.db
            finally:
                self._depth -= 1
            return
        with self._writer_queue():
            _retry(lambda: self.db.conn.execute("BEGIN IMMEDIATE"))
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                raise
            else:
                # Every committed write moves the data version on: readers key their caches on it.
                self.db.conn.execute(
                    "insert into counters (name, value) values ('data_version', 1) "
                    "on conflict(name) do update set value = value + 1"
                )
                _retry(lambda: self.db.conn.execute("COMMIT"))
            finally:
                self._depth = 0

    @contextlib.contextmanager
    def _writer_queue(self) -> Iterator[None]:
        """Writers (threads and processes) wait their turn on an exclusive file lock.

        SQLite's busy handler polls with growing sleeps (up to 100 ms each), so a writer queued
        behind others often sleeps long after the lock came free; a blocked `flock` wakes as
        soon as it is released (and the kernel releases it if its holder dies). The busy
        timeout stays as a second line for writers that do not take this lock.
        """
        fd = None
        held = _HELD.__dict__.setdefault("paths", set())
        # A thread that already holds the lock (through another Store on the same file) must
        # not wait for itself: it goes on to SQLite's busy handling, as without this lock.
        if self.path is not None and self.path not in held:
            with contextlib.suppress(OSError):
                fd = os.open(self.path + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o644)
        if fd is None:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held.add(self.path)
            yield
        finally:
            held.discard(self.path)
            os.close(fd)  # releases the lock

    def checkpoint(self) -> tuple[int, int, int]:
        """Copy the write-ahead log into the database file without waiting for anyone
        (PRAGMA wal_checkpoint(PASSIVE)): (1 if it was blocked, frames in the log, frames copied).

        SQLite's automatic checkpoint runs inside the commit that fills the log, so under the
        writers' lock: every queued writer waits out its copy and sync (20-30 ms, now and then
        over 100). A passive checkpoint takes no writer lock: writers go on meanwhile.
        """
        if self._depth or self.db.conn.in_transaction:
            raise RuntimeError("a checkpoint cannot run inside a transaction")
        busy, log, copied = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy, log, copied

    def data_version(self) -> int:
        """A number that changes with every committed write, in any process."""
        row = self.db.execute("select value from counters where name = 'data_version'").fetchone()
        return row[0] if row else 0

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Database]:
        """Reads that all see the same committed state (one read transaction)."""
        if self.db.conn.in_transaction:
            yield self.db
            return
        self.db.conn.execute("BEGIN")
        try:
            yield self.db
        finally:
            if self.db.conn.in_transaction:
                self.db.conn.execute("COMMIT")

    def _next_id(self, name: str, prefix: str) -> str:
        return self._next_ids(name, prefix, 1)[0]

    def _next_ids(self, name: str, prefix: str, count: int) -> list[str]:
        """`count` new ids from counter `name`, taken in one step (call inside a write)."""
        row = self.db.execute("select value from counters where name = ?", [name]).fetchone()
        first = (row[0] if row else 0) + 1
        self.db.execute(
            "insert into counters (name, value) values (?, ?) "
            "on conflict(name) do update set value = excluded.value",
            [name, first + count - 1],
        )
        return [f"{prefix}{value}" for value in range(first, first + count)]

    # -- articles -----------------------------------------------------------

    @staticmethod
    def article_id_of(text: str) -> str:
        """The id an article with this text is (or would be) stored under."""
        return text_hash(text)[:12]

    def article_id_for_text(self, text: str) -> str | None:
        row = self.db.execute("select id from articles where text_hash = ?", [text_hash(text)]).fetchone()
        return row[0] if row else None

    def add_article(self, analysis: Analysis) -> tuple[str, bool]:
        """Store an analysed article and its claims; return (id, created).

        The same text posted twice is stored once: the second call returns
        the first article's id with created=False.
        """
        article = analysis.article
        digest = text_hash(article.text)
        with self.write() as db:
            row = db.execute("select id from articles where text_hash = ?", [digest]).fetchone()
            if row:
                return row[0], False
            article_id = self.article_id_of(article.text)
            stamp = now()
            db.execute(
                "insert into articles (id, text_hash, title, source, published, url, text, created, "
                "model, analysed) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    article_id, digest, article.title, article.source, article.published, article.url,
                    article.text, stamp, json.dumps(analysis.model), stamp,
                ],
            )  # fmt: skip
            self._insert_claims(article_id, analysis.claims)
        article.id = article_id
        return article_id, True

    def _insert_claims(self, article_id: str, claims: list[Claim], origin: str = "extracted") -> None:
        rows = []
        for claim in claims:
            row = {name: getattr(claim, name) for name in _CLAIM_FIELDS}
            row["article_id"] = article_id
            # Issue ids from one article's analysis are local; the archive links claims
            # to stored issues afterwards (Service.link_issues), in the same transaction.
            row.pop("issue")
            row["issue_id"] = None
            row["origin"] = getattr(claim, "origin", origin)
            for key in ("speaker_span", "cue_span", "sentence_span"):
                row[key] = json.dumps(row[key]) if row[key] is not None else None
            rows.append(row)
        if rows:
            columns = list(rows[0])
            self.db.conn.executemany(
                f"insert into claims ({', '.join(f'[{c}]' for c in columns)}) "
                f"values ({', '.join('?' for _ in columns)})",
                [[row[c] for c in columns] for row in rows],
            )

    def replace_claims(self, article_id: str, claims: list[Claim], model: dict[str, Any]) -> None:
        """Swap an article's claims for a new analysis (re-analysis, client-tagged claims)."""
        with self.write() as db:
            self.get_article_row(article_id)
            db.execute("delete from claims where article_id = ?", [article_id])
            self._insert_claims(article_id, claims)
            db.execute(
                "update articles set model = ?, analysed = ? where id = ?",
                [json.dumps(model), now(), article_id],
            )

    def get_article_row(self, article_id: str) -> dict[str, Any]:
        if not _storable(article_id):
            raise NotFound(f"no article with id {article_id!r}")
        row = self.db.execute("select * from articles where id = ?", [article_id]).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}")
        return self._article(row)

    def _article(self, row: tuple) -> dict[str, Any]:
        cols = [
            "id", "text_hash", "title", "source", "published", "url", "text", "created", "model", "analysed",
        ]  # fmt: skip
        out = dict(zip(cols, row, strict=True))
        out["model"] = json.loads(out["model"] or "{}")
        return out

    def list_articles(
        self, after: int | None = None, limit: int = 50
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of articles, newest first, and the keyset token of the next page."""
        where, params = "", []
        if after is not None:
            where, params = "where a.rowid < ?", [after]
        rows = self.db.execute(
            "select a.rowid, a.id, a.title, a.source, a.published, a.url, a.created, length(a.text), "
            "(select count(*) from claims c where c.article_id = a.id) "
            f"from articles a {where} order by a.rowid desc limit ?",
            [*params, limit + 1],
        ).fetchall()
        page = [
            {
                "id": r[1], "title": r[2], "source": r[3], "published": r[4], "url": r[5],
                "created": r[6], "length": r[7], "claims": r[8],
            }
            for r in rows[:limit]
        ]  # fmt: skip
        token = rows[limit - 1][0] if len(rows) > limit else None
        return page, token

    def count_articles(self) -> int:
        return self.db.execute("select count(*) from articles").fetchone()[0]

    def all_article_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("select id from articles order by rowid")]

    def delete_article(self, article_id: str) -> list[str]:
        """Delete an article, its claims and its comparisons; return the issues it touched."""
        with self.write() as db:
            self.get_article_row(article_id)
            issues = [
                r[0]
                for r in db.execute(
                    "select distinct issue_id from claims where article_id = ? and issue_id is not null",
                    [article_id],
                )
            ]
            comparison_ids = [
                r[0]
                for r in db.execute(
                    "select comparison_id from comparison_articles where article_id = ?", [article_id]
                )
            ]
            for cid in comparison_ids:
                db.execute("delete from comparison_articles where comparison_id = ?", [cid])
                db.execute("delete from comparisons where id = ?", [cid])
            db.execute("delete from claims where article_id = ?", [article_id])
            db.execute("delete from articles where id = ?", [article_id])
            for issue_id in issues:
                left = db.execute("select count(*) from claims where issue_id = ?", [issue_id]).fetchone()[0]
                if not left:
                    db.execute("delete from issues where id = ?", [issue_id])
        return issues

    # -- claims -------------------------------------------------------------

    def claims_for_article(self, article_id: str) -> list[Claim]:
        return self._claims("select * from claims where article_id = ? order by start, id", [article_id])

    def _claims(self, sql: str, params: list[Any], skip: int = 0) -> list[Claim]:
        """Claims from a query whose columns, after the first `skip`, are the claims table's."""
        cursor = self.db.execute(sql, params)
        columns = [d[0] for d in cursor.description][skip:]
        return [self._claim(dict(zip(columns, row[skip:], strict=True))) for row in cursor.fetchall()]

    def _claim(self, data: dict[str, Any]) -> Claim:
        spans = {
            key: json.loads(data[key]) if data[key] else None
            for key in ("speaker_span", "cue_span", "sentence_span")
        }
        claim = Claim(
            text=data["text"],
            start=data["start"],
            end=data["end"],
            speaker=data["speaker"],
            speaker_span=spans["speaker_span"],
            cue=data["cue"],
            cue_span=spans["cue_span"],
            kind=data["kind"],
            party=data["party"],
            issue=data["issue_id"],
            confidence=data["confidence"],
            id=data["id"],
            sentence_span=spans["sentence_span"],
            speaker_resolved_from=data["speaker_resolved_from"],
        )
        claim.article_id = data["article_id"]  # type: ignore[attr-defined]
        claim.origin = data["origin"]  # type: ignore[attr-defined]
        return claim

    def find_claims(
        self,
        party: str | None = None,
        speaker: str | None = None,
        article: str | None = None,
        q: str | None = None,
        issue: str | None = None,
        after: int | None = None,
        limit: int = 100,
    ) -> tuple[list[Claim], int | None]:
        """Claims matching every filter given, newest first, with a keyset token."""
        where, params = [], []
        if party is not None:
            if party == "none":
                where.append("c.party is null")
            else:
                where.append("c.party = ?")
                params.append(party)
        if speaker:
            where.append("c.speaker like ? escape '\\'")
            params.append("%" + _like_escape(speaker) + "%")
        if article:
            where.append("c.article_id = ?")
            params.append(article)
        if issue:
            where.append("c.issue_id = ?")
            params.append(issue)
        if q is not None:
            query = fts_query(q)
            if query is None:
                return [], None
            where.append("c.rowid in (select rowid from claims_fts where claims_fts match ?)")
            params.append(query)
        if after is not None:
            where.append("c.rowid < ?")
            params.append(after)
        sql = "select c.rowid, c.* from claims c"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by c.rowid desc limit ?"
        cursor = self.db.execute(sql, [*params, limit + 1])
        columns = [d[0] for d in cursor.description][1:]
        rows = cursor.fetchall()
        claims = [self._claim(dict(zip(columns, r[1:], strict=True))) for r in rows[:limit]]
        token = rows[limit - 1][0] if len(rows) > limit else None
        return claims, token

    def candidate_claims(
        self,
        terms: list[str],
        exclude_article: str,
        limit: int = 30,
        window: int = CANDIDATE_WINDOW,
        after: int | None = None,
    ) -> list[Claim]:
        """Stored claims that share the most telling terms, found through the full-text index.

        Only the `window` most recent claims are searched: a dispute is reported within weeks,
        and ranking a fixed window keeps adding an article as cheap at 100,000 articles as at 100.
        """
        terms = [t for t in terms if t.isalnum()][:5]
        if not terms:
            return []
        # Two telling terms in common, not one: fewer, better candidates, and a cheaper ranking.
        pairs = [f'("{a}" AND "{b}")' for i, a in enumerate(terms) for b in terms[i + 1 :]]
        query = " OR ".join(pairs) if pairs else f'"{terms[0]}"'
        newest = self.newest_claim(excluding=exclude_article)
        return self._claims(
            "select c.* from claims_fts f join claims c on c.rowid = f.rowid "
            "where claims_fts match ? and f.rowid > ? and c.article_id != ? and c.issue_id is not null "
            "order by bm25(claims_fts) limit ?",
            [query, max(newest - window, after or 0), exclude_article, limit],
        )

    def newest_claim(self, excluding: str | None = None) -> int:
        """The rowid of the newest stored claim (not counting one article's own claims)."""
        if excluding is None:
            return self.db.execute("select max(rowid) from claims").fetchone()[0] or 0
        row = self.db.execute(
            "select rowid from claims where article_id != ? order by rowid desc limit 1", [excluding]
        ).fetchone()
        return row[0] if row else 0

    def claim_rows_and_issues(
        self, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, str | None]]:
        """(rowid, issue id) of each claim given by (article id, claim id) that still exists."""
        rows = self._claim_rows("c.article_id, c.id, c.rowid, c.issue_id", keys)
        return {(article_id, claim_id): (rowid, issue_id) for article_id, claim_id, rowid, issue_id in rows}

    def _claim_rows(self, columns: str, keys: list[tuple[str, str]]) -> Iterator[tuple]:
        """`columns` of the claims (table alias c) given by (article id, claim id), those that
        exist, in one indexed query per few hundred keys."""
        unique = list(dict.fromkeys(keys))
        for at in range(0, len(unique), 400):
            chunk = unique[at : at + 400]
            values = ",".join("(?, ?)" for _ in chunk)
            yield from self.db.execute(
                f"with wanted(article_id, id) as (values {values}) select {columns} "
                "from wanted w join claims c on c.article_id = w.article_id and c.id = w.id",
                [part for key in chunk for part in key],
            ).fetchall()

    def claims_for_issue(self, issue_id: str, limit: int = 200) -> list[Claim]:
        return self._claims(
            "select * from claims where issue_id = ? order by rowid desc limit ?", [issue_id, limit]
        )

    def set_claim_issues(self, article_id: str, issue_of: dict[str, str]) -> None:
        with self.write() as db:
            db.conn.executemany(
                "update claims set issue_id = ? where article_id = ? and id = ?",
                [[issue_id, article_id, claim_id] for claim_id, issue_id in issue_of.items()],
            )

    def set_claim_party(
        self, article_id: str, claim_id: str, party: str | None, origin: str = "corrected"
    ) -> Claim:
        """Set a claim's party: a reader's correction, or a re-tag after a registry change."""
        if not (_storable(article_id) and _storable(claim_id)):
            raise NotFound(f"no claim {claim_id!r} in article {article_id!r}")
        with self.write() as db:
            cur = db.execute(
                "update claims set party = ?, origin = ? where article_id = ? and id = ?",
                [party, origin, article_id, claim_id],
            )
            if cur.rowcount == 0:
                raise NotFound(f"no claim {claim_id!r} in article {article_id!r}")
        [claim] = self._claims("select * from claims where article_id = ? and id = ?", [article_id, claim_id])
        return claim

    # -- issues -------------------------------------------------------------

    def new_issue(self, label: str) -> str:
        return self.new_issues([label])[0]

    def new_issues(self, labels: list[str]) -> list[str]:
        """Store one new issue per label; their ids, in the same order."""
        if not labels:
            return []
        with self.write() as db:
            ids = self._next_ids("issue", "i", len(labels))
            stamp = now()
            db.conn.executemany(
                "insert into issues (id, label, created, updated) values (?, ?, ?, ?)",
                [[issue_id, label, stamp, stamp] for issue_id, label in zip(ids, labels, strict=True)],
            )
        return ids

    def issue_labels(self, ids: list[str]) -> dict[str, str]:
        """The labels of the issues given (those that exist), in one query."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.db.execute(f"select id, label from issues where id in ({marks})", ids).fetchall())

    def update_issue_label(self, issue_id: str, label: str) -> None:
        with self.write() as db:
            db.execute("update issues set label = ?, updated = ? where id = ?", [label, now(), issue_id])

    def get_issue(self, issue_id: str) -> dict[str, Any]:
        if not _storable(issue_id):
            raise NotFound(f"no issue with id {issue_id!r}")
        row = self.db.execute(
            "select id, label, created, updated from issues where id = ?", [issue_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"no issue with id {issue_id!r}")
        return dict(zip(["id", "label", "created", "updated"], row, strict=True))

    def list_issues(
        self, min_claims: int = 2, limit: int = 200, after: int | None = None
    ) -> list[dict[str, Any]]:
        """Issues with their claim, party and article counts, most disputed first.

        Read from the counts each issue keeps (migration 3) through the index in this order:
        the walk stops after `limit` issues, however large the archive.
        """
        rows = self.db.execute(
            "select id, label, updated, n_claims, n_parties, n_articles, n_conflicts, top_conflict, "
            "n_agreements from issues indexed by idx_issues_rank where n_claims >= ? "
            "order by n_conflicts desc, top_conflict desc, n_claims desc, id limit ?",
            [max(1, min_claims), limit],
        ).fetchall()
        keys = [
            "id",
            "label",
            "updated",
            "claims",
            "parties",
            "articles",
            "conflicts",
            "top_score",
            "agreements",
        ]
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # -- comparisons ----------------------------------------------------------

    def replace_comparisons(self, issue_id: str, comparisons: list[dict[str, Any]]) -> None:
        """Swap the stored comparisons of one issue for a fresh set.

        Each comparison: relation, score, contrast, and sides a/b as
        {"party", "claims": [{"article", "id"}]}.
        """
        with self.write() as db:
            old = [r[0] for r in db.execute("select id from comparisons where issue_id = ?", [issue_id])]
            for cid in old:
                db.execute("delete from comparison_articles where comparison_id = ?", [cid])
            db.execute("delete from comparisons where issue_id = ?", [issue_id])
            for comparison in comparisons:
                cid = self._next_id("comparison", "k")
                db.execute(
                    "insert into comparisons (id, issue_id, relation, score, party_a, party_b, claims_a, "
                    "claims_b, contrast, created) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        cid,
                        issue_id,
                        comparison["relation"],
                        comparison["score"],
                        comparison["a"]["party"],
                        comparison["b"]["party"],
                        json.dumps(comparison["a"]["claims"]),
                        json.dumps(comparison["b"]["claims"]),
                        json.dumps(comparison.get("contrast") or []),
                        now(),
                    ],
                )
                articles = {c["article"] for side in "ab" for c in comparison[side]["claims"]}
                db.conn.executemany(
                    "insert into comparison_articles (comparison_id, article_id) values (?, ?)",
                    [(cid, a) for a in sorted(articles)],
                )

    def find_comparisons(
        self,
        issue: str | None = None,
        party: str | None = None,
        relation: str | None = None,
        article: str | None = None,
        comparison_id: str | None = None,
        limit: int = 200,
        after: tuple[int, float, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Comparisons matching every filter, conflicts first and strongest first.

        `after` is the listing position (conflict 1/0, score, id) of the last comparison of the
        previous page (`rank_key`): the next page starts right after it, walking the rank index.
        """
        if not all(_storable(v) for v in (issue, party, relation, article, comparison_id) if v):
            return []
        where, params = [], []
        if after is not None:
            where.append(
                "((k.relation = 'conflict') < ? or ((k.relation = 'conflict') = ? and "
                "(k.score < ? or (k.score = ? and k.id > ?))))"
            )
            params += [after[0], after[0], after[1], after[1], after[2]]
        if comparison_id:
            where.append("k.id = ?")
            params.append(comparison_id)
        if issue:
            where.append("k.issue_id = ?")
            params.append(issue)
        if party:
            where.append("(k.party_a = ? or k.party_b = ?)")
            params += [party, party]
        if relation:
            where.append("k.relation = ?")
            params.append(relation)
        if article:
            where.append("k.id in (select comparison_id from comparison_articles where article_id = ?)")
            params.append(article)
        sql = (
            "select k.id, k.issue_id, k.relation, k.score, k.party_a, k.party_b, k.claims_a, k.claims_b, "
            "k.contrast, i.label from comparisons k left join issues i on i.id = k.issue_id"
        )
        if where:
            sql += " where " + " and ".join(where)
        sql += f" order by {_RANK_ORDER} limit ?"
        out = []
        for r in self.db.execute(sql, [*params, limit]).fetchall():
            out.append(
                {
                    "id": r[0],
                    "issue": r[1],
                    "issue_label": r[9],
                    "relation": r[2],
                    "score": r[3],
                    "a": {"party": r[4], "claims": json.loads(r[6])},
                    "b": {"party": r[5], "claims": json.loads(r[7])},
                    "contrast": json.loads(r[8]),
                }
            )
        return out

    @staticmethod
    def rank_key(comparison: dict[str, Any]) -> tuple[int, float, str]:
        """A comparison's position in the listing order, for `find_comparisons(after=...)`."""
        return (int(comparison["relation"] == "conflict"), comparison["score"], comparison["id"])

    def claim_dicts(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Claims by (article id, claim id) as the contract's dicts (Claim.to_dict() and their
        "origin"), built straight from the rows: listing comparisons fills in a hundred or more
        claims per page, and a Claim object per claim, turned back into a dict, cost more than
        the query."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        loads = json.loads
        rows = self._claim_rows(
            "c.article_id, c.text, c.start, c.[end], c.speaker, c.speaker_span, c.cue, c.cue_span, "
            "c.kind, c.party, c.issue_id, c.confidence, c.id, c.sentence_span, "
            "c.speaker_resolved_from, c.origin",
            keys,
        )
        for (article_id, text, start, end, speaker, speaker_span, cue, cue_span, kind, party, issue,
             confidence, claim_id, sentence_span, resolved_from, origin) in rows:  # fmt: skip
            out[(article_id, claim_id)] = {
                "text": text,
                "start": start,
                "end": end,
                "speaker": speaker,
                "speaker_span": loads(speaker_span) if speaker_span else None,
                "cue": cue,
                "cue_span": loads(cue_span) if cue_span else None,
                "kind": kind,
                "party": party,
                "issue": issue,
                "confidence": confidence,
                "id": claim_id,
                "sentence_span": loads(sentence_span) if sentence_span else None,
                "speaker_resolved_from": resolved_from,
                "origin": origin,
            }
        return out

    def article_meta(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"select id, title, source, published, url from articles where id in ({marks})", ids
        ).fetchall()
        return {
            r[0]: {"id": r[0], "title": r[1], "source": r[2], "published": r[3], "url": r[4]} for r in rows
        }

    # -- registry, feedback -------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        row = self.db.execute("select value from settings where key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_setting(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "insert into settings (key, value) values (?, ?) "
                "on conflict(key) do update set value = excluded.value",
                [key, value],
            )

    def add_feedback(self, record: dict[str, Any]) -> int:
        with self.write() as db:
            db["feedback"].insert({**record, "created": now()})
            return db.execute("select last_insert_rowid()").fetchone()[0]

    def list_feedback(self) -> list[dict[str, Any]]:
        return list(self.db["feedback"].rows_where(order_by="id"))


def _storable(value: str) -> bool:
    """False for a string SQLite cannot take (a lone surrogate): no stored id can equal it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_query(q: str) -> str | None:
    """A user's search words as a safe FTS5 query (each word quoted, all required), or None."""
    words = ["".join(ch for ch in w if ch.isalnum()) for w in q.split()]
    words = [w for w in words if w][:20]
    return " ".join(f'"{w}"' for w in words) or None


def _retry(action, attempts: int = 50):  # type: ignore[no-untyped-def]
    """Run a statement, waiting out 'database is locked' beyond the busy timeout."""
    delay = 0.01
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as error:
            if ("locked" not in str(error) and "busy" not in str(error)) or attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    return None
