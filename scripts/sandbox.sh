#!/usr/bin/env bash
# The platform on your machine, with no AWS account: moto (a local AWS
# emulator) on 127.0.0.1, the state bucket set up in it (make setup-backend),
# then the same two deploys as for real (make deploy-infra, make
# deploy-services) and the status screen (npm run ops -- status).
#
#   scripts/sandbox.sh up      start it (make sandbox)
#   scripts/sandbox.sh down    stop the emulator and remove .sandbox/ (make sandbox-down)
#   scripts/sandbox.sh env     print the exports that point make and npm run ops at it
#
# Everything lives in .sandbox/: the emulator's PID, port and log, and its
# root, .sandbox/root (its own .terraform and plan). That root is made again
# from deploy/terraform before every make target and npm run ops command
# (SANDBOX_SOURCE in the exports): the current synthesized *.tf.json and the
# same variable files as prod (terraform.tfvars, *.auto.tfvars …), and each
# command says which variable files it read. Your deploy/terraform
# (terraform.tfvars, .terraform/, tfplan) is only read, never written,
# and no real AWS credential is used: the sandbox sets test credentials and
# unsets AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SESSION_TOKEN for its own
# commands (and for the emulator, which would otherwise fail on a profile it
# cannot read).
#
# The emulator stands in for AWS with the patches in emulator/moto_launcher.py
# (each lists the AWS behaviour it adds). Services "run" in it as records:
# no container starts, so the status screen shows no running task.
set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANDBOX_DIR=${SANDBOX_DIR:-$PROJECT_DIR/.sandbox}
PYTHON=${PYTHON:-python3}
TERRAFORM=${TERRAFORM:-terraform}
MIRROR=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
REGION=${SANDBOX_REGION:-us-west-1}
# The root the sandbox plans: the synthesized one, with your variable files.
SOURCE_DIR=${SANDBOX_SOURCE:-$PROJECT_DIR/deploy/terraform}

fail() { echo "sandbox: $*" >&2; exit 1; }

need_tools() {
  command -v "$TERRAFORM" >/dev/null 2>&1 || fail "$TERRAFORM is not on PATH: install terraform >= 1.11"
  command -v npm >/dev/null 2>&1 || fail "npm is not on PATH: install Node.js >= 20.12"
  [ -d "$PROJECT_DIR/node_modules" ] || fail "node_modules is missing: run make install (npm ci) first"
  "$PYTHON" -c "import moto, boto3" 2>/dev/null ||
    fail "moto is not importable by $PYTHON: $PYTHON -m pip install 'moto[server]==5.2.*' (or set PYTHON=...)"
}

# The running emulator's PID, only when that PID is still our moto_launcher (a reused PID is never killed).
running_pid() {
  local pid
  [ -f "$SANDBOX_DIR/moto.pid" ] || return 1
  pid=$(cat "$SANDBOX_DIR/moto.pid")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "emulator/moto_launcher.py" || return 1
  echo "$pid"
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_env() {
  local port=$1 cli_config=""
  # Providers from the offline mirror when there is one and no CLI config of the user's (an existing file) says otherwise.
  if { [ -z "${TF_CLI_CONFIG_FILE:-}" ] || [ ! -f "$TF_CLI_CONFIG_FILE" ]; } && [ -d "$MIRROR" ]; then
    cli_config="$SANDBOX_DIR/terraform.rc"
    cat >"$cli_config" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
EOF
  fi
  {
    echo "# The sandbox (scripts/sandbox.sh): source this file, then make … and npm run ops -- … act on the emulator."
    echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$port"
    echo "export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION"
    echo "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN"
    echo "export TF_DIR=$SANDBOX_DIR/root SANDBOX_SOURCE=$SOURCE_DIR CHECKPOINT_DISABLE=1"
    [ -z "$cli_config" ] || echo "export TF_CLI_CONFIG_FILE=$cli_config"
  } >"$SANDBOX_DIR/env"
}

up() {
  need_tools
  if pid=$(running_pid); then
    fail "already up (emulator PID $pid on port $(cat "$SANDBOX_DIR/port")): scripts/sandbox.sh down first, or source $SANDBOX_DIR/env to use it"
  fi
  rm -rf "$SANDBOX_DIR"
  mkdir -p "$SANDBOX_DIR/root"

  # No real AWS identity anywhere in the sandbox: moto itself (botocore) fails on an AWS_PROFILE it cannot find.
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"
  local port
  port=$(free_port)
  nohup "$PYTHON" "$PROJECT_DIR/emulator/moto_launcher.py" "$port" >"$SANDBOX_DIR/moto.log" 2>&1 &
  echo $! >"$SANDBOX_DIR/moto.pid"
  echo "$port" >"$SANDBOX_DIR/port"
  for _ in $(seq 1 150); do
    "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null && break
    # (Liveness by PID here: until nohup has exec'd python, the command line is not yet the launcher's.)
    kill -0 "$(cat "$SANDBOX_DIR/moto.pid")" 2>/dev/null || fail "the emulator exited before it listened: see $SANDBOX_DIR/moto.log"
    sleep 0.2
  done
  running_pid >/dev/null || fail "the emulator did not start: see $SANDBOX_DIR/moto.log"
  write_env "$port"
  echo ">> sandbox: emulator on 127.0.0.1:$port (PID $(cat "$SANDBOX_DIR/moto.pid")), root $SANDBOX_DIR/root (made from $SOURCE_DIR before every command)"

  trap 'echo "sandbox: a step failed (above); the emulator is still up for a look (source $SANDBOX_DIR/env). make sandbox-down removes it." >&2' ERR
  # shellcheck source=/dev/null
  source "$SANDBOX_DIR/env"
  cd "$PROJECT_DIR"
  make --no-print-directory setup-backend
  make --no-print-directory deploy-infra TF_DIR="$TF_DIR" ENV=prod
  make --no-print-directory deploy-services TF_DIR="$TF_DIR" ENV=prod
  # The emulator starts no containers: "degraded" is what it can show, not a failure of the sandbox.
  node ops/launch.js status --tf-dir "$TF_DIR" || true
  echo
  echo ">> sandbox is up. To use it from this shell:  source $SANDBOX_DIR/env   (then make plan, npm run ops -- status, …)"
  echo ">> stop it:  make sandbox-down"
}

down() {
  local pid
  if pid=$(running_pid); then
    kill "$pid"
    # (An exited emulator whose parent is gone may linger as a zombie: its command line is then empty.)
    for _ in $(seq 1 50); do running_pid >/dev/null || break; sleep 0.1; done
    if running_pid >/dev/null; then kill -9 "$pid"; fi
    echo ">> sandbox: emulator (PID $pid) stopped"
  elif [ -f "$SANDBOX_DIR/moto.pid" ]; then
    echo ">> sandbox: the emulator had already stopped"
  else
    echo ">> sandbox: not up"
  fi
  rm -rf "$SANDBOX_DIR"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env)
    running_pid >/dev/null || fail "not up: make sandbox"
    cat "$SANDBOX_DIR/env"
    ;;
  *) fail "usage: scripts/sandbox.sh up|down|env" ;;
esac
