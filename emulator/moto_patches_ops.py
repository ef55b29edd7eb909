"""AWS Backup jobs and tags, and one RunTask fix, for the day-two commands (`npm run ops`).

moto 5.2 has AWS Backup vaults and plans but no jobs: it lacks each API below.
Each is added as the AWS Backup API Reference documents it, for EFS only,
and nothing more:

- StartBackupJob (PUT /backup-jobs): returns BackupJobId and the
  RecoveryPointArn it will create; the job is CREATED, then RUNNING, then
  COMPLETED, one step per DescribeBackupJob (AWS: "State": CREATED | PENDING |
  RUNNING | ... | COMPLETED). The recovery point is listed once the job is
  COMPLETED, with BackupSizeInBytes = the file system's SizeInBytes.Value.
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartBackupJob.html
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeBackupJob.html
- ListRecoveryPointsByBackupVault (GET /backup-vaults/{name}/recovery-points/) and
  ListRecoveryPointsByResource (GET /resources/{arn}/recovery-points/).
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByResource.html
- GetRecoveryPointRestoreMetadata (GET .../recovery-points/{arn}/restore-metadata):
  for EFS, file-system-id, Encrypted, PerformanceMode, CreationToken, newFileSystem.
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_GetRecoveryPointRestoreMetadata.html
  https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-efs.html
- StartRestoreJob (PUT /restore-jobs) and DescribeRestoreJob
  (GET /restore-jobs/{id}): CREATED, RUNNING, COMPLETED as above;
  CreatedResourceArn is the file system restored into. With
  newFileSystem=false, AWS restores into a new directory at the root of the
  source file system, aws-backup-restore_<timestamp>; moto has no file data,
  so nothing is written and the directory name cannot be observed here.
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartRestoreJob.html
  https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRestoreJob.html

Backup ListTags: moto lists no tags when the path has no trailing slash, as
the Go and JavaScript SDKs send it (every plan showed the vault's tags as
new).
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListTags.html

ECS RunTask: moto fails (500) on a Fargate task definition whose container
gives no memory of its own (the transfer task's); AWS makes container memory
optional on Fargate. See the patch at the end of this file.

Errors follow the API reference: an unknown vault, job or recovery point is
ResourceNotFoundException (400), a file system that does not exist is
InvalidParameterValueException.
"""
import datetime
import json
import uuid

from moto.backup import responses as backup_responses
from moto.backup import urls as backup_urls
from moto.backup.models import backup_backends
from moto.core.exceptions import JsonRESTError
from moto.efs.models import efs_backends

_JOBS: dict[str, dict] = {}
_RESTORES: dict[str, dict] = {}
# vault arn -> recovery point arn -> recovery point
_POINTS: dict[str, dict[str, dict]] = {}
_STEPS = ["CREATED", "RUNNING", "COMPLETED"]


