"""The example portal's journeys, one per role, with Flask's test client: consent given and
refused, an expert group formed and its meeting recorded, a guardian's access ended by the
18th birthday, the register's manager, the welfare group member and the plan; and the
interface in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the example portal needs Flask")
pytest.importorskip("flask_babel", reason="the example portal needs Flask-Babel")

from flask.testing import FlaskClient

from examples.portal import create_app
from examples.portal.demo import PROPOSED_GROUP, load_demo
from welfarekit import Actor, PersonKind, PersonRef, Settings, WelfareKit
from welfarekit.crypto import init_key_file
from welfarekit.demo import DEMO_PROVIDER_ID


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once; each test works on its own copy of the database."""
    directory = tmp_path_factory.mktemp("portal-demo")
    init_key_file(directory / "keys.json")
    with WelfareKit.open(Settings(database_url=f"sqlite:///{directory / 'portal.db'}",
                                  key_file=directory / "keys.json")) as kit:  # fmt: skip
        load_demo(kit)
    return directory


def copy_demo(source: Path, target: Path) -> None:
    """The demo's database and key file, the key file owner-only as welfarekit requires."""
    shutil.copy2(source / "portal.db", target / "portal.db")
    shutil.copy2(source / "keys.json", target / "keys.json")


@pytest.fixture
def client(demo_database: Path, tmp_path: Path) -> Iterator[FlaskClient]:
    copy_demo(demo_database, tmp_path)
    kit = WelfareKit.open(Settings(database_url=f"sqlite:///{tmp_path / 'portal.db'}",
                                   key_file=tmp_path / "keys.json"))  # fmt: skip
    app = create_app(kit, secret_key="test", secure_cookies=True)
    yield app.test_client()
    kit.close()


def form_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def post(client: FlaskClient, path: str, data: dict[str, object], *, page: str = "/") -> str:
    """Submit a form as the browser would (with the page's CSRF token) and follow on;
    returns the page shown."""
    response = client.post(path, data={**data, "csrf_token": form_token(client, page)},
                           follow_redirects=True)  # fmt: skip
    return response.get_data(as_text=True)


def sign_in(client: FlaskClient, who: str) -> None:
    response = client.post("/sign-in", data={"user": who,
                                             "csrf_token": form_token(client, "/sign-in")})  # fmt: skip
    assert response.status_code == 302


# -- consent, the expert group and its record ------------------------------------------------


def test_consent_forms_the_group_and_its_meeting_is_recorded(client: FlaskClient) -> None:
    sign_in(client, "student:sofia.laaksonen")
    consents = client.get("/students/sofia.laaksonen/consents").get_data(as_text=True)
    assert "An expert group was proposed" in consents
    assert f'value="{PROPOSED_GROUP}"' in consents
    given = post(client, "/students/sofia.laaksonen/consents",
                 {"group": PROPOSED_GROUP, "kind": "consent", "roles": ["psychologist"]},
                 page="/students/sofia.laaksonen/consents")  # fmt: skip
    assert "Your consent was recorded" in given
    assert "An expert group was proposed" not in given  # answered: no longer asked
    assert "forming an expert group" in given
    assert "in force" in given

    sign_in(client, "staff:tuomas.saarinen")
    groups = client.get("/groups").get_data(as_text=True)
    assert f'id="group-{PROPOSED_GROUP}"' in groups
    assert "proposed" in groups
    formed = post(client, f"/groups/{PROPOSED_GROUP}/form", {}, page="/groups")
    assert "The expert group was formed with you as its responsible person." in formed
    assert "sofia.laaksonen — student" in formed
    opened = post(client, f"/groups/{PROPOSED_GROUP}/records",
                  {"subject": "Jännittäminen", "background": "Sofia pyysi tukea.",
                   "initiator": "opiskelija itse"}, page=f"/groups/{PROPOSED_GROUP}")  # fmt: skip
    assert "The record was opened." in opened
    record_path = re.search(r'action="(/records/[^"]+)/entries"', opened)
    assert record_path, opened
    recorded = post(client, f"{record_path.group(1)}/entries",
                    {"text": "Sovittiin tapaamisista.",
                     "participants": "Sofia Laaksonen, opiskelija\nTuomas Saarinen, psykologi",
                     "measure": "Viikoittainen tapaaminen", "responsible": "Tuomas Saarinen"},
                    page=record_path.group(1))  # fmt: skip
    assert "The meeting was recorded." in recorded
    assert "Sofia Laaksonen (opiskelija), Tuomas Saarinen (psykologi)" in recorded
    assert "Sovittiin tapaamisista." in recorded
    assert "Viikoittainen tapaaminen" in recorded

    sign_in(client, "student:sofia.laaksonen")  # the student reads her own record
    assert "Sovittiin tapaamisista." in client.get(record_path.group(1)).get_data(as_text=True)
    sign_in(client, "staff:juha.makinen")  # the teacher does not
    refused = client.get(record_path.group(1))
    assert refused.status_code == 403
    assert "gives no access" in refused.get_data(as_text=True)


