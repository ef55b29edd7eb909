"""Target group stickiness defaults, for the UI's session stickiness.

- ELBv2 CreateTargetGroup: AWS gives every HTTP/HTTPS target group the
  attribute stickiness.lb_cookie.duration_seconds = 86400 ("The default value
  is 1 day (86400 seconds)"), whether stickiness is on or not; moto 5.2 leaves
  it out, so the provider read a cookie duration of 0 and a target group that
  writes the stickiness block with AWS's default (enabled = false) showed a
  change on every plan.
  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#sticky-sessions
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
"""
from moto.elbv2 import models as elbv2_models

_original_init = elbv2_models.FakeTargetGroup.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    if self.protocol in ("HTTP", "HTTPS"):
        self.attributes.setdefault("stickiness.lb_cookie.duration_seconds", "86400")


elbv2_models.FakeTargetGroup.__init__ = _init
