#!/usr/bin/env bash
# Destroys the whole AutoVisionAI platform, data included, after a typed confirmation:
#   1. scale every ECS service to 0        4. delete every image in the ECR repository
#   2. empty the MLflow artifacts bucket   5. terraform destroy
#      (all versions and delete markers)   6. verify nothing is left
#   3. force-delete the WANDB secret (no recovery window)
# Every name comes from the root's outputs, not from literals.
# Environment: ENV (default prod; platform/environment.ts), TERRAFORM (default
# terraform), TF_DIR (default deploy/terraform), ENV_DIR, AWS credentials/region
# as for the aws CLI. Confirm by typing the cluster name. Terraform runs through
# scripts/terraform.sh: ENV's state, variables and checks.
set -euo pipefail

fail() { echo "destroy: $*" >&2; exit 1; }
ENV=${ENV:-prod}
TF_SCRIPT="$(dirname "$0")/terraform.sh"
tf() { bash "$TF_SCRIPT" run "$@"; }
for tool in "${TERRAFORM:-terraform}" aws jq; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done

bash "$TF_SCRIPT" init >/dev/null || fail "terraform init of ENV=$ENV failed (above); nothing was changed"
outputs=$(tf output -json) || fail "cannot read the outputs of ENV=$ENV in ${TF_DIR:-deploy/terraform} (is the state there?)"
out() { jq -er --arg k "$1" '.[$k].value' <<<"$outputs" || fail "output $1 is missing: synthesize and apply the current root first"; }

region=$(out aws_region)
cluster=$(out ecs_cluster_name)
bucket=$(out s3_bucket_name)
repository=$(out ecr_repository_name)
secret=$(out wandb_secret_name)
mapfile -t services < <(jq -r '.ecs_service_names.value | to_entries[] | .value' <<<"$outputs")
export AWS_REGION=$region AWS_DEFAULT_REGION=$region

cat <<EOF
This destroys the AutoVisionAI platform ENV=$ENV in $region, and its data, for good:
  ECS cluster        $cluster (services: ${services[*]})
  S3 bucket          $bucket (every object version: MLflow artifacts)
  ECR repository     $repository (every image)
  secret             $secret (deleted without recovery)
  EFS file system    $(out efs_file_system_id) (all experiments)
  and everything else in the state of ENV=$ENV.
EOF
read -r -p "Type the cluster name ($cluster) to confirm: " answer || true
[ "$answer" = "$cluster" ] || fail "not confirmed; nothing was changed"

echo ">> 1/6 scaling the services to 0"
for service in "${services[@]}"; do
  if aws ecs describe-services --cluster "$cluster" --services "$service" \
      --query 'services[?status==`ACTIVE`].serviceName' --output text 2>/dev/null | grep -q .; then
    aws ecs update-service --cluster "$cluster" --service "$service" --desired-count 0 >/dev/null
    echo "   $service -> 0"
  fi
done

echo ">> 2/6 emptying s3://$bucket"
if aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then
  while :; do
    batch=$(aws s3api list-object-versions --bucket "$bucket" --max-items 1000 --output json \
      | jq -c '{Objects: ([.Versions[]?, .DeleteMarkers[]?] | map({Key, VersionId})), Quiet: true}')
    [ "$(jq '.Objects | length' <<<"$batch")" -gt 0 ] || break
    aws s3api delete-objects --bucket "$bucket" --delete "$batch" >/dev/null
  done
fi

echo ">> 3/6 force-deleting the secret $secret"
aws secretsmanager delete-secret --secret-id "$secret" --force-delete-without-recovery >/dev/null 2>&1 || true

echo ">> 4/6 deleting the images in $repository"
images=$(aws ecr list-images --repository-name "$repository" --query 'imageIds' --output json 2>/dev/null || echo '[]')
if [ "$(jq 'length' <<<"$images")" -gt 0 ]; then
  aws ecr batch-delete-image --repository-name "$repository" --image-ids "$images" >/dev/null
fi

echo ">> 5/6 terraform destroy (data protection lifted for this run: it is what was confirmed above)"
ALLOW_DATA_LOSS=all bash "$TF_SCRIPT" destroy -auto-approve

echo ">> 6/6 verifying"
left=$(tf state list 2>/dev/null | grep -v '^data\.' || true)
[ -z "$left" ] || fail "still in the state: $left"
if aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then fail "bucket $bucket still exists"; fi
active=$(aws ecs describe-clusters --clusters "$cluster" --query 'clusters[?status==`ACTIVE`].clusterName' --output text 2>/dev/null || true)
[ -z "$active" ] || fail "cluster $cluster is still active"
echo "destroyed: nothing of the platform is left"
