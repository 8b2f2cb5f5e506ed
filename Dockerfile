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
# process at 146-176 MB RSS (two runs) for 26 MB of live heap, 2 MB at 117-118 MB. With
# only that, V8 still let the old generation fill with garbage to 95 MB before collecting
# (peaks of 126-175 MB RSS between runs); letting it grow to at most twice what survives
# a collection kept it at 131-132 MB at no measurable cost to repeated syncs (25 % cost them
# about 40 µs each). BENCHMARKS.md, sections 3 and 5, measured on Node 20.
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=100", "dist/main.js"]
