# The stance service: a Flask app under gunicorn, with its trained model and seed data.
#
#   docker build -t stance .
#   docker run -d -p 127.0.0.1:8000:8000 -v stance-data:/data stance
#
# BASE_IMAGE is any Debian-like image with Python >= 3.11 and the venv module. Users get the official
# python:3.12-slim; CI, which cannot reach Docker Hub, passes a base it makes with debootstrap
# (see scripts/docker-smoke). All stages use the same base so the venv's interpreter exists at run time.
ARG BASE_IMAGE=python:3.12-slim

# ---- pins: the library versions the relation model was trained with, read from its card ----
# A pickled scikit-learn model only loads under the versions that wrote it (stance/modelfile.py refuses
# anything else), so the image installs exactly those. A stage of its own: a retrained model with the
# same versions yields the same constraints file, and the dependency layers below stay cached.
FROM ${BASE_IMAGE} AS pins
WORKDIR /src
COPY models/stance-relations.json models/
RUN python3 -c "import json; libs = json.load(open('models/stance-relations.json'))['libraries']; pip = {'sklearn': 'scikit-learn', 'numpy': 'numpy', 'scipy': 'scipy', 'joblib': 'joblib', 'pystemmer': 'pystemmer'}; print(*sorted(pip[k] + '==' + v for k, v in libs.items() if k in pip), sep='\n')" > constraints.txt

# ---- builder: the package and its dependencies in a self-contained venv ----
FROM ${BASE_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

# python3, not python: the official image has both, a Debian base only python3.
RUN python3 -m venv /opt/venv

WORKDIR /src
# Dependencies first, from pyproject.toml alone, so editing the code does not reinstall them.
COPY --from=pins /src/constraints.txt ./
COPY pyproject.toml README.md ./
RUN python3 -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && /opt/venv/bin/pip install --no-cache-dir --requirement requirements.txt --constraint constraints.txt

COPY stance/ stance/
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps . \
    && /opt/venv/bin/pip uninstall --yes pip setuptools

# Fail the build, not the first start, if the model does not load with what was installed.
COPY models/ models/
RUN /opt/venv/bin/python -c "from stance.modelfile import load_model; load_model('models/stance-relations.joblib')"

# ---- runtime: the venv, the model and the seeds; no build tools, no pip, no source tree ----
FROM ${BASE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="stance" \
      org.opencontainers.image.description="Find where the parties in a news story give conflicting accounts of the same thing." \
      org.opencontainers.image.licenses="MIT"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STANCE_DB=/data/stance.db \
    STANCE_MODEL=/app/models/stance-relations.joblib \
    STANCE_PARTIES=/app/seeds/parties.json \
    STANCE_LOAD_SEED=1 \
    STANCE_SEED_FILES=/app/seeds/hanoi-afp-2019-03-01.txt \
    STANCE_WORKERS=2 \
    STANCE_THREADS=4

# A fixed, unprivileged uid/gid so a bind-mounted /data can be chowned to match (10001:10001).
RUN groupadd --system --gid 10001 stance \
    && useradd --system --no-log-init --uid 10001 --gid stance --home-dir /app --shell /usr/sbin/nologin stance \
    && mkdir -p /app /data \
    && chown stance:stance /data

COPY --from=builder /opt/venv /opt/venv
# The app looks for models/ and seeds/ in its working directory first.
WORKDIR /app
COPY models/ /app/models/
COPY seeds/ /app/seeds/

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

# Asks the app itself, with the interpreter the image already has: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('STANCE_PORT', '8000'); sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:' + port + '/healthz', timeout=4).status == 200 else 1)"]

# Exec form: gunicorn is PID 1 and gets SIGTERM from `docker stop` for a graceful shutdown.
CMD ["gunicorn", "--config", "python:stance.gunicorn_conf", "stance.wsgi:app"]
