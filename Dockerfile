# claimbridge as a container image: the web app by default, `watch` for the background worker.
#
# deploy/install-locked.sh installs it, as the package test (tests/test_package.py) does in CI:
# the locked runtime set with hashes, then claimbridge built by the locked setuptools, so the
# image holds exactly uv.lock's versions.
#
#   docker build -t claimbridge .
#   docker run --rm claimbridge demo
#   docker compose -f deploy/compose.yaml up      (PostgreSQL + web app + worker)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# gcc and the Python headers (in the image) build the X12 reader's C loops.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY deploy/install-locked.sh deploy/
COPY requirements/ requirements/
RUN PIP_NO_CACHE_DIR=1 sh deploy/install-locked.sh /opt/claimbridge
COPY pyproject.toml setup.py README.md LICENSE ./
COPY src/ src/
RUN PIP_NO_CACHE_DIR=1 sh deploy/install-locked.sh /opt/claimbridge . \
    && /opt/claimbridge/bin/pip uninstall --yes setuptools \
    && /opt/claimbridge/bin/python -c \
       "from claimbridge.x12.reader import compiled_loops; assert compiled_loops(), 'C loops not built'"

FROM ${PYTHON_IMAGE}
# pg_dump for `claimbridge backup` of a PostgreSQL ledger; tini as PID 1, so a stop signal that
# comes before claimbridge has set its handlers is not lost, and no zombie is left.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 claimbridge \
    && useradd --system --uid 10001 --gid claimbridge --home-dir /var/lib/claimbridge \
       --shell /usr/sbin/nologin claimbridge \
    && install -d -m 0700 -o claimbridge -g claimbridge /var/lib/claimbridge
COPY --from=build /opt/claimbridge /opt/claimbridge
ENV PATH=/opt/claimbridge/bin:$PATH \
    CLAIMBRIDGE_HOME=/var/lib/claimbridge \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER claimbridge
WORKDIR /var/lib/claimbridge
VOLUME ["/var/lib/claimbridge"]
EXPOSE 8000
# `claimbridge serve` and `claimbridge watch` stop cleanly on SIGTERM, the engine's stop signal:
# the file or request in hand is finished, then exit 0 (docs/operations.md#stopping).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/login', timeout=4)"]
ENTRYPOINT ["/usr/bin/tini", "--", "claimbridge"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
