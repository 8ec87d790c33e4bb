# syntax=docker/dockerfile:1
#
# Quiver: one image for every way to run it (see deploy/README.md).
#
#   docker build -t quiver .
#   docker run -p 8080:8080 --read-only --tmpfs /tmp -v quiver-data:/data quiver   # embedded (all-in-one)
#   docker run ... quiver node apps/index/dist/main.js                             # one service: index|upload|auth|audit
#
# The runtime works with a read-only root filesystem: the process writes only to /tmp (uploads are
# streamed there while they are hashed and checked) and, in embedded mode, to QUIVER_DATA_DIR (/data).

# Pin further with e.g. --build-arg NODE_IMAGE=node:24.21.0-bookworm-slim (package.json's `node`).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
# npm ci + build: bootstrap.mjs runs `npm ci` whenever node_modules does not match the lockfile
# (always, in this clean context), then `tsc -b` into each project's dist/. Calling it alone avoids
# a second install.
RUN --mount=type=cache,target=/root/.npm \
    node tools/bootstrap.mjs build
# Runtime dependencies only (this also drops the toolchain's own Node: the final stage uses the base
# image's), then what the runtime never reads: sources, compiled tests, the test workspace, the CLI.
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf test apps/cli node_modules/@quiver/test node_modules/@quiver/app-cli node_modules/.bin/quiver \
 && find apps libs -name src -type d -prune -exec rm -rf {} + \
 && find apps libs \( -name '*.tsbuildinfo' -o -name '*.spec.*' \) -delete

FROM ${NODE_IMAGE}
# GLIBC_TUNABLES: glibc's malloc gives freed memory back instead of keeping it (tools/runtime-env.mjs,
# docs/adr/0017); keep the two in step.
ENV NODE_ENV=production \
    GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072 \
    QUIVER_HOST=0.0.0.0 \
    QUIVER_PORT=8080 \
    QUIVER_DATA_DIR=/data \
    HOME=/tmp
# Fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it. The code stays root-owned
# (read-only to the process); /data is the only directory the process owns.
RUN groupadd --system --gid 10001 quiver \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin quiver \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
USER 10001:10001
EXPOSE 8080
# Every entry point drains on SIGTERM (stops accepting, finishes in-flight requests, closes adapters).
CMD ["node", "apps/embedded/dist/main.js"]
