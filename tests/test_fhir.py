"""FHIR R5 export: every exported resource validates against the maintained FHIR models
(fhir.resources), and says what the record says."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casework_world import AINO, NOW, PSY, SANNA, SECRET, TEACHER, YOUTH_WORKER, as_, open_kit

from welfarekit import AccessDenied, Period, Role, WelfareKit

fhir = pytest.importorskip("fhir.resources", reason="the FHIR models validate the export")

YEAR = Period(start=dt.date(2026, 8, 1), end=dt.date(2027, 8, 1))


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[WelfareKit]:
    with open_kit(tmp_path) as opened:
        as_(opened, AINO).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
            group_id="g1", covers_roles={Role.PSYCHOLOGIST}, validity=YEAR,
            method="electronic", record_id="c1",
        )  # fmt: skip
        as_(opened, AINO).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="consent", purpose="outside_participant",
            group_id="g1", covers={YOUTH_WORKER}, validity=YEAR, method="written",
            written_and_specific=True, record_id="c2",
        )  # fmt: skip
        as_(opened, AINO).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="refusal", purpose="disclosure",
            recipient="Nuorisoasema", validity=YEAR, method="oral", record_id="r1",
        )  # fmt: skip
        as_(opened, AINO, NOW + dt.timedelta(days=1)).withdraw(
            student_id="aino", record_id="c2", method="electronic")  # fmt: skip
        as_(opened, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
        with pytest.raises(AccessDenied):
            as_(opened, TEACHER).referrals(student_id="aino")  # a refusal, audited
        yield opened


def validated(resource: dict[str, Any]) -> Any:
    from fhir.resources import get_fhir_model_class

    model = get_fhir_model_class(resource["resourceType"])
    return model.model_validate(resource)


def test_every_exported_resource_is_valid_fhir_r5(kit: WelfareKit) -> None:
    exported = as_(kit, AINO).export_fhir("aino")
    bundle = validated(exported)
    assert bundle.type == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in exported["entry"]]
    assert kinds.count("Consent") == 3
    assert kinds.count("AuditEvent") >= 5
    for entry in exported["entry"]:
        validated(entry["resource"])
    json.dumps(exported)  # plain JSON values throughout


def test_consents_say_what_the_expressions_of_will_say(kit: WelfareKit) -> None:
    exported = as_(kit, SANNA).export_fhir("aino")  # a guardian of a minor may have it too
    consents = {e["resource"]["id"]: validated(e["resource"]) for e in exported["entry"]
                if e["resource"]["resourceType"] == "Consent"}  # fmt: skip
    formed, outside, refused = consents["c1"], consents["c2"], consents["r1"]
    assert (formed.status, formed.decision) == ("active", "permit")
    assert formed.provision[0].actor[0].role.coding[0].code == "psychologist"
    assert str(formed.period.end) == "2027-08-01"
    assert outside.status == "inactive"  # withdrawn
    assert outside.grantee[0].identifier.value == "youth-worker"
    assert (refused.decision, refused.grantee[0].display) == ("deny", "Nuorisoasema")
    assert refused.regulatoryBasis[0].text == "OHL § 22(2)"
    assert formed.subject.identifier.value == "aino"
    assert formed.verification[0].verificationType.coding[0].code == "electronic"


def test_audit_events_keep_outcome_actor_and_nothing_confidential(kit: WelfareKit) -> None:
    exported = as_(kit, AINO).export_fhir("aino")
    events = [validated(e["resource"]) for e in exported["entry"]
              if e["resource"]["resourceType"] == "AuditEvent"]  # fmt: skip
    outcomes = {e.outcome.code.code for e in events}
    assert outcomes == {"0", "4"}  # successes and the teacher's refused read
    refused = next(e for e in events if e.outcome.code.code == "4")
    assert refused.agent[0].who.identifier.value == "staff:teacher"
    assert all(e.patient.identifier.value == "aino" for e in events)
    assert SECRET not in json.dumps(exported)


def test_the_fhir_export_is_decided_like_any_export(kit: WelfareKit) -> None:
    for outsider in (TEACHER, PSY):
        with pytest.raises(AccessDenied):
            as_(kit, outsider).export_fhir("aino")


def test_the_command_line_exports_fhir(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from welfarekit.cli import main

    database = tmp_path / "fhir.db"
    kit = open_kit(tmp_path, database_url=f"sqlite:///{database}")
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
        group_id="g1", covers_roles={Role.PSYCHOLOGIST}, validity=YEAR, method="electronic",
    )  # fmt: skip
    kit.close()
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(tmp_path / "keys.json"))
    args = ["export", "--db", str(database), "--provider", "p1", "--student", "aino",
            "--as", "student:aino", "--format", "fhir"]  # fmt: skip
    assert main(args) == 0
    validated(json.loads(capsys.readouterr().out))
