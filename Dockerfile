# The stance service: a Flask app under gunicorn, with its trained model and seed data.
#
#   docker build -t stance .
#   docker run -d -p 127.0.0.1:8000:8000 -v stance-data:/data stance
#
# BASE_IMAGE is any Debian-like image with Python >= 3.11 and the venv module. Users get the official
# python:3.12-slim; CI, which cannot reach Docker Hub, passes a base it makes with debootstrap
# (see scripts/docker-smoke). Both stages use the same base so the venv's interpreter exists at run time.
ARG BASE_IMAGE=python:3.12-slim

# ---- builder: resolve and install the package and its dependencies into a self-contained venv ----
FROM ${BASE_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

# python3, not python: the official image has both, a Debian base only python3.
RUN python3 -m venv /opt/venv

WORKDIR /src
COPY pyproject.toml README.md ./
COPY stance/ stance/
RUN /opt/venv/bin/pip install --no-cache-dir . \
    && /opt/venv/bin/python -c "import stance.gunicorn_conf"

# ---- runtime: the venv, the model and the seeds; no compilers, no pip cache, no source tree ----
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
    STANCE_WORKERS=2 \
    STANCE_THREADS=4

# A fixed, unprivileged uid/gid so a bind-mounted /data can be chowned to match (10001:10001).
RUN groupadd --system --gid 10001 stance \
    && useradd --system --no-log-init --uid 10001 --gid stance --home-dir /app --shell /usr/sbin/nologin stance \
    && mkdir -p /app /data \
    && chown stance:stance /data

COPY --from=builder /opt/venv /opt/venv
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
