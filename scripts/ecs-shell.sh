#!/usr/bin/env bash
# Opens a shell in a running task of one service through ECS Exec (make shell SERVICE=<key>),
# or runs one command there (COMMAND=...), for example to check the experiments mount:
#   make shell SERVICE=api COMMAND='df -h /app/experiments && ls -la /app/experiments'
# Needs ecs_exec_enabled = true (applied), the AWS CLI and the Session Manager plugin.
# Environment: ENV (default prod), TERRAFORM, TF_DIR, SERVICE, COMMAND (default /bin/sh), DRY_RUN=1 (print the command only).
set -euo pipefail

fail() { echo "shell: $*" >&2; exit 1; }
ENV=${ENV:-prod}
# Terraform in ENV's environment (platform/environment.ts), through the project's wrapper.
tf() { bash "$(dirname "$0")/terraform.sh" run "$@"; }
SERVICE=${SERVICE:-}
COMMAND=${COMMAND:-/bin/sh}

for tool in "${TERRAFORM:-terraform}" aws jq; do command -v "$tool" >/dev/null || fail "$tool is not on PATH"; done
outputs=$(tf output -json) || fail "cannot read the outputs of ENV=$ENV in ${TF_DIR:-deploy/terraform} (is the platform deployed?)"
services=$(jq -r '.ecs_service_names.value // {} | keys | join(", ")' <<<"$outputs")
[ -n "$SERVICE" ] || fail "SERVICE is empty: name one of $services (make shell SERVICE=api)"
service=$(jq -r --arg k "$SERVICE" '.ecs_service_names.value[$k] // empty' <<<"$outputs")
[ -n "$service" ] || fail "SERVICE=$SERVICE is not a service here: name one of $services"
cluster=$(jq -r '.ecs_cluster_name.value' <<<"$outputs")
export AWS_REGION=${AWS_REGION:-$(jq -r '.aws_region.value' <<<"$outputs")}

task=$(aws ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status RUNNING --query 'taskArns[0]' --output text)
[ -n "$task" ] && [ "$task" != "None" ] || fail "no running task of $service in $cluster: see make status, or the service's events in the console"
enabled=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].enableExecuteCommand' --output text)
[ "$enabled" = "True" ] || fail "ECS Exec is off for $service's task: set ecs_exec_enabled = true, apply, and let the service start a new task"

run=(aws ecs execute-command --cluster "$cluster" --task "$task" --container "$SERVICE" --interactive --command "$COMMAND")
if [ "${DRY_RUN:-}" = "1" ]; then printf '%q ' "${run[@]}"; echo; else exec "${run[@]}"; fi
