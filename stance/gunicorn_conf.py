"""Gunicorn settings for the stance service, read from STANCE_* environment variables.

Used by the Docker image (`gunicorn --config python:stance.gunicorn_conf stance.wsgi:app`) and usable
anywhere else the package is installed. Gunicorn reads the module-level names below as its settings.
"""

import os

# Set before the app (and NumPy) load: the model multiplies small matrices, where OpenBLAS's
# threads cost milliseconds each, and gunicorn's workers and threads are the parallelism.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    """An integer setting from the environment, refusing nonsense with a message that names it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


bind = f"0.0.0.0:{_env_int('STANCE_PORT', 8000)}"

# Workers are processes; threads serve requests concurrently inside each (gthread), which suits a
# service that spends its time in NumPy/SciPy code and SQLite calls that release the GIL.
workers = _env_int("STANCE_WORKERS", 2)
threads = _env_int("STANCE_THREADS", 4)
worker_class = "gthread"

# Load the app, and so the model, once in the master before forking: workers share its memory
# copy-on-write, and start-up work such as loading the seed article runs once, not once per worker.
preload_app = True

# Analysing a long article takes a few seconds at most; a worker silent for longer is stuck.
timeout = _env_int("STANCE_TIMEOUT", 60)
graceful_timeout = _env_int("STANCE_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Logs go to stdout/stderr, where `docker logs` and any log collector expect them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("STANCE_LOG_LEVEL", "info")

# Worker heartbeat files on tmpfs: an overlay or volume filesystem can stall them and get
# healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
