# Vecinos — multi-stage image: build a virtualenv, copy it into a slim runtime that runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY i18n ./i18n
COPY storage ./storage
RUN pip install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 vecinos && mkdir /data && chown vecinos /data && chmod 0700 /data
COPY --from=build /opt/venv /opt/venv
# The secret key is never in /data (a copy of the volume must decrypt nothing): it comes from a Docker/compose
# secret (compose.yaml), or SECRET_KEY. Without either the bot stops at start and says how to create one.
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 DATABASE_PATH=/data/vecinos.db \
    SECRET_KEY_FILE=/run/secrets/vecinos_secret_key
USER vecinos
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s CMD ["python", "-m", "bot", "check"]
CMD ["python", "-m", "bot", "run"]
