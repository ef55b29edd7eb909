# AutoVisionAI platform: the team's commands, now with a synth step.
# Every target that changes infrastructure says what it will do first, and runs
# plain terraform in $(TF_DIR), where your terraform.tfvars is read as always.
# Override the tools for tests or other setups: make plan TERRAFORM=... TF_DIR=...

# Which platform: prod (today's, the default) or another environment with its
# variables in environments/<ENV>.tfvars and its own state (platform/environment.ts).
ENV          ?= prod
TERRAFORM    ?= terraform
TF_DIR       ?= deploy/terraform
ENV_DIR      ?= environments
CDKTF_STACK  ?= autovisionai
# Set AUTO_APPROVE=1 to destroy or cdktf-deploy without the prompt (CI, scripts).
AUTO_APPROVE ?=
# Resources holding data that a plan may destroy or replace, on purpose (e.g. ALLOW_DATA_LOSS=aws_s3_bucket.mlflow_artifacts).
ALLOW_DATA_LOSS ?=
# make push-secrets: STDIN=1 reads the key from a pipe; else WANDB_API_KEY exported, else from this dotenv file.
DOTENV       ?= .env
STDIN        ?=
# plan/deploy/destroy go through the project's checks (undeclared variables, prod's values leaking into another
# environment, held inputs, data protection): scripts/terraform.sh, the TypeScript wrapper in ops/terraform.ts.
SCRIPT_ENV   := ENV=$(ENV) TERRAFORM=$(TERRAFORM) TF_DIR=$(abspath $(TF_DIR)) ENV_DIR=$(abspath $(ENV_DIR))
TF_SCRIPT    := $(SCRIPT_ENV) ALLOW_DATA_LOSS="$(ALLOW_DATA_LOSS)" bash scripts/terraform.sh
# The day-two commands (npm run ops, docs/OPERATIONS.md) on ENV's platform: its launcher straight, as
# scripts/terraform.sh runs it (npm run adds a third of a CPU-second to every target).
OPS          := $(SCRIPT_ENV) node ops/launch.js --tf-dir $(abspath $(TF_DIR)) --env $(ENV)
# cdktf: no call to HashiCorp's checkpoint service; plain output (no spinner frames) when not on a terminal.
# CDKTF_OUT: where cdktf synthesizes and runs terraform (its own .terraform, one per environment); never deploy/terraform.
CDKTF_OUT    ?= $(if $(filter prod,$(ENV)),cdktf.out,cdktf.out-$(ENV))
CDKTF        := CHECKPOINT_DISABLE=1 ENV=$(ENV) ENV_DIR=$(abspath $(ENV_DIR)) TF_DIR=$(TF_DIR) npx cdktf

.PHONY: help install synth test plan deploy-infra deploy-services destroy destroy-all migrate-state tf shell diff deploy setup-backend push-secrets sandbox sandbox-down status backup cost ops review drift tf-check node-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

tf-check:
	@command -v $(TERRAFORM) >/dev/null 2>&1 || { echo "make: $(TERRAFORM) is not on PATH: install terraform >= 1.11 (or set TERRAFORM=...)"; exit 1; }

node-check:
	@command -v npm >/dev/null 2>&1 || { echo "make: npm is not on PATH: install Node.js >= 20"; exit 1; }
	@[ -d node_modules ] || { echo "make: node_modules is missing: run make install (npm ci) first"; exit 1; }

install: ## install the project's packages (npm ci)
	npm ci

synth: node-check ## write the Terraform root into deploy/terraform from the TypeScript
	npm run synth

test: node-check ## type-check, unit tests, real-Terraform suites against moto
	npm test

plan: tf-check node-check ## show what terraform would change for the full platform (writes tfplan; tfplan-<env> outside prod)
	@echo ">> terraform plan of the full platform ENV=$(ENV) in $(TF_DIR) (create_ecs_services=true)"
	$(TF_SCRIPT) plan -var="create_ecs_services=true"

deploy-infra: tf-check node-check ## create/update the base infrastructure only: network, storage, cluster, ALB (no services)
	@echo ">> deploying the base infrastructure ENV=$(ENV) in $(TF_DIR): create_ecs_services=false (no task definitions, services, target groups, listeners, autoscaling)"
	$(TF_SCRIPT) deploy -var="create_ecs_services=false"

