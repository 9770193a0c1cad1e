# Cuecard server with the embedded, offline defaults (local Whisper, SQLite, in-process bus).
# Not built on the development machines (no Docker engine there); it mirrors `make run`.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libsndfile1 espeak-ng sox chromium \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY cuecard ./cuecard
RUN pip install --no-cache-dir .

ENV CUECARD_DATA_DIR=/data \
    CUECARD_HOST=0.0.0.0 \
    CUECARD_PORT=8600
VOLUME /data
EXPOSE 8600
# WebRTC media uses UDP on ephemeral ports: run with --network host, or configure TURN
# (CUECARD_ICE_SERVERS) for clients outside the host.
CMD ["cuecard", "serve"]