def test_a_refusal_keeps_the_group_unformed(client: FlaskClient) -> None:
    sign_in(client, "student:sofia.laaksonen")
    no_roles = client.post("/students/sofia.laaksonen/consents", data={
        "group": PROPOSED_GROUP, "kind": "consent",
        "csrf_token": form_token(client, "/students/sofia.laaksonen/consents")})  # fmt: skip
    assert no_roles.status_code == 400
    assert "choose at least one" in no_roles.get_data(as_text=True)
    refused = post(client, "/students/sofia.laaksonen/consents",
                   {"group": PROPOSED_GROUP, "kind": "refusal"},
                   page="/students/sofia.laaksonen/consents")  # fmt: skip
    assert "Your refusal was recorded; no group is formed." in refused
    sign_in(client, "staff:tuomas.saarinen")
    attempt = client.post(f"/groups/{PROPOSED_GROUP}/form",
                          data={"csrf_token": form_token(client, "/groups")})  # fmt: skip
    assert attempt.status_code == 409  # consent is what it takes, and the page says whose
    assert "consent" in attempt.get_data(as_text=True)
    assert "Traceback" not in attempt.get_data(as_text=True)


def test_only_the_student_or_her_guardian_answers_for_her(client: FlaskClient) -> None:
    sign_in(client, "student:veeti.hiltunen")
    other = client.post("/students/sofia.laaksonen/consents", data={
        "group": PROPOSED_GROUP, "kind": "consent", "roles": ["psychologist"],
        "csrf_token": form_token(client, "/")})  # fmt: skip
    assert other.status_code == 400
    assert "a student expresses their will only about themself" in other.get_data(as_text=True)
    sign_in(client, "guardian:sanna.korhonen")  # a guardian, but not Sofia's
    assert client.get("/students/sofia.laaksonen/consents").status_code == 403
    sign_in(client, "student:sofia.laaksonen")  # nothing was recorded for her
    consents = client.get("/students/sofia.laaksonen/consents").get_data(as_text=True)
    assert "An expert group was proposed" in consents
    assert "None recorded." in consents


# -- guardians --------------------------------------------------------------------------------


def test_the_18th_birthday_visibly_ends_a_guardians_access(client: FlaskClient) -> None:
    sign_in(client, "guardian:leena.laaksonen")
    home = client.get("/").get_data(as_text=True)
    ended = re.search(r'id="ended-sofia.laaksonen">(.*?)</p>', home, re.DOTALL)
    assert ended, home
    assert "turned 18" in ended.group(1)
    refused = client.get("/students/sofia.laaksonen/records")
    assert refused.status_code == 403
    assert "turned 18" in refused.get_data(as_text=True)


def test_a_guardian_of_a_minor_sees_her_child_and_a_veto_shows_its_reason(
    client: FlaskClient,
) -> None:
    sign_in(client, "guardian:sanna.korhonen")
    home = client.get("/").get_data(as_text=True)
    assert "Aino Korhonen" in home
    assert 'id="ended-' not in home
    assert client.get("/students/aino.korhonen/records").status_code == 200
    sign_in(client, "guardian:jaana.makela")
    home = client.get("/").get_data(as_text=True)
    ended = re.search(r'id="ended-eetu.makela">(.*?)</p>', home, re.DOTALL)
    assert ended
    assert "18(2)" in ended.group(1)


# -- the register's manager --------------------------------------------------------------------


def test_the_register_manager_sees_the_audit_trail_and_requests(client: FlaskClient) -> None:
    sign_in(client, "staff:helena.virtanen")
    page = client.get("/register").get_data(as_text=True)
    assert re.search(r'id="chain">The audit chain verifies: \d+ entries intact', page)
    assert "audit_log.read" in page  # her own look is logged first
    assert "due" in page  # Aino's subject access request from the demo
    assert "Poissaolot" not in page  # no record content in the audit view
    sign_in(client, "staff:minna.lehtonen")
    refused = client.get("/register")
    assert refused.status_code == 403
    assert "audit log" in refused.get_data(as_text=True)


# -- the welfare group member and the plan -----------------------------------------------------


