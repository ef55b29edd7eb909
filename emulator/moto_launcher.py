"""Starts moto's server with the few AWS behaviours the AutoVisionAI root needs
and moto 5.2 lacks. Each patch stands in for what AWS itself does; none
changes what our configuration is checked against. Usage: moto_launcher.py PORT

Gaps met and patched here (each found by a real apply, plan or destroy):
- IAM: AWS managed policies are loaded only with MOTO_IAM_LOAD_MANAGED_POLICIES
  (the auto scale role attaches one).
- Application Auto Scaling: no ListTagsForResource / TagResource /
  UntagResource, and Tags on RegisterScalableTarget are dropped (the provider
  retried for many minutes).
- ECS: services do not keep deploymentConfiguration (circuit breaker,
  min/max percent), capacityProviderStrategy (a service on Fargate Spot
  showed launch type EC2) or enableExecuteCommand, nor report
  availabilityZoneRebalancing (every plan showed a diff).
- EFS: no UpdateFileSystem (a throughput change hung for 10+ minutes on
  500s), no PutBackupPolicy, DescribeBackupPolicy ignores it, no
  DeleteFileSystemPolicy; Describe/PutFileSystemPolicy on an unknown file
  system fail with a 500 instead of AWS's FileSystemNotFound (a plan in
  another region hung on retries).
- S3: bucket policy statements are evaluated without their Condition, so the
  TLS-only Deny denied every object request.
- ELBv2: a listener switched from HTTPS to HTTP keeps its certificate and TLS
  policy (AWS drops them), so the switch back never settles.

Checked and not missing (sign-in and the web firewall, docs/SIGN-IN.md):
Cognito user pools (DeletionProtection, MFA and the password policy are
echoed back), app clients with a secret, hosted domains (ACTIVE at once);
ELBv2 listener rules with authenticate-cognito/-oidc actions; WAFv2 web
ACLs with managed rule groups and rate rules, their association with an ALB
and their logging configuration. Moto does not refuse an authenticate action
on an HTTP listener, nor DeleteUserPool under deletion protection, as AWS
does; the root never asks for either.

Test infrastructure, not an AWS API (no AWS behaviour is added or changed):
- POST /moto-api/snapshot/save?path=FILE writes the whole emulator state
  (every moto backend in use, and the patches' own state: the module-level
  dicts named _UPPER_CASE in this file and in moto_patches_*.py; a patch that
  keeps state must keep it in such a dict) to FILE with pickle; AVAI_MOTO_RESTORE=FILE in the environment loads such a file at
  launch, before the server listens. The Terraform suites apply the default
  platform once per run and start each suite's own emulator from that file
  (the Terraform S3 state lives in the emulator, so it travels with it).
  Only the harness writes and reads these files, in the run's temp folder.
- POST /moto-api/aws-call with {"service", "region", "method", "params"} makes that one
  AWS API call with boto3 from inside this process, against this same server
  (over HTTP, as any client), and answers with its JSON result: the suites'
  `awsCall` reads the emulator this way instead of starting a Python process
  (and importing boto3) for every call.
"""
import json
import os
import sys
import threading

# The auto scale role attaches an AWS managed policy.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.applicationautoscaling import responses as aas_responses  # noqa: E402
from moto.ecs import responses as ecs_responses  # noqa: E402
from moto.efs import responses as efs_responses  # noqa: E402
from moto.efs.exceptions import PolicyNotFound  # noqa: E402


# --- Application Auto Scaling: tags (ListTagsForResource, TagResource, UntagResource, Tags on register)
_AAS_TAGS: dict[str, dict[str, str]] = {}
_AAS = aas_responses.ApplicationAutoScalingResponse
_original_register = _AAS.register_scalable_target


def _register_scalable_target(self):
    result = _original_register(self)
    arn = json.loads(result)["ScalableTargetARN"]
    _AAS_TAGS.setdefault(arn, {}).update(self._get_param("Tags") or {})
    return result


def _list_tags_for_resource(self):
    return json.dumps({"Tags": _AAS_TAGS.get(self._get_param("ResourceARN"), {})})