class _NotFound(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("ResourceNotFoundException", message)


class _BadValue(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("InvalidParameterValueException", message)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


def _file_system(account, region, arn):
    fs_id = arn.rsplit("/", 1)[-1]
    backend = efs_backends[account][region]
    if fs_id not in backend.file_systems_by_id:
        raise _BadValue(f"Resource {arn} does not exist")
    return backend.file_systems_by_id[fs_id]


def _vault(self, name):
    vaults = backup_backends[self.current_account][self.region].vaults
    if name not in vaults:
        raise _NotFound(f"Backup vault {name} does not exist")
    return vaults[name]


def _advance(job):
    """One step per describe, as a job moves on while it is being watched."""
    step = _STEPS.index(job["State"])
    if step < len(_STEPS) - 1:
        job["State"] = _STEPS[step + 1]
        if job["State"] == "COMPLETED":
            job["CompletionDate"] = _now()
            job["PercentDone"] = "100.0"
            job.get("_on_complete", lambda: None)()
        else:
            job["PercentDone"] = "50.0"


def _public(job):
    return {k: v for k, v in job.items() if not k.startswith("_")}


def _start_backup_job(self):
    params = json.loads(self.body or "{}")
    vault = _vault(self, params["BackupVaultName"])
    resource_arn = params["ResourceArn"]
    file_system = _file_system(self.current_account, self.region, resource_arn)
    job_id = str(uuid.uuid4()).upper()
    point_arn = f"arn:aws:backup:{self.region}:{self.current_account}:recovery-point:{uuid.uuid4()}"
    size = int(file_system.size_in_bytes["Value"])
    created = _now()

    def complete():
        _POINTS.setdefault(vault.backup_vault_arn, {})[point_arn] = {
            "RecoveryPointArn": point_arn,
            "BackupVaultName": vault.backup_vault_name,
            "BackupVaultArn": vault.backup_vault_arn,
            "ResourceArn": resource_arn,
            "ResourceType": "EFS",
            "IamRoleArn": params["IamRoleArn"],
            "Status": "COMPLETED",
            "CreationDate": created,
            "CompletionDate": _now(),
            "BackupSizeInBytes": size,
            "_file_system_id": file_system.file_system_id,
            "_creation_token": file_system.creation_token,
        }
        vault.num_of_recovery_points += 1

    _JOBS[job_id] = {
        "BackupJobId": job_id,
        "BackupVaultName": vault.backup_vault_name,
        "BackupVaultArn": vault.backup_vault_arn,
        "RecoveryPointArn": point_arn,
        "ResourceArn": resource_arn,
        "ResourceType": "EFS",
        "IamRoleArn": params["IamRoleArn"],
        "CreationDate": created,
        "State": "CREATED",
        "PercentDone": "0.0",
        "BackupSizeInBytes": size,
        "_on_complete": complete,
    }
    return json.dumps({"BackupJobId": job_id, "RecoveryPointArn": point_arn, "CreationDate": created, "IsParent": False})


def _describe_backup_job(self):
    job_id = self.path.rstrip("/").rsplit("/", 1)[-1]
    if job_id not in _JOBS:
        raise _NotFound(f"Backup job {job_id} does not exist")
    job = _JOBS[job_id]
    shown = _public(job)
    _advance(job)
    return json.dumps(shown)


def _list_recovery_points_by_backup_vault(self):
    name = self.path.split("/backup-vaults/", 1)[1].split("/", 1)[0]
    vault = _vault(self, name)
    points = [_public(p) for p in _POINTS.get(vault.backup_vault_arn, {}).values()]
    return json.dumps({"RecoveryPoints": points})


def _recovery_point(self):
    from urllib.parse import unquote

    name, rest = self.path.split("/backup-vaults/", 1)[1].split("/recovery-points/", 1)
    arn = unquote(rest.removesuffix("/restore-metadata"))
    vault = _vault(self, name)
    point = _POINTS.get(vault.backup_vault_arn, {}).get(arn)
    if point is None:
        raise _NotFound(f"Recovery point {arn} does not exist in {name}")
    return vault, point


def _get_recovery_point_restore_metadata(self):
    vault, point = _recovery_point(self)
    return json.dumps(
        {
            "BackupVaultArn": vault.backup_vault_arn,
            "RecoveryPointArn": point["RecoveryPointArn"],
            "ResourceType": "EFS",
            "RestoreMetadata": {
                "file-system-id": point["_file_system_id"],
                "Encrypted": "true",
                "PerformanceMode": "generalPurpose",
                "CreationToken": point["_creation_token"],
                "newFileSystem": "false",
            },
        }
    )


def _start_restore_job(self):
    params = json.loads(self.body or "{}")
    point_arn = params["RecoveryPointArn"]
    point = next((p for points in _POINTS.values() for p in points.values() if p["RecoveryPointArn"] == point_arn), None)
    if point is None:
        raise _NotFound(f"Recovery point {point_arn} does not exist")
    metadata = params.get("Metadata") or {}
    if str(metadata.get("newFileSystem", "")).lower() != "false":
        raise _BadValue("moto_patches_ops: only restores into the source file system (newFileSystem=false) are emulated")
    fs_id = metadata.get("file-system-id") or point["_file_system_id"]
    file_system = _file_system(self.current_account, self.region, fs_id)
    job_id = str(uuid.uuid4()).upper()
    _RESTORES[job_id] = {
        "RestoreJobId": job_id,
        "RecoveryPointArn": point_arn,
        "IamRoleArn": params["IamRoleArn"],
        "ResourceType": "EFS",
        "CreationDate": _now(),
        "Status": "CREATED",
        "PercentDone": "0.0",
        "BackupSizeInBytes": point["BackupSizeInBytes"],
        "CreatedResourceArn": file_system.file_system_arn,
    }
    return json.dumps({"RestoreJobId": job_id})


def _describe_restore_job(self):
    job_id = self.path.rstrip("/").rsplit("/", 1)[-1]
    if job_id not in _RESTORES:
        raise _NotFound(f"Restore job {job_id} does not exist")
    job = _RESTORES[job_id]
    shown = dict(job)
    step = _STEPS.index(job["Status"])
    if step < len(_STEPS) - 1:
        job["Status"] = _STEPS[step + 1]
        job["PercentDone"] = "100.0" if job["Status"] == "COMPLETED" else "50.0"
        if job["Status"] == "COMPLETED":
            job["CompletionDate"] = _now()
    return json.dumps(shown)


_BACKUP = backup_responses.BackupResponse
_BACKUP.start_backup_job = _start_backup_job
_BACKUP.describe_backup_job = _describe_backup_job
_BACKUP.list_recovery_points_by_backup_vault = _list_recovery_points_by_backup_vault
_BACKUP.get_recovery_point_restore_metadata = _get_recovery_point_restore_metadata
_BACKUP.start_restore_job = _start_restore_job
_BACKUP.describe_restore_job = _describe_restore_job

_dispatch = backup_responses.BackupResponse.dispatch
backup_urls.url_paths.update(
    {
        "{0}/backup-jobs$": _dispatch,
        "{0}/backup-jobs/(?P<job>[^/]+)$": _dispatch,
        "{0}/restore-jobs$": _dispatch,
        "{0}/restore-jobs/(?P<job>[^/]+)$": _dispatch,
        "{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$": _dispatch,
        "{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/(?P<arn>.+)$": _dispatch,
    }
)


# --- ListRecoveryPointsByResource (GET /resources/{resourceArn}/recovery-points/): every vault's points of one resource.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByResource.html
def _list_recovery_points_by_resource(self):
    from urllib.parse import unquote

    arn = unquote(self.path.split("/resources/", 1)[1].rsplit("/recovery-points", 1)[0])
    points = [
        {k: v for k, v in p.items() if not k.startswith("_") and k not in ("ResourceArn", "ResourceType", "IamRoleArn", "CompletionDate")}
        for vault in _POINTS.values()
        for p in vault.values()
        if p["ResourceArn"] == arn
    ]
    return json.dumps({"RecoveryPoints": points})


_BACKUP.list_recovery_points_by_resource = _list_recovery_points_by_resource
backup_urls.url_paths["{0}/resources/(?P<arn>.+)/recovery-points/$"] = _dispatch


# --- ECS RunTask: a Fargate task definition whose containers give no memory of their own fails in moto with a
# TypeError (500): moto adds each container's memory. AWS: "If using the Fargate launch type, this parameter is
# optional" (ContainerDefinition.memory); the task-level memory is what the task gets.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
from moto.ecs import models as ecs_models  # noqa: E402

_original_requirements = ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements


def _task_resource_requirements(task_definition):
    containers = task_definition.container_definitions
    if any(c.get("memory") is None and c.get("memoryReservation") is None and "Memory" not in c and "MemoryReservation" not in c for c in containers):
        return {"CPU": int(task_definition.cpu or 0), "MEMORY": int(task_definition.memory or 0), "PORTS": [], "PORTS_UDP": []}
    return _original_requirements(task_definition)


ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(_task_resource_requirements)


# --- Backup ListTags (GET /tags/{resourceArn}/): moto reads the ARN as the path's second-to-last segment, so a
# request without the trailing slash (as the AWS SDKs for Go and JavaScript send it) lists no tags, and every plan
# showed the vault's tags as new. AWS returns the resource's tags either way.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListTags.html
def _list_tags(self):
    from urllib.parse import unquote

    arn = unquote(self.path.split("/tags/", 1)[1].split("?", 1)[0].rstrip("/"))
    return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})


_BACKUP.list_tags = _list_tags
