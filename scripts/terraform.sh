#!/usr/bin/env bash
# The team's terraform runs with this project's safety checks, in one
# environment (scripts/environment.sh); the Makefile, the workflows and the
# destroy script all go through here.
#
#   scripts/terraform.sh init    [init args]   terraform init for ENV's state
#   scripts/terraform.sh plan    [plan args]   init, then plan into tfplan (tfplan-<env> outside prod)
#   scripts/terraform.sh deploy  [plan args]   init, plan, apply that plan
#   scripts/terraform.sh destroy [-auto-approve]
#                                              destroy everything, data included
#   scripts/terraform.sh run <terraform command> [args]
#                                              any terraform command on ENV's state
#                                              (output, state list, import …), with
#                                              ENV's variables where the command takes them
#
# Checks, before anything changes:
# - outside prod, a variable that deploy/terraform's own variable files set and
#   environments/<env>.tfvars does not (prod's value would leak) is refused;
# - a variable set in terraform.tfvars or *.auto.tfvars that the root does not
#   declare (a misspelling) fails the plan; Terraform itself only warns;
# - a plan that would destroy or replace a resource holding data (the
#   experiments file system, the artifacts bucket, the image repository, the
#   WANDB secret) fails, naming it (lifecycle.prevent_destroy). The deliberate
#   way past: ALLOW_DATA_LOSS="<address> ..." lifts the protection of the
#   resources named, for this run only, through an override file that is
#   removed when the run ends; `destroy` lifts it for all of them.
#
# Environment: ENV (default prod), TERRAFORM (default terraform), TF_DIR
# (default deploy/terraform), ENV_DIR (default environments), ALLOW_DATA_LOSS
# (addresses, space-separated).
set -euo pipefail

fail() { echo "terraform.sh: $*" >&2; exit 1; }
# shellcheck source=environment.sh
source "$(dirname "$0")/environment.sh"
OVERRIDE="$TF_DIR/zz_allow_data_loss_override.tf.json"
command -v "$TERRAFORM" >/dev/null || fail "$TERRAFORM is not on PATH: install terraform >= 1.11"
# The resources that hold data, as "type.name", read from the synthesized root.
protected() {
  command -v jq >/dev/null || fail "jq is not on PATH: it reads the protected resources from $TF_DIR"
  jq -rs '[.[] | .resource // {} | to_entries[] | .key as $type | .value | to_entries[]
           | select(.value.lifecycle.prevent_destroy == true) | "\($type).\(.key)"] | unique | .[]' "$TF_DIR"/*.tf.json
}

# Writes the override that lifts prevent_destroy for the given addresses ("all": every protected one).
allow_data_loss() {
  local wanted=("$@") known
  known=$(protected)
  if [ "${wanted[*]}" = "all" ]; then mapfile -t wanted <<<"$known"; fi
  for address in "${wanted[@]}"; do
    grep -qx "$address" <<<"$known" || fail "ALLOW_DATA_LOSS names $address, which holds no data here; the resources that do: $(echo $known)"
  done
  printf '%s\n' "${wanted[@]}" | jq -R 'split(".") | {(.[0]): {(.[1]): {lifecycle: {prevent_destroy: false}}}}' \
    | jq -s '{"//": "Written by scripts/terraform.sh for one run (ALLOW_DATA_LOSS); removed when it ends.", resource: (reduce .[] as $r ({}; . * $r))}' >"$OVERRIDE"
  echo ">> data protection lifted for this run: ${wanted[*]}"
}
trap 'rm -f "$OVERRIDE"' EXIT

# Runs a plan into tfplan and applies the checks to what Terraform printed.
plan() {
  local log status
  log=$(mktemp)
  set +e
  tf plan -input=false -out="$PLAN_FILE" "${VAR_ARGS[@]}" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  if grep -q "undeclared variable" "$log"; then
    rm -f "$TF_DIR/$PLAN_FILE" "$log"
    fail "a variable file sets a variable this root does not declare (see the warning above): fix its name in terraform.tfvars or *.auto.tfvars; nothing was changed"
  fi
  if grep -q "Instance cannot be destroyed" "$log"; then
    local addresses
    addresses=$(grep -o 'Resource [a-z0-9_.]* has lifecycle.prevent_destroy' "$log" | awk '{print $2}' | sort -u | tr '\n' ' ')
    rm -f "$log"
    fail "refused: this plan would destroy or replace ${addresses}which hold data (docs/SAFE-CHANGES.md says which inputs do this). Nothing was changed. If that is what you mean, run again with ALLOW_DATA_LOSS=\"${addresses% }\"."
  fi
  rm -f "$log"
  return "$status"
}

# Applies ENV's variables to a terraform command that takes them (not to apply of a saved plan).
with_variables() {
  local command=$1
  shift
  case "$command" in
    init) tf init "${BACKEND_ARGS[@]}" "$@" ;;
    plan | destroy | import | console | refresh) tf "$command" "${VAR_ARGS[@]}" "$@" ;;
    apply)
      local arg
      for arg in "$@"; do [[ $arg == -* ]] || { tf apply "$@"; return; }; done
      tf apply "${VAR_ARGS[@]}" "$@"
      ;;
    *) tf "$command" "$@" ;;
  esac
}

init() { tf init -input=false "${BACKEND_ARGS[@]}" "$@"; }

command=${1:-}
shift || true
check_environment_files
[ "$ENV" = "prod" ] || echo ">> ENV=$ENV: state env/$ENV/terraform.tfstate, variables from $ENV_FILE"
[ -z "${ALLOW_DATA_LOSS:-}" ] || { read -r -a addresses <<<"$ALLOW_DATA_LOSS"; allow_data_loss "${addresses[@]}"; }
case "$command" in
  init)
    init "$@"
    ;;
  plan)
    init
    plan "$@"
    ;;
  deploy)
    init
    plan "$@"
    tf apply -input=false "$PLAN_FILE"
    ;;
  destroy)
    init
    [ -n "${ALLOW_DATA_LOSS:-}" ] || allow_data_loss all
    tf destroy -input=false "${VAR_ARGS[@]}" "$@"
    ;;
  run)
    [ $# -gt 0 ] || fail "usage: scripts/terraform.sh run <terraform command> [args], e.g. run output"
    with_variables "$@"
    ;;
  *)
    fail "usage: scripts/terraform.sh init|plan|deploy|destroy|run [terraform arguments]"
    ;;
esac
