# AutoVisionAI platform: the team's commands, now with a synth step.
# Every target that changes infrastructure says what it will do first, and runs
# plain terraform in $(TF_DIR), where your terraform.tfvars is read as always.
# Override the tools for tests or other setups: make plan TERRAFORM=... TF_DIR=...

TERRAFORM    ?= terraform
TF_DIR       ?= deploy/terraform
TF           := $(TERRAFORM) -chdir=$(TF_DIR)
CDKTF_STACK  ?= autovisionai
# Set AUTO_APPROVE=1 to destroy without the prompt (CI, scripts).
AUTO_APPROVE ?=

.PHONY: help install synth test plan deploy-infra deploy-services destroy migrate-state diff deploy

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: ## install the project's packages (npm ci)
	npm ci

synth: ## write the Terraform root into deploy/terraform from the TypeScript
	npm run synth

test: ## type-check, unit tests, real-Terraform suites against moto
	npm test

plan: ## show what terraform would change for the full platform (writes tfplan)
	@echo ">> terraform plan of the full platform in $(TF_DIR) (create_ecs_services=true)"
	$(TF) init -input=false
	$(TF) plan -input=false -var="create_ecs_services=true" -out=tfplan

deploy-infra: ## create/update the base infrastructure only: network, storage, cluster, ALB (no services)
	@echo ">> deploying the base infrastructure in $(TF_DIR): create_ecs_services=false (no task definitions, services, target groups, listeners, autoscaling)"
	$(TF) init -input=false
	$(TF) plan -input=false -var="create_ecs_services=false" -out=tfplan
	$(TF) apply -input=false tfplan

deploy-services: ## create/update the full platform: the four ECS services behind the ALB
	@echo ">> deploying the full platform in $(TF_DIR): create_ecs_services=true"
	$(TF) init -input=false
	$(TF) plan -input=false -var="create_ecs_services=true" -out=tfplan
	$(TF) apply -input=false tfplan

destroy: ## destroy everything in the state (data included: see scripts/destroy-infrastructure.sh for the full flow)
	@echo ">> DESTROYING every resource in the state of $(TF_DIR), data included"
	$(TF) init -input=false
	$(TF) destroy -input=false $(if $(AUTO_APPROVE),-auto-approve,)

migrate-state: ## move the state to the backend configured in the root (terraform init -migrate-state)
	@echo ">> migrating the state of $(TF_DIR) to the backend in its configuration"
	$(TF) init -migrate-state

diff: ## cdktf diff of the same stack and state
	CHECKPOINT_DISABLE=1 npx cdktf diff $(CDKTF_STACK) --skip-provider-lock

deploy: ## cdktf deploy of the same stack and state
	@echo ">> cdktf deploy of stack $(CDKTF_STACK) (same S3 state as deploy/terraform)"
	CHECKPOINT_DISABLE=1 npx cdktf deploy $(CDKTF_STACK) --skip-provider-lock
