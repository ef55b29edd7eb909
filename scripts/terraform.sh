#!/usr/bin/env bash
# The team's terraform with this project's guards, in one environment: the
# wrapper itself is TypeScript (ops/terraform.ts, on the model in
# platform/environment.ts), run from the prebuilt ops bundle. The Makefile,
# the workflows, the destroy script and the sandbox all go through here.
#
#   scripts/terraform.sh init|plan|deploy|destroy [terraform arguments]
#   scripts/terraform.sh run <terraform command> [args]
#   scripts/terraform.sh describe        the environment model as JSON
#
# Environment: ENV (default prod), TERRAFORM, TF_DIR, ENV_DIR, STATE_BUCKET,
# STATE_REGION, ALLOW_DATA_LOSS ("<address> ..." or all).
set -euo pipefail
command -v node >/dev/null || { echo "terraform.sh: node is not on PATH: install Node.js >= 20.12, then npm ci" >&2; exit 1; }
exec node "$(dirname "$0")/../ops/launch.js" tf "$@"
