"""The portal's demo data: every part of welfarekit's demo provider, and one thing more for
the journeys a school clicks through — a case expert group proposed for Sofia (18), waiting
for her consent."""

from __future__ import annotations

import datetime as dt

from welfarekit import Actor, PersonKind, PersonRef, WelfareKit
from welfarekit.demo import DEMO_PROVIDER_ID, build_consent_demo, build_demo, build_record_demo
from welfarekit.demo_casework import build_casework_demo
from welfarekit.demo_communal import build_communal_demo
from welfarekit.model import ExpertGroupState

__all__ = ["PROPOSED_GROUP", "load_demo"]

PROPOSED_GROUP = "portal-case-sofia"
"""The expert group the psychologist proposed for Sofia; her consent forms it."""


def load_demo(kit: WelfareKit, now: dt.datetime | None = None) -> None:
    """Build (or complete) the demo provider as of ``now`` (the present by default); a
    second run adds nothing."""
    when = now or dt.datetime.now(dt.UTC)
    build_demo(kit)
    build_consent_demo(kit, when)
    build_record_demo(kit, when)
    build_casework_demo(kit, when)
    build_communal_demo(kit, when)
    with kit.storage.transaction() as tx:
        proposed = tx.get(ExpertGroupState, DEMO_PROVIDER_ID, PROPOSED_GROUP) is not None
    if not proposed:
        tuomas = PersonRef(PersonKind.STAFF, "tuomas.saarinen")
        kit.session(Actor(provider_id=DEMO_PROVIDER_ID, person=tuomas), now=when
                    ).propose_expert_group(student_id="sofia.laaksonen",
                                           responsible_id=tuomas.id, group_id=PROPOSED_GROUP)  # fmt: skip
