"""Test objects of communal welfare: policy documents, agendas and minutes, initiatives,
crisis events, and the welfare plan's section versions, state and comments.

Every filter leaves something out, optional fields are both set and left empty (an
anonymous initiative, a section of the provider as a whole, a plan not yet approved),
moments are in Helsinki, at a fixed offset and in UTC, with and without microseconds, and
the longest texts are there: minutes of 50,000 characters and a crisis checklist of
100,000, both with characters of two to four bytes in UTF-8.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sealed_world import ciphertext

from welfarekit.model import (
    CommunalDocument,
    CommunalDocumentKind,
    CrisisEvent,
    CrisisKind,
    CrisisStatus,
    Initiative,
    InitiativeStatus,
    PersonKind,
    PersonRef,
    PlanComment,
    PlanSectionVersion,
    PlanState,
    PlanStatus,
    PolicyDocument,
)
from welfarekit.storage import Entity

HELSINKI = ZoneInfo("Europe/Helsinki")
NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "EST")
S1 = PersonRef(PersonKind.STUDENT, "s1")
G1 = PersonRef(PersonKind.GUARDIAN, "g1")
NURSE = PersonRef(PersonKind.STAFF, "nurse")
TEACHER = PersonRef(PersonKind.STAFF, "t.virtanen")
PRINCIPAL = PersonRef(PersonKind.STAFF, "rehtori")

MINUTES_LENGTH = 50_000
CHECKLIST_LENGTH = 100_000


def long_text(opening: str, length: int, *, lines: bool = False) -> str:
    """Text of exactly ``length`` characters, ä, € and 🕯 among them (two, three and four
    bytes in UTF-8), without whitespace at either end; with line breaks and tabs if
    ``lines`` (a multiline body), else without control characters."""
    pattern = " Hyvinvointiryhmä kävi läpi €-tuen ja jälkihoidon 🕯."
    if lines:
        pattern += "\n\t-"
    text = (opening + pattern * (length // len(pattern) + 1))[:length]
    return text if not text[-1].isspace() else text[:-1] + "."


def long_checklist(length: int) -> str:
    """A crisis checklist as JSON of exactly ``length`` characters."""
    opening, closing = '[{"step": "kriisiryhmä koolle", "by": "t.virtanen", "note": "', '"}]'
    note = long_text("Tehty", length - len(opening) - len(closing))  # no line breaks in JSON
    checklist = opening + note + closing
    json.loads(checklist)
    return checklist


def communal_world(p: str) -> list[Entity]:
    """Communal welfare of provider ``p`` (whose directory has the steering group
    ``ohjaus``, the institution group ``hyvinvointi``, the institutions ``lukio`` and
    ``ammattiopisto`` and the students s1 and s3)."""
    return [
        PolicyDocument(
            provider_id=p, scope="provider",
            body=json.dumps({"meetings_per_year": 4, "crisis_plan_review_months": 12}),
            updated_at=dt.datetime(2026, 8, 14, 10, 0, tzinfo=HELSINKI), updated_by=PRINCIPAL,
        ),
        PolicyDocument(
            provider_id=p, scope="lukio",
            body=json.dumps({"meetings_per_year": 6, "name": "Keskuslukion käytäntö"}, ensure_ascii=False),
            updated_at=dt.datetime(2026, 9, 1, 6, 30, 0, 123456, tzinfo=dt.UTC), updated_by=NURSE,
        ),
        CommunalDocument(
            id="ohjaus-2026-11-agenda", provider_id=p, group_id="ohjaus",
            kind=CommunalDocumentKind.AGENDA, meeting_date=dt.date(2026, 11, 12),
            title="Opiskeluhuoltoryhmän kokous 4/2026",
            body="1. Kokouksen avaus\n2. Opiskeluhuoltosuunnitelman päivitys\n\t- luonnos\n3. Muut asiat",
            written_by=PRINCIPAL, written_at=dt.datetime(2026, 11, 5, 14, 0, tzinfo=HELSINKI),
        ),
        CommunalDocument(
            id="hyvinvointi-2026-11-minutes", provider_id=p, group_id="hyvinvointi",
            kind="minutes", meeting_date=dt.date(2026, 11, 19),
            title="Hyvinvointiryhmän muistio 19.11.2026",
            body=long_text("Muistio:", MINUTES_LENGTH, lines=True), written_by=NURSE,
            written_at=dt.datetime(2026, 11, 19, 16, 45, 30, 500000, tzinfo=HELSINKI),
        ),
        CommunalDocument(
            id="hyvinvointi-2026-12-agenda", provider_id=p, group_id="hyvinvointi",
            kind=CommunalDocumentKind.AGENDA, meeting_date=dt.date(2026, 12, 3),
            title="Hyvinvointiryhmä 3.12.", body="Välituntien turvallisuus",
            written_by=TEACHER, written_at=dt.datetime(2026, 11, 26, 2, 0, tzinfo=NEW_YORK),
        ),
        Initiative(
            id="ini1", provider_id=p, group_id="hyvinvointi", initiator=S1,
            received_at=dt.datetime(2026, 10, 20, 9, 0, 0, 1, tzinfo=HELSINKI),
            status=InitiativeStatus.ANSWERED,
            answered_at=dt.datetime(2026, 11, 19, 17, 0, tzinfo=HELSINKI),
            kek_id="kek-2026-1", keyset=ciphertext("ini1-keyset", 141),
            content=ciphertext("ini1", 900),
        ),
        Initiative(
            id="ini2", provider_id=p, group_id="ohjaus",
            received_at=dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC),
            kek_id="kek-2026-1", keyset=ciphertext("ini2-keyset", 141), content=b"",
        ),
        Initiative(
            id="ini2.x", provider_id=p, group_id="hyvinvointi", initiator=G1,
            received_at=dt.datetime(2026, 11, 21, 8, 15, tzinfo=NEW_YORK),
            status="routed", student_id="s3", routed_to="referral:ref1.x",
            kek_id="kek-2025-2", keyset=ciphertext("ini2.x-keyset", 141),
            content=ciphertext("ini2.x", 100_000),
        ),
        CrisisEvent(
            id="crisis1", provider_id=p, institution_id="lukio", kind=CrisisKind.LOSS,
            title="Opiskelijan menehtyminen", activated_by=TEACHER,
            activated_at=dt.datetime(2026, 3, 29, 4, 30, 0, 999999, tzinfo=HELSINKI),
            checklist=long_checklist(CHECKLIST_LENGTH),
        ),
        CrisisEvent(
            id="crisis2", provider_id=p, institution_id="ammattiopisto", kind="threat",
            title="Uhkaava viesti somessa", activated_by=PRINCIPAL,
            activated_at=dt.datetime(2026, 10, 1, 7, 0, tzinfo=dt.UTC),
            status=CrisisStatus.CLOSED,
            checklist='[\n\t{"step": "poliisille ilmoitettu", "by": "rehtori"}\n]',
            aftercare='[{"given": "keskusteluapu", "by": "nurse"}]',
            debrief="Jälkipuinti pidetty.\nTiedotus huoltajille toimi.",
            closed_at=dt.datetime(2026, 10, 15, 13, 0, 0, 250000, tzinfo=NEW_YORK),
        ),
        CrisisEvent(
            id="crisis3", provider_id=p, institution_id="lukio", kind=CrisisKind.ACCIDENT,
            title="Liikenneonnettomuus retkellä", activated_by=NURSE,
            activated_at=dt.datetime(2026, 11, 27, 11, 0, tzinfo=HELSINKI),
            status=CrisisStatus.AFTERCARE, aftercare='[{"given": "ryhmäkeskustelu"}]',
        ),
        PlanSectionVersion(
            id="goals.v1", provider_id=p, section_key="goals", version=1,
            title="Opiskeluhuollon tavoitteet", body="Yhteisöllinen opiskeluhuolto ensin.",
            changed_by=PRINCIPAL, changed_at=dt.datetime(2026, 8, 1, 9, 0, tzinfo=HELSINKI),
        ),
        PlanSectionVersion(
            id="goals.v2", provider_id=p, section_key="goals", version=2,
            title="Opiskeluhuollon tavoitteet", body=long_text("Tavoitteet:", 12_000, lines=True),
            review_by=dt.date(2027, 8, 1), changed_by=NURSE,
            changed_at=dt.datetime(2026, 11, 20, 12, 0, 0, 42, tzinfo=dt.UTC),
            note="Päivitetty opiskelijoiden kommenttien perusteella",
        ),
        PlanSectionVersion(
            id="lukio-crisis.v1", provider_id=p, section_key="lukio-crisis", version=1,
            title="Keskuslukion kriisisuunnitelma", institution_id="lukio",
            body="Kriisiryhmän kokoonpano ja yhteystiedot.", changed_by=TEACHER,
            changed_at=dt.datetime(2026, 9, 10, 8, 0, tzinfo=NEW_YORK),
        ),
        PlanState(provider_id=p, status=PlanStatus.IN_REVIEW),
        PlanComment(
            id="c1", provider_id=p, section_key="goals", author=S1,
            text="Toivomme lisää tukea tenttiviikoille.",
            created_at=dt.datetime(2026, 11, 10, 15, 0, 0, 123, tzinfo=HELSINKI),
        ),
        PlanComment(
            id="c1.x", provider_id=p, section_key="goals", author=G1,
            text="Kiitos, hyvä luonnos.", created_at=dt.datetime(2026, 11, 11, 7, 0, tzinfo=dt.UTC),
        ),
        PlanComment(
            id="c2", provider_id=p, section_key="lukio-crisis", author=PersonRef("external", "nuorisotyo"),
            text=long_text("Nuorisotyön huomiot:", 5000, lines=True),
            created_at=dt.datetime(2026, 11, 12, 9, 0, tzinfo=NEW_YORK),
        ),
    ]  # fmt: skip
