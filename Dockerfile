# syntax=docker/dockerfile:1
#
# environment-sync: Metacontroller hooks for kuberik Environments.
#
#   docker build -t environment-sync:0.1.0 .
#
# The image runs as uid 10001 with a read-only root filesystem in Kubernetes (see
# manifests/webhook/deployment.yaml); it needs no writable path besides /tmp.

# The base image is named by tag, so a rebuild picks up Debian and Node patch releases. To pin
# it (reproducible builds), replace the tag in both FROM lines by its digest, e.g.
#   docker buildx imagetools inspect node:24-bookworm-slim --format '{{json .Manifest.Digest}}'
#   FROM node:24-bookworm-slim@sha256:<that digest>
# and let Dependabot or Renovate move the digest forward.

# --- build: compile TypeScript (src/ → dist/) with the dev dependencies ---------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, compiled code and the JSON Schemas -------------
FROM node:24-bookworm-slim
# VERSION follows package.json; SOURCE is the repository's URL (.github/workflows/release.yaml
# passes both as --build-arg).
ARG VERSION=0.1.0
ARG SOURCE=""
LABEL org.opencontainers.image.title="environment-sync" \
      org.opencontainers.image.description="kuberik Environments across disconnected clusters, as Metacontroller hooks backed by GitHub Deployments" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# The service compiles its request/response validators from these at start.
COPY schemas ./schemas
# The runner (node dist/runner/main.js, manifests/runner/) reads the CompositeController.
COPY manifests/controller/compositecontroller.yaml ./manifests/controller/compositecontroller.yaml
USER 10001:10001
# Hooks (PORT) and GET /metrics (METRICS_PORT).
EXPOSE 8080 9090
# A 2 MB young generation, and an old generation that grows to at most twice what survives a
# collection. Measured side by side (the benchmark's scale and fleet runs, compiled service,
# Node 20, every sync computed, two interleaved rounds each): peak RSS at 1,000 Environments
# 129-130 MB with these flags against 139-170 MB with V8's defaults; at a fleet's 170 syncs/s
# 117 MB against 134-137 MB, at the same CPU (11-12 % of one core either way, 0.64-0.73 ms
# per sync). BENCHMARKS.md, sections 3 and 5, repeats the comparison in every full run.
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=100", "dist/main.js"]