def test_a_wellbeing_group_member_sees_the_agenda_and_answers_an_initiative(
    client: FlaskClient,
) -> None:
    sign_in(client, "student:aino.korhonen")
    post(client, "/initiatives", {"group": "wellbeing-lukio", "subject": "Penkit",
                                  "text": "Lisää penkkejä pihalle."}, page="/initiatives")  # fmt: skip
    sign_in(client, "staff:pekka.heikkinen")
    page = client.get("/communal").get_data(as_text=True)
    assert "Välituntien valvonta" in page  # the demo minutes
    assert "Penkit" in page
    initiative = re.search(r'action="(/initiatives/[^"]+/answer)"', page)
    assert initiative
    answered = post(client, initiative.group(1), {"response": "Penkit tilataan keväällä."},
                    page="/communal")  # fmt: skip
    assert "The answer was sent to the initiator." in answered
    sign_in(client, "student:aino.korhonen")
    assert "Penkit tilataan keväällä." in client.get("/initiatives").get_data(as_text=True)
    sign_in(client, "staff:juha.makinen")  # not a member: nothing to show, nothing leaks
    assert "You are not a member of a welfare group." in client.get("/communal").get_data(
        as_text=True
    )


def test_the_plan_is_commented_approved_and_published(client: FlaskClient) -> None:
    sign_in(client, "student:sofia.laaksonen")
    commented = post(client, "/plan/comments",
                     {"section": "goals", "text": "Opiskelijat mukaan suunnitteluun."},
                     page="/plan")  # fmt: skip
    assert "Your comment was added." in commented
    assert "Opiskelijat mukaan suunnitteluun." in commented
    named = client.post("/plan/comments", data={
        "section": "goals", "text": "Aino Korhonen on väsynyt",
        "csrf_token": form_token(client, "/plan")})  # fmt: skip
    assert named.status_code == 400  # the plan names no student
    sign_in(client, "staff:pekka.heikkinen")
    refused = client.post("/plan/approve", data={"csrf_token": form_token(client, "/plan")})
    assert refused.status_code == 403  # approval is the steering group's
    # a member edits the school's own section: the plan goes back to draft
    plan = client.get("/plan").get_data(as_text=True)
    # the per-institution sections say whose they are
    assert plan.count("Suunnitelma opiskelijoiden suojaamiseksi") >= 2
    assert "häirinnältä — Harjulan lukio</h2>" in plan
    version = re.search(
        r'name="expected_version" value="(\d+)"[^>]*data-section="protection_plan@harjula-lukio"',
        plan,
    )
    assert version, plan
    edited = post(client, "/plan/sections/protection_plan@harjula-lukio",
                  {"body": "Kiusaamiseen puututaan samana päivänä.",
                   "expected_version": version.group(1)}, page="/plan")  # fmt: skip
    assert "The plan is draft." in edited
    assert "Kiusaamiseen puututaan samana päivänä." in edited
    stale = client.post("/plan/sections/protection_plan@harjula-lukio", data={
        "body": "Vanhan version päälle", "expected_version": version.group(1),
        "csrf_token": form_token(client, "/plan")})  # fmt: skip
    assert stale.status_code == 409  # someone edited first: nothing is overwritten
    assert "someone else edited it" in stale.get_data(as_text=True)

    sign_in(client, "staff:tiina.rantanen")  # the steering group's leader
    early = client.post("/plan/publish", data={"csrf_token": form_token(client, "/plan")})
    assert early.status_code == 400
    assert "must be approved" in early.get_data(as_text=True)
    assert "The plan is in review." in post(client, "/plan/submit", {}, page="/plan")
    assert "The plan is approved." in post(client, "/plan/approve", {}, page="/plan")
    published = client.post("/plan/publish", data={"csrf_token": form_token(client, "/plan")})
    assert published.status_code == 200
    text = published.get_data(as_text=True)
    assert "<h1>Opiskeluhuoltosuunnitelma" in text
    assert "Kiusaamiseen puututaan samana päivänä." in text


# -- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "welcome", "records"),
    [("fi", "Tervetuloa, Aino Korhonen", "Opiskeluhuoltokertomukseni"),
     ("sv", "Välkommen, Aino Korhonen", "Mina elevhälsojournaler"),
     ("en", "Welcome, Aino Korhonen", "My welfare records")],
)  # fmt: skip
def test_each_user_chooses_the_language(
    client: FlaskClient, language: str, welcome: str, records: str
) -> None:
    sign_in(client, "student:aino.korhonen")
    page = post(client, "/language", {"language": language, "back": "/"})
    assert welcome in page
    assert records in page
    assert f'<html lang="{language}">' in page
    # the choice stays with the user, and survives signing in again
    sign_in(client, "student:aino.korhonen")
    assert welcome in client.get("/").get_data(as_text=True)


