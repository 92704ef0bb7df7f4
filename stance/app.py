"""The Flask application factory: settings in, a ready app out.

Settings come from defaults, then `STANCE_*` environment variables, then the
mapping a caller (a test) passes. The model is loaded once here and kept on the
app; each request opens its own store connection and closes it on teardown.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import sqlite3
import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request, session

from stance import problems
from stance.parties import Registry, load_registry
from stance.paths import default_path
from stance.service import Service
from stance.store import Store

ENV_SETTINGS = {
    "DATABASE": "STANCE_DB",
    "MODEL_PATH": "STANCE_MODEL",
    "PARTIES_FILE": "STANCE_PARTIES",
    "API_KEY": "STANCE_API_KEY",
    "READ_KEY": "STANCE_READ_KEY",
    "LOAD_SEED": "STANCE_LOAD_SEED",
    "SEED_FILES": "STANCE_SEED_FILES",
    "MAX_CONTENT_LENGTH": "STANCE_MAX_BODY",
    "SECRET_KEY": "STANCE_SECRET_KEY",
    "CHECKPOINT_EVERY": "STANCE_CHECKPOINT_EVERY",
}


def default_settings() -> dict[str, Any]:
    return {
        "DATABASE": "stance.db",
        "MODEL_PATH": default_path("models", "stance-relations.joblib"),
        "PARTIES_FILE": default_path("seeds", "parties.json"),
        "API_KEY": None,
        "READ_KEY": None,
        "LOAD_SEED": False,
        "SEED_FILES": default_path("seeds", "hanoi-afp-2019-03-01.txt"),
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "MAX_BATCH": 100,
        "SECRET_KEY": None,
        "MODEL": None,
        # Successful writes (per process) between checkpoints of the database's write-ahead log,
        # run after the response has gone; 0 leaves checkpoints to SQLite, inside commits.
        "CHECKPOINT_EVERY": 16,
    }


# SQLite's own checkpoint stays as a backstop at this many pages (40 MB of log) when the app
# checkpoints by itself.
BACKSTOP_CHECKPOINT_PAGES = 10_000
_writes_since_checkpoint = 0
_checkpoint_lock = threading.Lock()


def stored_secret(database: str) -> str:
    """The secret that signs forms (CSRF), kept beside the database (`DB.secret`, mode 0600) so that
    every worker, container and restart on the same data shares it; a fresh one per process when
    there is no file to keep it in. STANCE_SECRET_KEY overrides both."""
    log = logging.getLogger(__name__)
    if not database or database == ":memory:" or database.startswith("file:"):
        return os.urandom(32).hex()
    path = database + ".secret"
    secret = os.urandom(32).hex()
    try:
        # written whole under a temporary name, then linked: a racing process sees all or nothing
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".secret-")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secret + "\n")
            os.link(temporary, path)
            return secret
        except FileExistsError:
            with open(path, encoding="ascii") as handle:
                kept = handle.read().strip()
            if len(kept) >= 32:
                return kept
            log.warning("%s holds no usable secret: using one of this process", path)
        finally:
            os.unlink(temporary)
    except (OSError, UnicodeDecodeError) as error:
        log.warning("cannot keep a secret beside %s (%s): using one of this process", database, error)
    return secret


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(default_settings())
    for key, env in ENV_SETTINGS.items():
        if os.environ.get(env):
            app.config[key] = os.environ[env]
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_CONTENT_LENGTH"])
    app.config["CHECKPOINT_EVERY"] = int(app.config["CHECKPOINT_EVERY"])
    app.config["LOAD_SEED"] = str(app.config["LOAD_SEED"]).lower() in ("1", "true", "yes", "on")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = stored_secret(str(app.config["DATABASE"]))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    model = app.config["MODEL"]
    if model is None and app.config["MODEL_PATH"]:
        from stance.modelfile import load_model

        model, _card = load_model(app.config["MODEL_PATH"])
    app.extensions["stance.model"] = model

    store = Store.open(app.config["DATABASE"])
    try:
        if store.get_setting("parties") is None:
            registry = load_registry(app.config["PARTIES_FILE"])
            store.put_setting("parties", json.dumps(registry.to_dict()))
        if app.config["LOAD_SEED"] and store.count_articles() == 0:
            load_seed(app, store)
    finally:
        store.close()

    problems.register(app)
    app.before_request(check_access)
    app.after_request(checkpoint_now_and_then)
    app.teardown_appcontext(close_store)

    from stance import api

    app.register_blueprint(api.bp)
    from flask_swagger_ui import get_swaggerui_blueprint

    docs = get_swaggerui_blueprint("/api/docs", "/api/openapi.json", config={"app_name": "stance API"})
    app.register_blueprint(docs, url_prefix="/api/docs")
    try:
        from stance import web
    except ImportError:  # the dashboard is optional while it is being built
        web = None  # type: ignore[assignment]
    if web is not None:
        web.init_app(app)
    return app


def load_seed(app: Flask, store: Store) -> None:
    from stance.ingest import make_article

    service = Service(store, registry_from(store), app.extensions["stance.model"])
    for path in str(app.config["SEED_FILES"]).split(os.pathsep):
        if path and Path(path).exists():
            service.ingest(make_article({"text": Path(path).read_text(encoding="utf-8")}))


def registry_from(store: Store) -> Registry:
    """The registry stored in the database, parsed once per change."""
    raw = store.get_setting("parties") or "{}"
    cache = current_app.extensions.setdefault("stance.registry", {}) if _has_app() else {}
    if cache.get("raw") != raw:
        cache["raw"], cache["registry"] = raw, Registry(json.loads(raw))
    return cache["registry"]


def _has_app() -> bool:
    try:
        current_app._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:
        return False
    return True


def get_store() -> Store:
    if "store" not in g:
        own_checkpoints = current_app.config["CHECKPOINT_EVERY"] > 0
        g.store = Store.open(
            current_app.config["DATABASE"], BACKSTOP_CHECKPOINT_PAGES if own_checkpoints else None
        )
    return g.store


def checkpoint_now_and_then(response: Response) -> Response:
    """Every CHECKPOINT_EVERY successful writes, checkpoint the write-ahead log once the response
    has been sent (call_on_close): off the writers' lock and off the client's wait, where SQLite's
    automatic checkpoint would run inside some writer's commit while every other writer queues."""
    global _writes_since_checkpoint
    every = current_app.config["CHECKPOINT_EVERY"]
    if every <= 0 or request.method not in WRITE_METHODS or response.status_code >= 400:
        return response
    with _checkpoint_lock:
        _writes_since_checkpoint += 1
        due = _writes_since_checkpoint >= every
        if due:
            _writes_since_checkpoint = 0
    if due:
        response.call_on_close(partial(checkpoint, current_app.config["DATABASE"]))
    return response


