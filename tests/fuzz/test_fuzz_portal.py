"""The example portal's forms from outside: whoever is signed in posts whatever field values
and path segments they like. The portal answers with a page or a refusal — never a 500, never
a traceback — and a refused form (4xx) leaves every table as it was except the audit trail,
which only grows (the refusal is audited) and still verifies."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import fuzz
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st

pytest.importorskip("flask", reason="the example portal needs Flask")
pytest.importorskip("flask_babel", reason="the example portal needs Flask-Babel")

from flask.testing import FlaskClient
from portal_world import copy_world, demo_kit

from examples.portal import DEMO_USERS, create_app
from examples.portal.pages import HOLDERS
from welfarekit import WelfareKit
from welfarekit.audit_chain import verify
from welfarekit.clock import FINLAND
from welfarekit.demo import DEMO_PROVIDER_ID

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
AUDIT = "welfarekit_audit_events"


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("portal-fuzz")
    demo_kit(directory, NOW).close()
    return directory


@pytest.fixture(scope="module")
def known_ids(demo_world: Path) -> list[str]:
    """The identifiers in the demo's tables — what a form or a path can usefully name — in
    the order the demo wrote them (random ids sorted would change the examples from run to
    run)."""
    found: dict[str, None] = {}
    with sqlite3.connect(demo_world / "portal.db") as db:
        names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for (table,) in list(names):
            if table in (AUDIT, "welfarekit_outbox", "welfarekit_alembic_version"):
                continue
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                if column in ("id", "key") or column.endswith(("_id", "_key")):
                    for (value,) in db.execute(f'SELECT "{column}" FROM "{table}" ORDER BY rowid'):
                        if isinstance(value, str):
                            found[value] = None
    return list(found)


@pytest.fixture
def portal(demo_world: Path, tmp_path: Path) -> Iterator[tuple[FlaskClient, WelfareKit, Path]]:
    kit = copy_world(demo_world, tmp_path)
    app = create_app(kit, secret_key="fuzz", secure_cookies=False, now=lambda: NOW)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)  # an exception fails the test
    yield app.test_client(), kit, tmp_path / "portal.db"
    kit.close()


def tables(database: Path) -> tuple[dict[str, str], int]:
    """A digest of every table but the audit trail's, and the audit trail's length."""
    digests = {}
    with sqlite3.connect(database) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            if name != AUDIT:
                rows = sorted(repr(row) for row in db.execute(f'SELECT * FROM "{name}"'))
                digests[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        (audit,) = db.execute(f'SELECT count(*) FROM "{AUDIT}"').fetchone()
    return digests, audit


TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "x" * 5000, "psychologist",
                     "consent", "refusal", "submit", "approve", "publish", "nurse", "fi", "sv",
                     "//evil.test", "/", "2026-11-30T10:00", "9999-12-31T23:59",
                     "0001-01-01T00:00", "2026-02-30T10:00", "1", "-1", "10**5000"]),
)  # fmt: skip


@st.composite
def submissions(draw: st.DrawFn, ids: list[str]) -> tuple[str, str, dict[str, Any]]:
    """Who is signed in, the path posted to and the form's fields."""

    def some_id() -> str:
        return str(draw(st.sampled_from(ids) | TEXT))

    def segment() -> str:
        return urllib.parse.quote(some_id() or "x", safe="")

    def field() -> str:
        return str(draw(st.sampled_from(ids) | TEXT))

    # Each route's path and fields, drawn only for the route chosen.
    routes: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
        "book": lambda: (f"/students/{segment()}/bookings", {"slot": field()}),
        "cancel": lambda: (f"/bookings/{segment()}/cancel", {}),
        "matter": lambda: ("/matters", {
            "holder": draw(st.sampled_from([h for h, _ in HOLDERS]) | TEXT), "text": field()}),
        "initiative": lambda: ("/initiatives", {
            "group": field(), "subject": field(), "text": field()}),
        "consent": lambda: (f"/students/{segment()}/consents", {
            "kind": draw(st.sampled_from(["consent", "refusal"]) | TEXT),
            "roles": draw(st.lists(st.sampled_from(["psychologist", "nurse", "doctor"]) | TEXT,
                                   max_size=3)),
            "group": field()}),
        "withdraw": lambda: (f"/students/{segment()}/consents/{segment()}/withdraw", {}),
        "refer": lambda: ("/referrals/new", {
            "student": field(), "professional": field(), "concern": field()}),
        "availability": lambda: ("/availability", {"starts_at": field(), "service": field()}),
        "crisis": lambda: ("/crisis", {"institution": field(), "kind": field(),
                                       "title": field()}),
        "form group": lambda: (f"/groups/{segment()}/form", {}),
        "open record": lambda: (f"/groups/{segment()}/records", {
            "subject": field(), "background": field(), "initiator": field()}),
        "entry": lambda: (f"/records/{segment()}/entries", {
            "participants": field(), "measure": field(), "responsible": field(),
            "text": field()}),
        "answer": lambda: (f"/initiatives/{segment()}/answer", {"response": field()}),
        "comment": lambda: ("/plan/comments", {"section": field(), "text": field()}),
        "edit plan": lambda: (f"/plan/sections/{segment()}", {
            "expected_version": field(), "body": field()}),
        "plan step": lambda: (f"/plan/{segment()}", {}),
        "sign in": lambda: ("/sign-in", {"user": draw(st.sampled_from(
            [f"{k}:{i}" for k, i, _ in DEMO_USERS]) | TEXT)}),
        "language": lambda: ("/language", {"language": field(), "back": field()}),
    }  # fmt: skip
    user = draw(st.sampled_from([f"{kind}:{person}" for kind, person, _ in DEMO_USERS] + [""]))
    path, form = routes[draw(st.sampled_from(sorted(routes)))]()
    return user, path, {k: v for k, v in form.items() if draw(st.integers(0, 9))}


