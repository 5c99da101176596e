"""An example school portal that embeds welfarekit: its own sign-in and pages, welfarekit's
rules deciding every page (``python -m examples.portal``).

Flask with server-rendered Jinja2 templates and plain HTML forms; CSRF protection on every
form (Flask-WTF), secure session cookies, a content security policy, and no confidential
data in URLs or logs. A page the rules refuse says why, from the decision's reason. The
interface speaks Finnish, Swedish and English (Flask-Babel), chosen per user.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import Babel  # type: ignore[import-untyped]
from flask_babel import gettext as _
from flask_wtf import CSRFProtect  # type: ignore[import-untyped]

from examples.portal.i18n import LANGUAGES, compiled_catalogs, term
from examples.portal.pages import register_pages
from welfarekit import (
    AccessDenied,
    Action,
    Actor,
    ConflictError,
    ConsentRequired,
    Guardian,
    Guardianship,
    PersonKind,
    PersonRef,
    Resource,
    ResourceType,
    Session,
    StaffMember,
    Student,
    WelfareKit,
    WelfareKitError,
)
from welfarekit.demo import DEMO_PROVIDER_ID

__all__ = ["DEMO_USERS", "create_app"]

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("student", "aino.korhonen", "Aino Korhonen, student (16)"),
    ("student", "sofia.laaksonen", "Sofia Laaksonen, student (18), wellbeing group member"),
    ("student", "veeti.hiltunen", "Veeti Hiltunen, student (16)"),
    ("guardian", "sanna.korhonen", "Sanna Korhonen, Aino's guardian"),
    ("guardian", "jaana.makela", "Jaana Mäkelä, Eetu's guardian (Eetu forbade access)"),
    ("guardian", "leena.laaksonen", "Leena Laaksonen, Sofia's guardian (Sofia is 18)"),
    ("staff", "juha.makinen", "Juha Mäkinen, group advisor and teacher"),
    ("staff", "tuomas.saarinen", "Tuomas Saarinen, psychologist"),
    ("staff", "minna.lehtonen", "Minna Lehtonen, school social worker"),
    ("staff", "pekka.heikkinen", "Pekka Heikkinen, teacher, wellbeing group member"),
    ("staff", "helena.virtanen", "Helena Virtanen, principal (the register's manager)"),
    ("staff", "tiina.rantanen", "Tiina Rantanen, unit director, leads the steering group"),
)
"""The demo provider's people one can sign in as: kind, id, who they are."""


def create_app(
    kit: WelfareKit,
    *,
    secret_key: str | None = None,
    secure_cookies: bool = True,
    now: Callable[[], dt.datetime] | None = None,
) -> Flask:
    """The portal for ``kit`` (with the demo provider built, see
    :func:`examples.portal.demo.load_demo`). ``secure_cookies=False`` only for a local run
    over plain HTTP; ``now`` moves the clock (tests, a demonstration of a birthday)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(compiled_catalogs()),
        WELFAREKIT=kit,
    )
    CSRFProtect(app)
    Babel(app, locale_selector=_language)
    app.jinja_env.filters["term"] = term
    clock = now or (lambda: dt.datetime.now(dt.UTC))

    def welfare() -> Session:
        """A welfarekit session for the signed-in person: every page asks through it."""
        person = g.get("person")
        if person is None:
            abort(401)
        return kit.session(Actor(provider_id=DEMO_PROVIDER_ID, person=person), now=clock())

    @app.before_request
    def who() -> None:
        signed = session.get("person")
        g.person = PersonRef(signed[0], signed[1]) if signed else None

    @app.context_processor
    def page_context() -> dict[str, Any]:
        return {"languages": LANGUAGES, "language": _language()}

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(AccessDenied)
    def denied(error: AccessDenied) -> tuple[str, int]:
        return render_template("denied.html", reason=error.decision.reason), 403

    @app.errorhandler(ConsentRequired)
    def consent_first(error: ConsentRequired) -> tuple[str, int]:
        return render_template("denied.html", reason=str(error)), 409

    @app.errorhandler(ConflictError)
    def conflict(error: ConflictError) -> tuple[str, int]:
        return render_template("denied.html", reason=str(error)), 409

    @app.errorhandler(WelfareKitError)
    def refused(error: WelfareKitError) -> tuple[str, int]:
        return render_template("denied.html", reason=str(error)), 400

    @app.errorhandler(401)
    def sign_in_first(error: Any) -> Any:
        return redirect(url_for("sign_in"))

    @app.get("/")
    def home() -> Any:
        if g.person is None:
            return redirect(url_for("sign_in"))
        return render_template("home.html", name=_name(kit, g.person), person=g.person,
                               children=_children(kit, welfare()))  # fmt: skip

    @app.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> Any:
        if request.method == "POST":
            chosen = request.form.get("user", "")
            kind, _sep, person_id = chosen.partition(":")
            if (kind, person_id) not in {(k, i) for k, i, _label in DEMO_USERS}:
                flash(_("Choose one of the demo users."))
                return render_template("sign_in.html", users=DEMO_USERS), 400
            language = session.get("language")
            session.clear()  # a new session on sign-in: no fixation
            session["person"] = (kind, person_id)
            if language:
                session["language"] = language
            return redirect(url_for("home"))
        return render_template("sign_in.html", users=DEMO_USERS)

    @app.post("/sign-out")
    def sign_out() -> Any:
        session.clear()
        return redirect(url_for("sign_in"))

    @app.post("/language")
    def choose_language() -> Any:
        chosen = request.form.get("language", "")
        if chosen not in LANGUAGES:
            abort(400)
        session["language"] = chosen
        # back to where the choice was made, but only within this site
        back = request.form.get("back", "")
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/")

    register_pages(app, welfare)
    return app


def _language() -> str:
    """The user's choice, else the browser's preference among ours, else English."""
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _name(kit: WelfareKit, person: PersonRef) -> str:
    kind = {PersonKind.STUDENT: Student, PersonKind.GUARDIAN: Guardian,
            PersonKind.STAFF: StaffMember}[person.kind]  # fmt: skip
    found = kit.directory("portal").find(kind, DEMO_PROVIDER_ID, person.id)
    return found.full_name if found is not None else person.id


def _children(kit: WelfareKit, portal: Session) -> list[dict[str, Any]]:
    """A guardian's children, each with what the rules say of the guardian's access now:
    a § 18(2) veto or the 18th birthday shows here, with its reason."""
    person = portal.actor.person
    if person is None or person.kind is not PersonKind.GUARDIAN:
        return []
    directory = kit.directory("portal")
    links = directory.list(Guardianship, DEMO_PROVIDER_ID, guardian_id=person.id)
    children = []
    for link in links:
        student = directory.get(Student, DEMO_PROVIDER_ID, link.student_id)
        decision = portal.decide(Action.READ, Resource(
            type=ResourceType.WELFARE_RECORD, provider_id=DEMO_PROVIDER_ID,
            student_id=student.id))  # fmt: skip
        children.append({"id": student.id, "name": student.full_name,
                         "allowed": decision.allowed, "reason": decision.reason})  # fmt: skip
    return children
