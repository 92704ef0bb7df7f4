"""One way to run the service for the benchmarks: gunicorn with the project's config on a loopback port.

`Server(db=...).start()` (or `with Server(db=...) as server:`) starts
`gunicorn --config python:stance.gunicorn_conf -b 127.0.0.1:PORT` on a free port, in its own
session, with its own database and log, waits for `/healthz` and every worker; `stop()` sends
SIGTERM and waits. `cpu_seconds()` reads the master's and workers' CPU time from /proc, so a
benchmark can report CPU per request beside wall-clock latency on a shared machine.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO / "models" / "stance-relations.joblib"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def resolve_model(model: str | None) -> str | None:
    """The model file to serve with: the given path, the repo's if present, or None ("none")."""
    if model is None:
        return str(DEFAULT_MODEL) if DEFAULT_MODEL.exists() else None
    return None if model.lower() == "none" else model


def request(
    host: str, port: int, method: str, path: str, body: Any = None, timeout: float = 120
) -> tuple[int, bytes]:
    """One request on a fresh connection (no keep-alive races); returns (status, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@dataclass
class Server:
    """A gunicorn running the stance app on 127.0.0.1, with its own database and log."""

    db: Path
    workers: int = 4
    threads: int = 4
    model: str | None = None
    port: int = field(default_factory=free_port)
    log: Path | None = None
    proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def start(self, wait: float = 90.0) -> Server:
        self.db = Path(self.db)
        env = {
            **os.environ,
            "STANCE_DB": str(self.db),
            "STANCE_WORKERS": str(self.workers),
            "STANCE_THREADS": str(self.threads),
            "STANCE_LOG_LEVEL": "warning",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        for key in ("STANCE_API_KEY", "STANCE_READ_KEY", "STANCE_LOAD_SEED", "STANCE_MODEL"):
            env.pop(key, None)
        if self.model:
            env["STANCE_MODEL"] = self.model
            target = "stance.wsgi:app"
        else:
            target = "stance.app:create_app({'MODEL_PATH': None})"
        self.log = self.log or self.db.with_suffix(".gunicorn.log")
        command = [
            sys.executable, "-m", "gunicorn", "--config", "python:stance.gunicorn_conf",
            "-b", f"{self.host}:{self.port}", "--access-logfile", os.devnull, target,
        ]  # fmt: skip
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = request(self.host, self.port, "GET", "/healthz", timeout=2)
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {wait} s: {self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The live worker processes (children of the gunicorn master)."""
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:  # a kernel without that file: find the children by their parent id
            pids = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.proc.pid:
                        pids.append(int(stat.parent.name))
            return pids

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its live workers."""
        if self.proc is None:
            return 0.0
        return sum(process_cpu_seconds(pid) for pid in [self.proc.pid, *self.worker_pids()])

    def stop(self, timeout: float = 30.0) -> int | None:
        """Stop gracefully (SIGTERM to the master, which waits for in-flight requests)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL the whole server, master and workers (its own process group)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
