# Rapport: build the web app and the server, then ship the one binary.
# syntax=docker/dockerfile:1

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/build-frontend \
 && cargo build --release --locked -p rapport-server --bin rapport

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data rapport \
 && mkdir -p /data && chown rapport /data
COPY --from=build /src/target/release/rapport /usr/local/bin/rapport
USER rapport
ENV RAPPORT_ADDR=0.0.0.0:8080 \
    RAPPORT_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["rapport"]
CMD ["serve"]