def _tag_resource(self):
    _AAS_TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def _untag_resource(self):
    tags = _AAS_TAGS.setdefault(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


_AAS.register_scalable_target = _register_scalable_target
_AAS.list_tags_for_resource = _list_tags_for_resource
_AAS.tag_resource = _tag_resource
_AAS.untag_resource = _untag_resource


# --- ECS: fields AWS returns on every service that moto drops
_ECS = ecs_responses.EC2ContainerServiceResponse
_DEFAULT_DEPLOYMENT = {"maximumPercent": 200, "minimumHealthyPercent": 100,
                       "deploymentCircuitBreaker": {"enable": False, "rollback": False}}


def _remember(self, service):
    config = self._get_param("deploymentConfiguration")
    if config is not None or not hasattr(service, "deployment_configuration"):
        merged = dict(_DEFAULT_DEPLOYMENT)
        merged.update(config or {})
        service.deployment_configuration = merged
    rebalancing = self._get_param("availabilityZoneRebalancing")
    if rebalancing is not None or not hasattr(service, "availability_zone_rebalancing"):
        service.availability_zone_rebalancing = rebalancing or "DISABLED"
    grace = self._get_param("healthCheckGracePeriodSeconds")
    if grace is not None:
        service.health_check_grace_period_seconds = grace
    # A capacity provider strategy replaces the launch type (AWS then reports no launchType).
    strategy = self._get_param("capacityProviderStrategy")
    if strategy is not None:
        service.capacity_provider_strategy = [{"base": 0, "weight": 0, **item} for item in strategy]
        if strategy:
            service.launch_type = None
    execute = self._get_param("enableExecuteCommand")
    if execute is not None or not hasattr(service, "enable_execute_command"):
        service.enable_execute_command = bool(execute)


def _wrap_service_call(name):
    original = getattr(_ECS, name)

    def wrapper(self):
        result = original(self)
        service = result.result["service"] if hasattr(result, "result") else None
        if service is None:
            cluster = self._get_param("cluster", "default")
            service_name = self._get_param("serviceName") or self._get_param("service")
            services, _ = self.ecs_backend.describe_services(cluster, [service_name])
            service = services[0] if services else None
        if service is not None:
            _remember(self, service)
        return result

    setattr(_ECS, name, wrapper)


_wrap_service_call("create_service")
_wrap_service_call("update_service")


# --- EFS: throughput updates, the backup policy, deleting a file system policy
_EFS = efs_responses.EFSResponse
_BACKUP: dict[str, str] = {}


def _put_backup_policy(self):
    fs_id = self._get_param("FileSystemId")
    self.efs_backend.describe_file_systems(file_system_id=fs_id)  # raises FileSystemNotFound
    status = (self._get_param("BackupPolicy") or {}).get("Status", "DISABLED")
    _BACKUP[fs_id] = status
    return json.dumps({"BackupPolicy": {"Status": status}}), {"Content-Type": "application/json"}


def _describe_backup_policy(self):
    fs_id = self._get_param("FileSystemId")
    self.efs_backend.describe_file_systems(file_system_id=fs_id)
    if fs_id not in _BACKUP:
        raise PolicyNotFound("None")
    return json.dumps({"BackupPolicy": {"Status": _BACKUP[fs_id]}}), {"Content-Type": "application/json"}


def _delete_file_system_policy(self):
    fs_id = self._get_param("FileSystemId")
    _known_file_system(self.efs_backend, fs_id)
    self.efs_backend.file_systems_by_id[fs_id].file_system_policy = None
    return "{}", {"status": 200, "Content-Type": "application/json"}


# AWS answers FileSystemNotFound (404) for a file system it does not know; moto 5.2's policy
# calls fail with a KeyError (500), which the provider retries for minutes (seen when a plan
# looks for the platform in another region).
from moto.efs import models as efs_models  # noqa: E402
from moto.efs.exceptions import FileSystemNotFound  # noqa: E402


def _known_file_system(backend, fs_id):
    if fs_id not in backend.file_systems_by_id:
        raise FileSystemNotFound(fs_id)


def _checks_file_system(name):
    original = getattr(efs_models.EFSBackend, name)

    def wrapper(self, file_system_id, *args, **kwargs):
        _known_file_system(self, file_system_id)
        return original(self, file_system_id, *args, **kwargs)

    setattr(efs_models.EFSBackend, name, wrapper)


_checks_file_system("describe_file_system_policy")
_checks_file_system("put_file_system_policy")


def _update_file_system(self):
    fs_id = self._get_param("FileSystemId")
    _, found = self.efs_backend.describe_file_systems(file_system_id=fs_id)
    file_system = found[0]
    if self._get_param("ThroughputMode") is not None:
        file_system.throughput_mode = self._get_param("ThroughputMode")
        # AWS reports a provisioned rate only in provisioned mode.
        if file_system.throughput_mode != "provisioned":
            file_system.provisioned_throughput_in_mibps = None
    if self._get_param("ProvisionedThroughputInMibps") is not None:
        file_system.provisioned_throughput_in_mibps = self._get_param("ProvisionedThroughputInMibps")
    return json.dumps(file_system.info_json()), {"status": 202, "Content-Type": "application/json"}


_EFS.update_file_system = _update_file_system
_EFS.put_backup_policy = _put_backup_policy
_EFS.describe_backup_policy = _describe_backup_policy
_EFS.delete_file_system_policy = _delete_file_system_policy


# --- S3: moto evaluates a bucket policy's statements without their Condition, so the
# TLS-only statement (Deny unless aws:SecureTransport) denied every object request.
# The AWS SDKs always use TLS; the emulator's plain HTTP stands for it. Statements
# conditioned on aws:SecureTransport apply as they would to a TLS request; others as moto does.
from moto.s3 import models as s3_models  # noqa: E402

_original_get_permission = s3_models.FakeBucket.get_permission


def _applies_over_tls(statement):
    condition = statement.get("Condition") or {}
    flag = (condition.get("Bool") or {}).get("aws:SecureTransport")
    return flag is None or str(flag).lower() == "true"


def _get_permission(self, action, resource):
    if self.policy is None:
        return _original_get_permission(self, action, resource)
    policy = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    kept = []
    for statement in statements:
        if not _applies_over_tls(statement):
            continue
        statement = dict(statement)
        condition = dict(statement.get("Condition") or {})
        if "Bool" in condition:
            condition["Bool"] = {k: v for k, v in condition["Bool"].items() if k != "aws:SecureTransport"}
            if not condition["Bool"]:
                del condition["Bool"]
        if condition:
            statement["Condition"] = condition
        else:
            statement.pop("Condition", None)
        kept.append(statement)
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if not kept:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**policy, "Statement": kept})).is_action_permitted(action, resource)


