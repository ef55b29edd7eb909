# AutoVisionAI platform: the team's commands, now with a synth step.
# Every target that changes infrastructure says what it will do first, and runs
# plain terraform in $(TF_DIR), where your terraform.tfvars is read as always.
# Override the tools for tests or other setups: make plan TERRAFORM=... TF_DIR=...

TERRAFORM    ?= terraform
TF_DIR       ?= deploy/terraform
TF           := $(TERRAFORM) -chdir=$(TF_DIR)
CDKTF_STACK  ?= autovisionai
# Set AUTO_APPROVE=1 to destroy or cdktf-deploy without the prompt (CI, scripts).
AUTO_APPROVE ?=
# Resources holding data that a plan may destroy or replace, on purpose (e.g. ALLOW_DATA_LOSS=aws_s3_bucket.mlflow_artifacts).
ALLOW_DATA_LOSS ?=
# plan/deploy/destroy go through the project's checks (undeclared variables, data protection): scripts/terraform.sh.
TF_SCRIPT    := TERRAFORM=$(TERRAFORM) TF_DIR=$(TF_DIR) ALLOW_DATA_LOSS="$(ALLOW_DATA_LOSS)" bash scripts/terraform.sh
# cdktf: no call to HashiCorp's checkpoint service; plain output (no spinner frames) when not on a terminal.
# CDKTF_OUT: where cdktf synthesizes and runs terraform (its own .terraform); never deploy/terraform.
CDKTF_OUT    ?= cdktf.out
CDKTF        := CHECKPOINT_DISABLE=1 TF_DIR=$(TF_DIR) npx cdktf

.PHONY: help install synth test plan deploy-infra deploy-services destroy migrate-state shell diff deploy tf-check node-check

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

plan: tf-check ## show what terraform would change for the full platform (writes tfplan)
	@echo ">> terraform plan of the full platform in $(TF_DIR) (create_ecs_services=true)"
	$(TF_SCRIPT) plan -var="create_ecs_services=true"

deploy-infra: tf-check ## create/update the base infrastructure only: network, storage, cluster, ALB (no services)
	@echo ">> deploying the base infrastructure in $(TF_DIR): create_ecs_services=false (no task definitions, services, target groups, listeners, autoscaling)"
	$(TF_SCRIPT) deploy -var="create_ecs_services=false"

deploy-services: tf-check ## create/update the full platform: the four ECS services behind the ALB
	@echo ">> deploying the full platform in $(TF_DIR): create_ecs_services=true"
	$(TF_SCRIPT) deploy -var="create_ecs_services=true"

destroy: tf-check ## destroy everything in the state, data included (see scripts/destroy-infrastructure.sh for the full flow)
	@echo ">> DESTROYING every resource in the state of $(TF_DIR), data included"
	$(TF_SCRIPT) destroy $(if $(AUTO_APPROVE),-auto-approve,)

migrate-state: tf-check ## move the state to the backend configured in the root (terraform init -migrate-state)
	@echo ">> migrating the state of $(TF_DIR) to the backend in its configuration"
	$(TF) init -migrate-state

shell: ## open a shell in a running task of SERVICE through ECS Exec (COMMAND=... runs one command; needs ecs_exec_enabled)
	@TERRAFORM=$(TERRAFORM) TF_DIR=$(TF_DIR) SERVICE="$(SERVICE)" COMMAND="$(COMMAND)" bash scripts/ecs-shell.sh

diff: node-check ## cdktf diff of the same stack and state, with deploy/terraform's terraform.tfvars
	@if [ -t 1 ]; then $(CDKTF) diff $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock; \
	else CI=1 $(CDKTF) diff $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock; fi

deploy: node-check ## cdktf deploy of the same stack and state, with deploy/terraform's terraform.tfvars
	@echo ">> cdktf deploy of stack $(CDKTF_STACK) (same S3 state and terraform.tfvars as $(TF_DIR))"
	@if [ -t 1 ]; then $(CDKTF) deploy $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock $(if $(AUTO_APPROVE),--auto-approve,); \
	else CI=1 $(CDKTF) deploy $(CDKTF_STACK) --output $(CDKTF_OUT) --skip-provider-lock $(if $(AUTO_APPROVE),--auto-approve,); fi
