"""AWS behaviour the observability unit's tests need and moto 5.2 lacks.
Loaded by moto_launcher.py (every moto_patches_*.py beside it).

Gaps met and patched here:
- EventBridge TestEventPattern: moto 5.2 answers an empty body (its handler is
  a stub), so a test cannot ask whether the task start failure rule's pattern
  matches an ECS event. AWS documents the call as taking EventPattern and
  Event (JSON strings) and answering {"Result": true|false}, and an invalid
  pattern or event as InvalidEventPatternException
  (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html).
  Matching uses moto's own event pattern matcher, the one its PutEvents uses.
- ECS UpdateService with a partial deploymentConfiguration: AWS changes only
  the settings the call names and keeps the others (the AWS provider relies
  on it: when only a service's deployment alarms change, it sends
  deploymentConfiguration with `alarms` alone; to remove a circuit breaker
  the API takes an empty deploymentCircuitBreaker object, UpdateService API
  reference, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
  and API_DeploymentConfiguration.html). The launcher's patch rebuilt the
  configuration from defaults plus the call, so changing a service's alarms
  switched its circuit breaker off in the emulator.
"""
import json

from moto.ecs import responses as ecs_responses
from moto.events import responses as events_responses
from moto.events.exceptions import InvalidEventPatternException
from moto.events.models import EventPattern

# The fields AWS requires of the event in TestEventPattern (API_TestEventPattern: "Event").
_REQUIRED_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def _test_event_pattern(self):
    pattern = EventPattern.load(self._get_param("EventPattern"))
    try:
        event = json.loads(self._get_param("Event") or "")
    except json.JSONDecodeError:
        raise InvalidEventPatternException(reason="Event is not valid JSON")
    missing = [f for f in _REQUIRED_EVENT_FIELDS if f not in event]
    if missing:
        raise InvalidEventPatternException(reason=f"Event lacks the field(s) {', '.join(missing)}")
    return json.dumps({"Result": pattern.matches_event(event)}), self.response_headers


events_responses.EventsHandler.test_event_pattern = _test_event_pattern


# --- ECS: a partial deploymentConfiguration changes only what it names.
_ECS = ecs_responses.EC2ContainerServiceResponse
_update_service_before = _ECS.update_service  # the launcher's wrapper


def _service(self):
    cluster = self._get_param("cluster", "default")
    name = self._get_param("service")
    services, _ = self.ecs_backend.describe_services(cluster, [name])
    return services[0] if services else None


def _update_service(self):
    service = _service(self)
    kept = dict(getattr(service, "deployment_configuration", None) or {}) if service is not None else {}
    result = _update_service_before(self)
    sent = self._get_param("deploymentConfiguration")
    service = _service(self)
    if sent is not None and service is not None:
        service.deployment_configuration = {**kept, **sent}
    return result


_ECS.update_service = _update_service