s3_models.FakeBucket.get_permission = _get_permission


# --- ELBv2: AWS drops a listener's certificates and TLS policy when its protocol
# becomes HTTP; moto keeps them, so an HTTPS -> HTTP switch never settles.
from moto.elbv2 import models as elbv2_models  # noqa: E402

_original_modify_listener = elbv2_models.ELBv2Backend.modify_listener


def _modify_listener(self, *args, **kwargs):
    listener = _original_modify_listener(self, *args, **kwargs)
    if listener.protocol in ("HTTP", "TCP", "UDP", "TCP_UDP"):
        listener.certificate = None
        listener.certificates = []
        listener.ssl_policy = None
    return listener


elbv2_models.ELBv2Backend.modify_listener = _modify_listener


# More patches, one file per concern beside this one (moto_patches_<concern>.py), each listing
# the AWS behaviour it adds and where AWS documents it.
import importlib  # noqa: E402
import pathlib  # noqa: E402

for _patches in sorted(pathlib.Path(__file__).parent.glob("moto_patches_*.py")):
    importlib.import_module(_patches.stem)


# --- Test infrastructure, not an AWS API: the emulator's whole state saved to a file and loaded
# at launch (see the module docstring). Module-level tables of this launcher and of the patch
# modules are saved beside moto's backends, so a restored emulator answers exactly as the saved one.
import pickle  # noqa: E402
import urllib.parse  # noqa: E402

from moto.core.base_backend import BackendDict, backend_lock  # noqa: E402

# By file name, so that a file saved by the server (__main__) loads in any process.
_SNAPSHOT_MODULES = {"moto_launcher": __name__} | {
    p.stem: p.stem for p in sorted(pathlib.Path(__file__).parent.glob("moto_patches_*.py"))
}


def _patch_tables():
    """Every module-level dict of this launcher and of the patch modules, by 'module:name'."""
    tables = {}
    for label, module_name in _SNAPSHOT_MODULES.items():
        for name, value in vars(sys.modules[module_name]).items():
            if name.startswith("_") and name.isupper() and isinstance(value, dict):
                tables[f"{label}:{name}"] = value
    return tables