deploy-services: tf-check node-check ## create/update the full platform: the four ECS services behind the ALB
	@echo ">> deploying the full platform ENV=$(ENV) in $(TF_DIR): create_ecs_services=true"
	$(TF_SCRIPT) deploy -var="create_ecs_services=true"

destroy: tf-check node-check ## terraform destroy of ENV, data included (ALLOW_DATA_LOSS defaults to all here) (a bucket with objects or a repository with images stops it: see destroy-all)
	@echo ">> DESTROYING every resource in the state of ENV=$(ENV), data included"
	$(TF_SCRIPT) destroy $(if $(AUTO_APPROVE),-auto-approve,)

destroy-all: tf-check node-check ## the whole flow for ENV: scale to 0, empty the bucket, delete secret and images, destroy, verify (typed confirmation)
	@$(SCRIPT_ENV) bash scripts/destroy-infrastructure.sh

migrate-state: tf-check node-check ## move ENV's state to the backend configured in the root (terraform init -migrate-state)
	@echo ">> migrating the state of ENV=$(ENV) to the backend in its configuration"
	$(TF_SCRIPT) init -migrate-state

tf: tf-check node-check ## any terraform command on ENV's state, e.g. make tf ENV=staging ARGS="state list"
	@$(TF_SCRIPT) run $(ARGS)

setup-backend: node-check ## create the S3 state bucket if missing and set it up (versioned, encrypted, private, TLS only); a re-run changes nothing
	@$(OPS) setup-backend

push-secrets: node-check ## put the WANDB API key (STDIN=1: piped in; else WANDB_API_KEY exported or in DOTENV) into ENV's secret; never printed, never in the state
	@$(OPS) push-secrets $(if $(STDIN),--stdin,--dotenv $(DOTENV))

status: node-check ## one screen of ENV: file system, services, URLs, alarms (exit 0 healthy, 1 degraded, 2 not deployed)
	@$(OPS) status

# After make deploy-services: ECS may have rolled a failing deploy back while the apply ended green.
.PHONY: deploy-check
deploy-check: node-check ## after make deploy-services: wait for ENV's deployments, fail naming any service not on the revision the apply registered (TIMEOUT=s)
	@$(OPS) status --wait $(if $(TIMEOUT),--timeout $(TIMEOUT),)

backup: node-check ## an on-demand AWS Backup of ENV's experiments file system, with progress
	@$(OPS) backup

cost: node-check ## ENV's monthly cost, line by line, from the variables Terraform uses
	@$(OPS) cost

review: tf-check node-check ## review ENV's plan: changes by unit, guards, cost before → after; the review's exit code: 0 safe, 4 needs a reviewer's eye, 5 refused (docs/REVIEW.md)
	@$(TF_SCRIPT) init >&2
	@ALLOW_DATA_LOSS="$(ALLOW_DATA_LOSS)" $(OPS) review $(ARGS)

drift: tf-check node-check ## plan ENV and name what differs from the code (changed outside Terraform); the review's exit code 2: drift
	@$(TF_SCRIPT) init >&2
	@$(OPS) review --drift $(ARGS)

ops: node-check ## any day-two command on ENV, e.g. make ops ARGS="restore <recovery point>" (npm run ops -- --help)
	@$(OPS) $(ARGS)

sandbox: node-check ## the platform on a local AWS emulator (moto) in .sandbox/, no AWS account needed
	@bash scripts/sandbox.sh up

sandbox-down: ## stop the sandbox's emulator and remove .sandbox/
	@bash scripts/sandbox.sh down

shell: ## open a shell in a running task of SERVICE through ECS Exec (COMMAND=... runs one command; needs ecs_exec_enabled)
	@$(SCRIPT_ENV) SERVICE="$(SERVICE)" COMMAND="$(COMMAND)" bash scripts/ecs-shell.sh

diff: node-check ## cdktf diff of the same stack and ENV's state, with ENV's variables
	@if [ -t 1 ]; then $(CDKTF) diff $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock; \
	else CI=1 $(CDKTF) diff $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock; fi

deploy: node-check ## cdktf deploy of the same stack and ENV's state, with ENV's variables
	@echo ">> cdktf deploy of stack $(CDKTF_STACK), ENV=$(ENV) (the same S3 state and variables as make deploy-services)"
	@if [ -t 1 ]; then $(CDKTF) deploy $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock $(if $(AUTO_APPROVE),--auto-approve,); \
	else CI=1 $(CDKTF) deploy $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock $(if $(AUTO_APPROVE),--auto-approve,); fi
