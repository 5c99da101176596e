"""The example portal (examples/portal) with Flask's test client: sign-in, the rules deciding
each page (a refusal says why), CSRF on every form, safe headers, and a booking journey."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

flask = pytest.importorskip("flask", reason="the example portal needs Flask")

from examples.portal import create_app  # noqa: E402
from welfarekit import Settings, WelfareKit  # noqa: E402
from welfarekit.crypto import init_key_file  # noqa: E402
from welfarekit.demo import build_consent_demo, build_demo, build_record_demo  # noqa: E402
from welfarekit.demo_casework import build_casework_demo  # noqa: E402


@pytest.fixture
def client(tmp_path: Path) -> Iterator[object]:
    init_key_file(tmp_path / "keys.json")
    kit = WelfareKit.open(Settings(database_url=f"sqlite:///{tmp_path / 'portal.db'}",
                                   key_file=tmp_path / "keys.json"))  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    build_demo(kit)
    build_consent_demo(kit, now)
    build_record_demo(kit, now)
    build_casework_demo(kit, now)
    app = create_app(kit, secret_key="test", secure_cookies=True)
    yield app.test_client()
    kit.close()


def token(client: object, path: str) -> str:
    page = client.get(path).get_data(as_text=True)  # type: ignore[attr-defined]
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: object, who: str) -> None:
    response = client.post("/sign-in", data={"user": who,  # type: ignore[attr-defined]
                                             "csrf_token": token(client, "/sign-in")})  # fmt: skip
    assert response.status_code == 302


def test_a_student_sees_her_records_and_who_accessed_them(client: object) -> None:
    sign_in(client, "student:aino.korhonen")
    home = client.get("/").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Welcome, Aino Korhonen" in home
    records = client.get("/students/aino.korhonen/records").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Poissaolojen lisääntyminen" in records
    link = re.search(r'href="(/records/[^"]+)"', records)
    assert link
    record = client.get(link.group(1)).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Poissaolot ovat lisääntyneet" in record
    access = client.get("/students/aino.korhonen/access").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "welfare_record.read" in access


def test_a_teacher_is_refused_with_the_reason(client: object) -> None:
    sign_in(client, "staff:juha.makinen")
    response = client.get("/students/aino.korhonen/records")  # type: ignore[attr-defined]
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "gives no access to a student" in page
    assert "Traceback" not in page


def test_every_form_needs_its_csrf_token(client: object) -> None:
    response = client.post("/sign-in", data={"user": "student:aino.korhonen"})  # type: ignore[attr-defined]
    assert response.status_code == 400
    sign_in(client, "student:veeti.hiltunen")
    forged = client.post("/students/veeti.hiltunen/bookings", data={"slot": "x"})  # type: ignore[attr-defined]
    assert forged.status_code == 400


def test_safe_headers_and_cookies(client: object) -> None:
    response = client.get("/sign-in")  # type: ignore[attr-defined]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    signed = client.post("/sign-in", data={"user": "student:aino.korhonen",  # type: ignore[attr-defined]
                                           "csrf_token": token(client, "/sign-in")})  # fmt: skip
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_signed_out_pages_send_to_sign_in(client: object) -> None:
    response = client.get("/students/aino.korhonen/records")  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")


def test_a_student_books_and_cancels(client: object) -> None:
    sign_in(client, "student:aino.korhonen")
    page = client.get("/students/aino.korhonen/bookings").get_data(as_text=True)  # type: ignore[attr-defined]
    slot = re.search(r'name="slot" value="([^"]+)"', page)
    assert slot, page
    booked = client.post("/students/aino.korhonen/bookings", follow_redirects=True,  # type: ignore[attr-defined]
                         data={"slot": slot.group(1), "csrf_token": token(
                             client, "/students/aino.korhonen/bookings")})  # fmt: skip
    text = booked.get_data(as_text=True)
    assert "Booked." in text
    cancel = re.search(r'action="(/bookings/[^"]+/cancel)"', text)
    assert cancel
    cancelled = client.post(cancel.group(1), follow_redirects=True,  # type: ignore[attr-defined]
                            data={"csrf_token": token(client, "/students/aino.korhonen/bookings")})  # fmt: skip
    assert "Cancelled." in cancelled.get_data(as_text=True)


def test_a_professional_sees_the_caseload(client: object) -> None:
    sign_in(client, "staff:minna.lehtonen")
    page = client.get("/caseload").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "referral — student veeti.hiltunen" in page


def test_a_student_leaves_a_matter_sends_an_initiative_and_downloads_her_data(
    client: object,
) -> None:
    sign_in(client, "student:aino.korhonen")
    left = client.post("/matters", follow_redirects=True, data={  # type: ignore[attr-defined]
        "holder": "kaisa.salminen", "text": "Minua jännittää kokeet.",
        "csrf_token": token(client, "/matters")})  # fmt: skip
    assert "Minua jännittää kokeet." in left.get_data(as_text=True)
    sent = client.post("/initiatives", follow_redirects=True, data={  # type: ignore[attr-defined]
        "group": "wellbeing-lukio", "subject": "Lepotila", "text": "Hiljainen tila välitunneille",
        "csrf_token": token(client, "/initiatives")})  # fmt: skip
    assert "Lepotila — received" in sent.get_data(as_text=True)
    copy = client.get("/students/aino.korhonen/copy")  # type: ignore[attr-defined]
    assert copy.headers["Content-Disposition"].startswith("attachment")
    assert copy.get_json()["student"]["name"] == "Aino Korhonen"


def test_a_teacher_refers_and_then_cannot_read_it(client: object) -> None:
    sign_in(client, "staff:juha.makinen")
    made = client.post("/referrals/new", follow_redirects=True, data={  # type: ignore[attr-defined]
        "student": "aino.korhonen", "professional": "tuomas.saarinen",
        "concern": "Väsynyt tunneilla", "csrf_token": token(client, "/referrals/new")})  # fmt: skip
    assert "The referral was made" in made.get_data(as_text=True)
    assert "Väsynyt tunneilla" not in made.get_data(as_text=True)
    denied = client.get("/self-monitoring")  # type: ignore[attr-defined]
    assert denied.status_code == 403


def test_the_principal_sees_self_monitoring_and_access_requests(client: object) -> None:
    sign_in(client, "staff:helena.virtanen")
    page = client.get("/self-monitoring").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Students per school social worker" in page
    assert "due" in page  # Aino's request from the demo


def test_a_student_withdraws_a_consent(client: object) -> None:
    sign_in(client, "student:aino.korhonen")
    page = client.get("/students/aino.korhonen/consents").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "forming an expert group" in page
    action = re.search(
        r'action="(/students/aino.korhonen/consents/demo-consent-aino/withdraw)"', page
    )
    assert action, page
    done = client.post(action.group(1), follow_redirects=True,  # type: ignore[attr-defined]
                       data={"csrf_token": token(client, "/students/aino.korhonen/consents")})  # fmt: skip
    text = done.get_data(as_text=True)
    assert "Withdrawn from now on" in text
    assert "withdrawn" in text
    sign_in(client, "staff:tuomas.saarinen")  # the group's psychologist loses access
    assert client.get("/students/aino.korhonen/records").status_code == 403  # type: ignore[attr-defined]


def test_a_guardian_sees_her_childs_records_and_a_vetoed_guardian_sees_why_not(
    client: object,
) -> None:
    sign_in(client, "guardian:sanna.korhonen")
    page = client.get("/students/aino.korhonen/records").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Poissaolojen lisääntyminen" in page
    sign_in(client, "guardian:jaana.makela")
    refused = client.get("/students/eetu.makela/records")  # type: ignore[attr-defined]
    assert refused.status_code == 403
    assert "18(2)" in refused.get_data(as_text=True)


def test_a_psychologist_opens_a_time_and_a_teacher_alerts_the_crisis_group(
    client: object,
) -> None:
    sign_in(client, "staff:tuomas.saarinen")
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    opened = client.post("/availability", follow_redirects=True, data={  # type: ignore[attr-defined]
        "service": "psychologist", "starts_at": later,
        "csrf_token": token(client, "/availability")})  # fmt: skip
    assert "The time is open for booking." in opened.get_data(as_text=True)
    sign_in(client, "staff:juha.makinen")
    alerted = client.post("/crisis", follow_redirects=True, data={  # type: ignore[attr-defined]
        "institution": "harjula-lukio", "kind": "accident", "title": "Liukastuminen pihalla",
        "csrf_token": token(client, "/crisis")})  # fmt: skip
    assert "The crisis group was alerted" in alerted.get_data(as_text=True)
    named = client.post("/crisis", data={  # type: ignore[attr-defined]
        "institution": "harjula-lukio", "kind": "loss", "title": "Aino Korhonen",
        "csrf_token": token(client, "/crisis")})  # fmt: skip
    assert named.status_code == 400  # a communal log names no student
    assert "names a student" in named.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "path", "form", "reason"),
    [
        ("student:aino.korhonen", "/students/aino.korhonen/consents",
         {"kind": "maybe", "group": "g", "roles": ["psychologist"]}, "consent or refusal"),
        ("staff:tuomas.saarinen", "/availability",
         {"starts_at": "9999-12-31T23:59", "service": "psychologist"}, "not a date and time"),
    ],
)  # fmt: skip
def test_a_form_value_the_page_cannot_read_is_refused_not_a_500(
    client: object, who: str, path: str, form: dict[str, object], reason: str
) -> None:
    """An unknown kind of expression of will was a ValueError, and an open time in the last
    minutes of year 9999 an OverflowError: both a 500."""
    sign_in(client, who)
    response = client.post(path, data={**form, "csrf_token": token(client, path if  # type: ignore[attr-defined]
                                       "consents" in path else "/availability")})  # fmt: skip
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