def _backend_dicts():
    """Each moto BackendDict in use, by 'module:attribute' (where the server's responses find it)."""
    found = {}
    live = {id(b) for b in BackendDict._instances}
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith("moto.") or module is None:
            continue
        for name, value in list(vars(module).items()):
            if id(value) in live and isinstance(value, BackendDict):
                live.discard(id(value))  # once each, under the first module (by name) that holds it
                found[f"{module_name}:{name}"] = value
    return found


import io  # noqa: E402
import threading  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: E402

_lock_factories = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}
_PRIVATE_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
_PUBLIC_KEYS = (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)


def _private_key(pem):
    return serialization.load_pem_private_key(pem, password=None)


def _public_key(pem):
    return serialization.load_pem_public_key(pem)


class _SnapshotPickler(pickle.Pickler):
    """Pickles what plain pickle cannot: a lock as a new, free lock (no request is in flight while
    saving); a key object of `cryptography` (KMS keys hold them) as its PEM text, loaded back as the same key."""

    def reducer_override(self, obj):
        if type(obj) in _lock_factories:
            return _lock_factories[type(obj)], ()
        if isinstance(obj, _PRIVATE_KEYS):
            pem = obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            return _private_key, (pem,)
        if isinstance(obj, _PUBLIC_KEYS):
            return _public_key, (obj.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),)
        return NotImplemented


def save_snapshot(path):
    with backend_lock:
        state = {
            "backends": {key: dict(value) for key, value in _backend_dicts().items()},
            "tables": dict(_patch_tables()),
        }
        buffer = io.BytesIO()
        _SnapshotPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        data = buffer.getvalue()
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # whole or not at all: a reader never sees half a snapshot
    return len(data)


def restore_snapshot(path):
    with open(path, "rb") as f:
        state = pickle.load(f)
    for key, accounts in state["backends"].items():
        module_name, name = key.split(":")
        backend_dict = getattr(importlib.import_module(module_name), name)
        backend_dict.clear()
        backend_dict.update(accounts)
        if backend_dict not in BackendDict._instances:
            BackendDict._instances.append(backend_dict)
    tables = _patch_tables()
    for key, saved in state["tables"].items():
        tables[key].clear()
        tables[key].update(saved)


def _snapshot_save_response(request, full_url, headers):
    if request.method != "POST":
        return 405, {}, "POST only"
    query = urllib.parse.parse_qs(urllib.parse.urlparse(full_url).query)
    target = (query.get("path") or [""])[0]
    if not target:
        return 400, {}, "path=FILE is required"
    try:
        size = save_snapshot(target)
    except Exception:  # the harness shows this text: what could not be saved, and where
        import traceback

        return 500, {"Content-Type": "text/plain"}, traceback.format_exc()
    return 200, {"Content-Type": "application/json"}, json.dumps({"path": target, "bytes": size})


_CLIENTS_LOCK = threading.Lock()
_clients = {}


def _client(service, region, endpoint):
    """One boto3 client per service, region and endpoint (making one takes a tenth of a second; its calls are thread-safe)."""
    import boto3

    with _CLIENTS_LOCK:
        key = (service, region, endpoint)
        if key not in _clients:
            _clients[key] = boto3.session.Session().client(
                service,
                endpoint_url=endpoint,
                region_name=region,
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
        return _clients[key]


def _aws_call_response(request, full_url, headers):
    if request.method != "POST":
        return 405, {}, "POST only"
    size = int(headers.get("Content-Length") or 0)
    call = json.loads(request.environ["wsgi.input"].read(size).decode("utf-8"))
    client = _client(call["service"], call["region"], f"http://{request.host}")
    try:
        result = getattr(client, call["method"])(**call.get("params", {}))
    except Exception as error:  # the caller's error names the call and AWS's answer
        return 400, {"Content-Type": "text/plain"}, f"{type(error).__name__}: {error}"
    result.pop("ResponseMetadata", None)
    return 200, {"Content-Type": "application/json"}, json.dumps(result, default=str)


from moto.moto_api._internal import urls as _moto_api_urls  # noqa: E402

_moto_api_urls.url_paths["{0}/moto-api/snapshot/save"] = _snapshot_save_response
_moto_api_urls.url_paths["{0}/moto-api/aws-call"] = _aws_call_response


if __name__ == "__main__":
    from moto.server import main

    if os.environ.get("AVAI_MOTO_RESTORE"):
        restore_snapshot(os.environ["AVAI_MOTO_RESTORE"])

    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: moto_launcher.py PORT")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
