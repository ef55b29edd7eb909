# Sourced by the project's scripts: which environment a command acts on, and
# how terraform reaches it. One root (deploy/terraform), one state per
# environment, in the same state bucket:
#
#   ENV=prod (default)  today's platform, byte for byte: state key
#                       terraform.tfstate, data dir deploy/terraform/.terraform,
#                       deploy/terraform/terraform.tfvars (and
#                       environments/prod.tfvars when it exists).
#   ENV=<name>          state key env/<name>/terraform.tfstate, data dir
#                       deploy/terraform/.terraform-<name>, variables from
#                       environments/<name>.tfvars and environment=<name>.
#
# Terraform reads deploy/terraform/terraform.tfvars in every environment; a
# variable set there and not in environments/<name>.tfvars would reach the
# other environment unseen, so that is refused (check_environment_files).
#
# Sets: ENV, TERRAFORM, TF_DIR, ENV_DIR, ENV_FILE (may be empty), PLAN_FILE,
# BACKEND_ARGS (for init), VAR_ARGS (for plan/apply/destroy/import/console),
# and exports TF_DATA_DIR outside prod. STATE_BUCKET / STATE_REGION, when
# set, name another state bucket (make setup-backend creates it).
# Defines tf (terraform in TF_DIR).
# The caller defines fail().

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV=${ENV:-prod}
TERRAFORM=${TERRAFORM:-terraform}
TF_DIR=${TF_DIR:-$PROJECT_DIR/deploy/terraform}
ENV_DIR=${ENV_DIR:-$PROJECT_DIR/environments}
ENV_FILE=""
BACKEND_ARGS=()
VAR_ARGS=()

known_environments() {
  local names
  names=$(cd "$ENV_DIR" 2>/dev/null && ls -1 -- *.tfvars 2>/dev/null | sed 's/\.tfvars$//' | grep -vx prod | tr '\n' ' ')
  echo "prod ${names}" | sed 's/ *$//'
}

if [ "$ENV" = "prod" ]; then
  PLAN_FILE=tfplan
  if [ -f "$ENV_DIR/prod.tfvars" ]; then ENV_FILE="$ENV_DIR/prod.tfvars"; fi
else
  ENV_FILE="$ENV_DIR/$ENV.tfvars"
  [ -f "$ENV_FILE" ] || fail "ENV=$ENV: $ENV_FILE does not exist. Environments here: $(known_environments). A new one starts as a copy of environments/staging.tfvars."
  PLAN_FILE="tfplan-$ENV"
  export TF_DATA_DIR="$TF_DIR/.terraform-$ENV"
  BACKEND_ARGS=("-backend-config=key=env/$ENV/terraform.tfstate")
  VAR_ARGS=("-var" "environment=$ENV")
fi
if [ -n "$ENV_FILE" ]; then VAR_ARGS=("-var-file=$ENV_FILE" "${VAR_ARGS[@]}"); fi
# Another state bucket than the root's (a new team or account): make setup-backend creates it.
if [ -n "${STATE_BUCKET:-}" ]; then BACKEND_ARGS+=("-backend-config=bucket=$STATE_BUCKET"); fi
if [ -n "${STATE_REGION:-}" ]; then BACKEND_ARGS+=("-backend-config=region=$STATE_REGION"); fi

tf() { "$TERRAFORM" -chdir="$TF_DIR" "$@"; }

# Top-level variable names a tfvars file sets (HCL as terraform fmt writes it, or JSON).
tfvars_names() {
  case "$1" in
    *.json) jq -r 'keys[]' "$1" ;;
    *) grep -oE '^[A-Za-z_][A-Za-z0-9_-]*[[:space:]]*=' "$1" | sed -E 's/[[:space:]]*=$//' ;;
  esac
}

# Outside prod: refuse when a file Terraform loads by itself sets a variable the environment's file does not.
check_environment_files() {
  [ "$ENV" != "prod" ] || return 0
  local file own leaked=()
  own=$(tfvars_names "$ENV_FILE" | sort -u)
  for file in "$TF_DIR"/terraform.tfvars "$TF_DIR"/terraform.tfvars.json "$TF_DIR"/*.auto.tfvars "$TF_DIR"/*.auto.tfvars.json; do
    [ -f "$file" ] || continue
    while read -r name; do
      [ -n "$name" ] && ! grep -qx "$name" <<<"$own" && leaked+=("$name ($(basename "$file"))")
    done < <(tfvars_names "$file" | sort -u)
  done
  if [ "${#leaked[@]}" -gt 0 ]; then
    fail "ENV=$ENV: Terraform reads $TF_DIR's own variable files in every environment, and they set ${leaked[*]}, which $ENV_FILE does not: $ENV would take prod's values. Set each in $ENV_FILE (its value for $ENV), or move prod's settings to environments/prod.tfvars. Nothing was changed."
  fi
}
