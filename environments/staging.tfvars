# Staging: a second AutoVisionAI platform beside prod, from the same root, in
# the same account. Every make target takes it:
#   make deploy-infra ENV=staging && make deploy-services ENV=staging
# Its state is env/staging/terraform.tfstate in the state bucket; every name
# unique in the account or region ends in -staging (autovisionai-staging
# cluster, ecsTaskRole-staging, autovision-mlflow-artifacts-staging, ...).
#
# deploy/terraform/terraform.tfvars is read in every environment: whatever it
# sets must be set here too, for staging (make refuses otherwise). A new
# environment starts as a copy of this file: environments/<name>.tfvars.

aws_region = "us-west-1"

# COST: elastic throughput bills per GB read and written and nothing while
# idle; prod's provisioned 100 MiB/s is about $600-720 a month.
efs_throughput_mode = "elastic"

# COST: UI and TensorBoard on Fargate Spot, about 70 % less; a reclaimed task
# restarts within minutes.
ui_spot_percent          = 100
tensorboard_spot_percent = 100
