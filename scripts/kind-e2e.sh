#!/usr/bin/env bash
# The end-to-end scenario on kind, for machines with Docker (and in GitHub Actions:
# .github/workflows/e2e-kind.yaml). It runs the same scenario code as `npm run test:e2e`
# (test/e2e/scenario/), against one kind cluster with Metacontroller, the service built from
# our Dockerfile, and two namespaces standing in for the staging and production clusters.
#
#   KUBERIK_CRDS_DIR  folder with kuberik.com_rollouts.yaml and kuberik.com_rolloutgates.yaml
#                     (default: test/fixtures/reference-crds)
#   KIND_CLUSTER      cluster name (default environment-sync-e2e); KEEP_CLUSTER=1 keeps it
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${KIND_CLUSTER:-environment-sync-e2e}"
METACONTROLLER_VERSION=v4.17.2
IMAGE=environment-sync:e2e
CRDS_DIR="${KUBERIK_CRDS_DIR:-test/fixtures/reference-crds}"

for tool in docker kind kubectl npm; do
  command -v "$tool" >/dev/null || { echo "kind-e2e: $tool is required" >&2; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "kind-e2e: no Docker engine is running" >&2; exit 1; }

cleanup() { [ "${KEEP_CLUSTER:-0}" = 1 ] || kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== kind cluster $CLUSTER"
kind get clusters 2>/dev/null | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubectl config use-context "kind-$CLUSTER"

echo "== Metacontroller $METACONTROLLER_VERSION (its release manifests)"
kubectl apply -k "https://github.com/metacontroller/metacontroller/manifests/production?ref=$METACONTROLLER_VERSION"
kubectl -n metacontroller rollout status statefulset/metacontroller --timeout=180s

echo "== image $IMAGE from the Dockerfile"
docker build -t "$IMAGE" .
kind load docker-image "$IMAGE" --name "$CLUSTER"

echo "== kuberik CRDs and manifests/"
kubectl apply -f "$CRDS_DIR/kuberik.com_rollouts.yaml" -f "$CRDS_DIR/kuberik.com_rolloutgates.yaml"
overlay="$(mktemp -d)"
cat >"$overlay/kustomization.yaml" <<KUSTOMIZE
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- $(pwd)/manifests
images:
- name: environment-sync
  newName: environment-sync
  newTag: e2e
KUSTOMIZE
kubectl apply -k "$overlay"
kubectl wait --for=condition=Established --timeout=60s \
  crd/environments.environments.kuberik.com crd/rollouts.kuberik.com crd/rolloutgates.kuberik.com
kubectl -n environment-sync rollout status deployment/environment-sync --timeout=180s

echo "== scenario"
# Pods reach this machine at the kind network's gateway; the test's GitHub emulator listens there.
E2E_HOST_ADDRESS="$(docker network inspect kind -f '{{range .IPAM.Config}}{{if .Gateway}}{{.Gateway}} {{end}}{{end}}' | tr ' ' '\n' | grep -m1 '\.')"
export E2E_HOST_ADDRESS
npm run test:e2e:kind