def test_the_browsers_language_is_the_default_and_a_bad_choice_is_refused(
    client: FlaskClient,
) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    assert "Logga in" in page.get_data(as_text=True)
    assert (
        client.get("/sign-in", headers={"Accept-Language": "de"})
        .get_data(as_text=True)
        .count("Sign in")
    )
    bad = client.post("/language", data={"language": "xx",
                                         "csrf_token": form_token(client, "/sign-in")})  # fmt: skip
    assert bad.status_code == 400
    # a "back" address off this site is not followed
    away = client.post("/language", data={"language": "fi", "back": "//evil.example/",
                                          "csrf_token": form_token(client, "/sign-in")})  # fmt: skip
    assert away.headers["Location"] == "/"


def test_every_text_is_translated_with_the_same_placeholders() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from examples.portal.i18n import CATALOGS

    portal = CATALOGS.parent
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None}
    wanted = {message for *_, message, _comments, _context in
              extract_from_dir(str(portal), method_map, keywords=keywords)}  # fmt: skip
    assert len(wanted) > 150
    for language in ("fi", "sv"):
        with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source)
        for message_id in wanted:
            found = catalog.get(message_id)
            assert found is not None, f"{language}: no translation of {message_id!r}"
            assert found.string, f"{language}: an empty translation of {message_id!r}"
            placeholders = set(re.findall(r"%\(\w+\)[sd]", message_id))
            assert set(re.findall(r"%\(\w+\)[sd]", found.string)) == placeholders, (
                f"{language}: {message_id!r} -> {found.string!r}"
            )
        stale = {m.id for m in catalog if m.id} - wanted
        assert not stale, f"{language}: translations of texts no longer used: {stale}"


def test_the_demo_loader_is_repeatable(demo_database: Path, tmp_path: Path) -> None:
    copy_demo(demo_database, tmp_path)
    with WelfareKit.open(Settings(database_url=f"sqlite:///{tmp_path / 'portal.db'}",
                                  key_file=tmp_path / "keys.json")) as kit:  # fmt: skip
        load_demo(kit, dt.datetime.now(dt.UTC))  # a second run adds nothing
        sofia = kit.session(Actor(provider_id=DEMO_PROVIDER_ID,
                                  person=PersonRef(PersonKind.STUDENT, "sofia.laaksonen")))  # fmt: skip
        assert [v.state.group_id for v in sofia.expert_groups(student_id=sofia.actor.person.id)
                ] == [PROPOSED_GROUP]  # type: ignore[union-attr]  # fmt: skip


# -- safe and accessible forms -----------------------------------------------------------------


class _FormAudit(HTMLParser):
    """Collects the forms' methods and each control's label on one page."""

    def __init__(self) -> None:
        super().__init__()
        self.methods: list[str] = []
        self.controls: list[tuple[str, str | None]] = []  # (name, id) of controls
        self.labelled: set[str] = set()  # ids named by <label for=...>
        self.inside_label = 0
        self.wrapped: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.methods.append((found.get("method") or "get").lower())
        elif tag == "label":
            self.inside_label += 1
            if found.get("for"):
                self.labelled.add(str(found["for"]))
        elif tag in ("input", "select", "textarea"):
            if found.get("type") in ("hidden", "submit"):
                return
            name = str(found.get("name"))
            if self.inside_label:
                self.wrapped.append(name)
            else:
                self.controls.append((name, found.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.inside_label -= 1


@pytest.mark.parametrize(
    ("who", "paths"),
    [("student:sofia.laaksonen", ["/", "/students/sofia.laaksonen/consents",
                                  "/students/sofia.laaksonen/bookings", "/matters",
                                  "/initiatives", "/plan", "/communal"]),
     ("staff:tuomas.saarinen", ["/caseload", "/groups", "/availability", "/referrals/new",
                                "/crisis"]),
     ("staff:helena.virtanen", ["/register", "/self-monitoring"])],
)  # fmt: skip
def test_every_form_posts_and_every_control_has_a_label(
    client: FlaskClient, who: str, paths: list[str]
) -> None:
    sign_in(client, who)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        audit = _FormAudit()
        audit.feed(response.get_data(as_text=True))
        # what is typed goes in a POST body, never into a URL (or the access log)
        assert set(audit.methods) == {"post"}, path
        assert audit.controls, f"{path}: no form controls found (the language choice at least)"
        for name, control_id in audit.controls:
            assert control_id in audit.labelled, f"{path}: the {name!r} field has no label"
