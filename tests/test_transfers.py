"""Transfers to a new education provider: welfare records only with consent (§ 23(3)),
education data of a student of compulsory-education age without it (OppivL 23 §), a status
and a receipt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_world import (
    AINO,
    KURAATTORI,
    NOW,
    PRINCIPAL,
    SECRET,
    TEACHER,
    P,
    as_,
    form_expert_group,
    open_kit,
)

from welfarekit import (
    AccessDenied,
    ConsentRequired,
    IntegrityError,
    Period,
    Student,
    TransferStatus,
    WelfareKit,
)
from welfarekit.model import NotificationTopic, OutboxMessage

NEW_PROVIDER = "Kaupunki X, lukiokoulutus"
YEAR = Period(start=dt.date(2026, 8, 1))


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        form_expert_group(opened)
        as_(opened, KURAATTORI).open_record(
            student_id="aino", group_id="g1", subject="Kiusaaminen", background=SECRET,
            initiator="ryhmänohjaaja", record_id="rec-1",
        )  # fmt: skip
        yield opened


def consent_to_transfer(kit: WelfareKit, recipient: str = NEW_PROVIDER) -> None:
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="transfer",
        recipient=recipient, validity=YEAR, method="written",
    )  # fmt: skip


def test_without_consent_only_education_data_goes(kit: WelfareKit) -> None:
    package = as_(kit, PRINCIPAL).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER)
    assert package.records == ()
    assert not package.transfer.includes_records
    assert package.education_data["family_name"] == "Korhonen"
    assert SECRET not in package.to_json()
    with pytest.raises(ConsentRequired, match="transfer") as refused:
        as_(kit, PRINCIPAL).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER,
                                             with_records=True)  # fmt: skip
    assert refused.value.requirement.grantors == (AINO,)


def test_with_consent_the_records_go_with_a_disclosure_entry(kit: WelfareKit) -> None:
    consent_to_transfer(kit)
    package = as_(kit, PRINCIPAL).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER,
                                                   with_records=True)  # fmt: skip
    [record] = package.records
    assert record.record.background == SECRET
    assert json.loads(package.to_json())["welfare_records"][0]["background"] == SECRET
    [disclosure] = as_(kit, KURAATTORI).timeline("rec-1").disclosures
    assert (disclosure.recipient, disclosure.consent_id) == (
        NEW_PROVIDER,
        package.transfer.consent_id,
    )


def test_consent_for_another_provider_does_not_count(kit: WelfareKit) -> None:
    consent_to_transfer(kit, recipient="Another provider")
    with pytest.raises(ConsentRequired):
        as_(kit, PRINCIPAL).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER,
                                             with_records=True)  # fmt: skip


def test_an_adults_education_data_also_needs_consent(kit: WelfareKit) -> None:
    adult_day = dt.datetime(2028, 3, 2, 12, 0, tzinfo=NOW.tzinfo)
    with pytest.raises(ConsentRequired):
        as_(kit, PRINCIPAL, adult_day).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER)


def test_only_the_register_responsible_role_transfers(kit: WelfareKit) -> None:
    consent_to_transfer(kit)
    for person in (TEACHER, KURAATTORI, AINO):
        with pytest.raises(AccessDenied):
            as_(kit, person).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER,
                                              with_records=True)  # fmt: skip


def test_a_transfer_moves_from_prepared_to_sent_to_received(kit: WelfareKit) -> None:
    principal = as_(kit, PRINCIPAL)
    transfer = principal.prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER).transfer
    with pytest.raises(IntegrityError, match="only a sent one"):
        principal.confirm_transfer_received(transfer.id, receipt="X-123")
    assert principal.mark_transfer_sent(transfer.id).status is TransferStatus.SENT
    received = principal.confirm_transfer_received(transfer.id, receipt="X-123")
    assert (received.status, received.receipt) == (TransferStatus.RECEIVED, "X-123")
    assert [t.status for t in principal.transfers("aino")] == [TransferStatus.RECEIVED]
    with kit.storage.transaction() as tx:
        told = {(m.recipient, m.topic) for m in tx.list(OutboxMessage, P)}
    assert (AINO, NotificationTopic.TRANSFER_RECEIVED) in told


def test_the_education_data_names_nothing_of_welfare(kit: WelfareKit) -> None:
    package = as_(kit, PRINCIPAL).prepare_transfer(student_id="aino", to_provider=NEW_PROVIDER)
    fields = set(package.education_data)
    assert fields == {"given_names", "family_name", "date_of_birth", "home_municipality",
                      "from_provider", "from_institution"}  # fmt: skip
    assert Student.__name__  # the directory's own fields only