def checkpoint(database: str) -> None:
    """Checkpoint `database`'s write-ahead log; a failure is logged, never raised: the next
    checkpoint (or SQLite's backstop) does the work."""
    if not database or database == ":memory:":
        return
    try:
        store = Store.open(database, BACKSTOP_CHECKPOINT_PAGES)
        try:
            store.checkpoint()
        finally:
            store.close()
    except (sqlite3.Error, OSError) as error:
        logging.getLogger(__name__).warning("checkpoint of %s failed: %s", database, error)


def get_service() -> Service:
    store = get_store()
    return Service(store, registry_from(store), current_app.extensions["stance.model"])


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def presented_key() -> str | None:
    """The key a request carries: a header from API clients, the session or a form field from the dashboard."""
    auth = _header("Authorization")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    if _header("X-API-Key"):
        return _header("X-API-Key")
    if session.get("api_key"):
        return session["api_key"]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get("api_key") or None
    return None


def _header(name: str) -> str:
    """A header as the client wrote it: WSGI hands its bytes over as latin-1, but a key is UTF-8."""
    value = request.headers.get(name, "")
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def key_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def check_access():  # type: ignore[no-untyped-def]
    """Writes need STANCE_API_KEY when it is set; reads need STANCE_READ_KEY (or the write key) when set."""
    # web.store_key checks the key it is given itself: it must accept a read key too.
    if request.endpoint in ("api.health", "static", "web.store_key") or request.method == "OPTIONS":
        return None
    write_key = current_app.config["API_KEY"]
    read_key = current_app.config["READ_KEY"]
    given = presented_key()
    if request.method in WRITE_METHODS:
        if write_key and not key_matches(given, write_key):
            raise problems.Problem(
                401, "this write needs the API key (Authorization: Bearer KEY or X-API-Key)"
            )
    elif read_key and not (key_matches(given, read_key) or (write_key and key_matches(given, write_key))):
        raise problems.Problem(401, "reading needs the read key (Authorization: Bearer KEY or X-API-Key)")
    return None
