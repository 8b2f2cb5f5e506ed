# syntax=docker/dockerfile:1
#
# environment-sync: Metacontroller hooks for kuberik Environments.
#
#   docker build -t environment-sync:0.1.0 .
#
# The image runs as uid 10001 with a read-only root filesystem in Kubernetes (see
# manifests/webhook/deployment.yaml); it needs no writable path besides /tmp.

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
EXPOSE 8080
# A 2 MB young generation: at 1,000 Environments V8's default 16 MB semi-spaces left the
# process at 146-176 MB RSS (two runs) for 26 MB of live heap, 2 MB at 117-118 MB
# (BENCHMARKS.md, section 5, measured on Node 20).
CMD ["node", "--max-semi-space-size=2", "dist/main.js"]
