# syntax=docker/dockerfile:1
#
# Quiver: one image for every way to run it (see deploy/README.md).
#
#   docker build -t quiver .
#   docker run -p 8080:8080 -v quiver-data:/data quiver          # embedded: all services, one process
#   docker run ... quiver node apps/index/dist/main.js           # one service: index | upload | auth | audit
#
# The runtime is read-only-root friendly: the process writes only to /tmp (uploads are streamed
# there while they are hashed and checked) and, in embedded mode, to QUIVER_DATA_DIR (/data).

# Node 24 comes from this base image in both stages. To pin the exact release the repository builds
# with (package.json's `node` dev dependency), pass e.g. --build-arg NODE_IMAGE=node:24.21.0-bookworm-slim.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY . .
# `bootstrap.mjs build` is what `npm run build` runs: `npm ci` (skipped only when node_modules matches
# the lockfile, never the case here), then `tsc -b` over every project into each project's dist/.
RUN --mount=type=cache,target=/root/.npm \
    node tools/bootstrap.mjs build
# Runtime dependencies only. The `node` dev dependency (the toolchain's Node 24) goes too: the final
# stage runs on the base image's Node. Then drop what the runtime never reads: sources, compiled
# tests, the test workspace and the CLI.
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf test apps/cli node_modules/@quiver/test node_modules/@quiver/app-cli node_modules/.bin/quiver \
 && find apps libs -mindepth 2 -maxdepth 3 -name src -type d -prune -exec rm -rf {} + \
 && find apps libs \( -name '*.tsbuildinfo' -o -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.spec.d.ts' -o -name '*.spec.d.ts.map' \) -delete

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    QUIVER_HOST=0.0.0.0 \
    QUIVER_PORT=8080 \
    QUIVER_DATA_DIR=/data \
    HOME=/tmp
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it. The code stays owned by root
# (read-only to the process); /data is the only directory the process owns.
RUN groupadd --system --gid 10001 quiver \
 && useradd --system --uid 10001 --gid quiver --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin quiver \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0700 /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
USER 10001:10001
EXPOSE 8080
# Every entry point drains on SIGTERM (stops accepting, finishes in-flight requests, closes adapters).
STOPSIGNAL SIGTERM
CMD ["node", "apps/embedded/dist/main.js"]
