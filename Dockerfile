# One image for every role of the platform; the command picks the role:
#   docker run coffee gateway | api | events | consumers | up --no-demo
# Stage 1 builds the wheel (Rust core + Python package) with maturin; stage 2 installs it on a
# slim Python without compilers, as a non-root user.
FROM python:3.11-slim-bookworm AS build
# pipefail: a failed download in `curl | sh` fails its RUN, not a later step with a misleading
# message (sh alone reports only the last command of a pipe).
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain stable
ENV PATH=/root/.cargo/bin:$PATH
RUN pip install --no-cache-dir "maturin>=1.7,<2"
WORKDIR /src
COPY Cargo.toml Cargo.lock pyproject.toml README.md ./
COPY rust rust
COPY pysrc pysrc
RUN maturin build --release --locked --out /wheels

FROM python:3.11-slim-bookworm
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
 && useradd --create-home --uid 10001 coffee \
 && mkdir -p /var/lib/coffee && chown coffee /var/lib/coffee
USER coffee
WORKDIR /var/lib/coffee
# Embedded data (chdb) and the events write-ahead log live here; mount a volume on it.
ENV EVENT_WAL_DIR=/var/lib/coffee/events-wal \
    CH_DATA_DIR=/var/lib/coffee/chdb-api \
    CLICKHOUSE_URL=chdb:///var/lib/coffee/chdb-events \
    HEALTHCHECK_URL=http://127.0.0.1:8000/heartbeat/
# Each role's heartbeat (or metrics) URL is set per service in compose.yaml.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=2)"
ENTRYPOINT ["coffee"]
CMD ["up", "--no-demo"]