def _submit(
    client: FlaskClient, kit: WelfareKit, database: Path, user: str, path: str,
    form: dict[str, Any],
) -> None:  # fmt: skip
    with client.session_transaction() as session:
        session.clear()
        if user:
            session["person"] = user.split(":", 1)
    before, audit_before = tables(database)
    response = client.post(path, data=form)
    page = response.get_data(as_text=True)
    if currently_in_test_context():
        event(f"{response.status_code} {path.split('/')[1]}")
    assert response.status_code < 500, page
    assert "Traceback" not in page
    after, audit_after = tables(database)
    if 400 <= response.status_code < 500:
        changed = sorted(name for name in after if after[name] != before.get(name))
        assert not changed, f"a refused form changed {changed}"
    assert audit_after >= audit_before
    with kit.storage.transaction() as tx:
        assert verify(tx.audit_entries(DEMO_PROVIDER_ID))


@fuzz(150)
@given(st.data())
def test_any_form_is_answered_without_a_500_and_a_refusal_writes_nothing(
    portal: tuple[FlaskClient, WelfareKit, Path], known_ids: list[str], data: st.DataObject
) -> None:
    client, kit, database = portal
    user, path, form = data.draw(submissions(known_ids))
    _submit(client, kit, database, user, path, form)


@pytest.mark.parametrize(
    ("user", "path", "form"),
    [
        ("student:sofia.laaksonen", "/students/sofia.laaksonen/consents",
         {"kind": "maybe", "group": "portal-case-sofia", "roles": ["psychologist"]}),
        ("staff:tuomas.saarinen", "/availability",
         {"starts_at": "9999-12-31T23:59", "service": "psychologist"}),
        ("staff:tuomas.saarinen", "/availability", {"starts_at": "10000-01-01", "service": "x"}),
        ("staff:helena.virtanen", "/plan/sections/x", {"expected_version": "1" * 5000, "body": "b"}),
        ("student:aino.korhonen", "/matters", {"holder": "kaisa.salminen", "text": "\x00"}),
    ],
)  # fmt: skip
def test_forms_that_once_failed_with_a_500(
    portal: tuple[FlaskClient, WelfareKit, Path], user: str, path: str, form: dict[str, Any]
) -> None:
    client, kit, database = portal
    _submit(client, kit, database, user, path, form)


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    portal: tuple[FlaskClient, WelfareKit, Path],
) -> None:
    client, _kit, database = portal
    client.application.config["WTF_CSRF_ENABLED"] = True
    with client.session_transaction() as session:
        session["person"] = ["student", "aino.korhonen"]
    before = tables(database)
    response = client.post("/matters", data={"holder": "kaisa.salminen", "text": "Hei"})
    assert response.status_code == 400
    assert tables(database) == before
