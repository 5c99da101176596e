"""An example school portal that embeds welfarekit: its own sign-in and pages, welfarekit's
rules deciding every page (``python -m examples.portal``).

Flask with server-rendered Jinja2 templates and plain HTML forms; CSRF protection on every
form (Flask-WTF), secure session cookies, a content security policy, and no confidential
data in URLs or logs. A page the rules refuse says why, from the decision's reason.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import CSRFProtect  # type: ignore[import-untyped]

from welfarekit import (
    AccessDenied,
    Actor,
    Guardian,
    PersonKind,
    PersonRef,
    StaffMember,
    Student,
    WelfareKit,
    WelfareKitError,
)
from welfarekit.clock import FINLAND
from welfarekit.demo import DEMO_PROVIDER_ID

__all__ = ["DEMO_USERS", "create_app"]

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("student", "aino.korhonen", "Aino Korhonen, student (16)"),
    ("guardian", "sanna.korhonen", "Sanna Korhonen, Aino's guardian"),
    ("student", "veeti.hiltunen", "Veeti Hiltunen, student (16)"),
    ("staff", "juha.makinen", "Juha Mäkinen, group advisor"),
    ("staff", "tuomas.saarinen", "Tuomas Saarinen, psychologist"),
    ("staff", "minna.lehtonen", "Minna Lehtonen, school social worker"),
    ("staff", "helena.virtanen", "Helena Virtanen, principal"),
    ("guardian", "jaana.makela", "Jaana Mäkelä, Eetu's guardian (Eetu forbade access)"),
)
"""The demo provider's people one can sign in as."""

HOLDERS: tuple[tuple[str, str], ...] = (
    ("kaisa.salminen", "Kaisa Salminen, nurse"),
    ("minna.lehtonen", "Minna Lehtonen, school social worker"),
    ("tuomas.saarinen", "Tuomas Saarinen, psychologist"),
)
"""Welfare staff a matter can be left with or a student referred to."""


def create_app(
    kit: WelfareKit,
    *,
    secret_key: str | None = None,
    secure_cookies: bool = True,
    now: Callable[[], dt.datetime] | None = None,
) -> Flask:
    """The portal for ``kit`` (with the demo provider built). ``secure_cookies=False`` only
    for a local run over plain HTTP."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    CSRFProtect(app)
    clock = now or (lambda: dt.datetime.now(dt.UTC))

    def welfare() -> Any:
        person = g.get("person")
        if person is None:
            abort(401)
        return kit.session(Actor(provider_id=DEMO_PROVIDER_ID, person=person), now=clock())

    @app.before_request
    def who() -> None:
        signed = session.get("person")
        g.person = PersonRef(signed[0], signed[1]) if signed else None

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
        return render_template("home.html", name=_name(kit, g.person), person=g.person)

    @app.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> Any:
        if request.method == "POST":
            chosen = request.form.get("user", "")
            kind, _, person_id = chosen.partition(":")
            if (kind, person_id) not in {(k, i) for k, i, _ in DEMO_USERS}:
                flash("Choose one of the demo users.")
                return render_template("sign_in.html", users=DEMO_USERS), 400
            session.clear()
            session["person"] = (kind, person_id)
            return redirect(url_for("home"))
        return render_template("sign_in.html", users=DEMO_USERS)

    @app.post("/sign-out")
    def sign_out() -> Any:
        session.clear()
        return redirect(url_for("sign_in"))

    _student_pages(app, welfare)
    _staff_pages(app, welfare)
    return app


def _student_pages(app: Flask, welfare: Callable[[], Any]) -> None:
    """What a student (or an entitled guardian) does: records, access, bookings, a copy,
    a matter left confidentially, initiatives."""

    @app.get("/students/<student_id>/records")
    def records(student_id: str) -> str:
        found = welfare().records(student_id)
        return render_template("records.html", records=found, student_id=student_id)

    @app.get("/records/<record_id>")
    def record(record_id: str) -> str:
        return render_template("record.html", timeline=welfare().timeline(record_id))

    @app.get("/students/<student_id>/access")
    def access(student_id: str) -> str:
        return render_template("access.html", entries=welfare().access_report(student_id))

    @app.get("/students/<student_id>/bookings")
    def bookings(student_id: str) -> str:
        portal = welfare()
        return render_template("bookings.html", student_id=student_id,
                               bookings=portal.bookings(student_id=student_id),
                               slots=portal.available_slots())  # fmt: skip

    @app.post("/students/<student_id>/bookings")
    def book(student_id: str) -> Any:
        welfare().book(request.form["slot"], student_id=student_id)
        flash("Booked.")
        return redirect(url_for("bookings", student_id=student_id))

    @app.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id: str) -> Any:
        cancelled = welfare().cancel_booking(booking_id)
        flash("Cancelled.")
        return redirect(url_for("bookings", student_id=cancelled.student_id))

    @app.get("/students/<student_id>/consents")
    def consents(student_id: str) -> str:
        history = welfare().will_history(student_id)
        withdrawn = {w.withdraws for w in history.withdrawals}
        return render_template("consents.html", student_id=student_id, history=history,
                               withdrawn=withdrawn)  # fmt: skip

    @app.post("/students/<student_id>/consents/<record_id>/withdraw")
    def withdraw(student_id: str, record_id: str) -> Any:
        welfare().withdraw(student_id=student_id, record_id=record_id, method="electronic")
        flash("Withdrawn from now on; what was done before stays as it was.")
        return redirect(url_for("consents", student_id=student_id))

    @app.get("/students/<student_id>/copy")
    def copy(student_id: str) -> Any:
        exported = welfare().export_subject_data(student_id)
        return app.response_class(exported.to_json(), mimetype="application/json",
                                  headers={"Content-Disposition":
                                           "attachment; filename=welfare-data.json"})  # fmt: skip

    @app.route("/matters", methods=["GET", "POST"])
    def matters() -> Any:
        portal = welfare()
        if request.method == "POST":
            portal.leave_matter(holder_id=request.form["holder"], text=request.form["text"])
            flash("Your message was left confidentially.")
            return redirect(url_for("matters"))
        return render_template("matters.html", matters=portal.matters(), holders=HOLDERS)

    @app.route("/initiatives", methods=["GET", "POST"])
    def initiatives() -> Any:
        portal = welfare()
        if request.method == "POST":
            portal.send_initiative(group_id=request.form["group"],
                                   subject=request.form["subject"], text=request.form["text"])  # fmt: skip
            flash("Your initiative was sent; you will be told when it has an answer.")
            return redirect(url_for("initiatives"))
        return render_template("initiatives.html", mine=portal.my_initiatives())


def _staff_pages(app: Flask, welfare: Callable[[], Any]) -> None:
    """What staff do: the caseload, a referral, the self-monitoring report."""

    @app.get("/caseload")
    def caseload() -> str:
        return render_template("caseload.html", caseload=welfare().caseload())

    @app.route("/referrals/new", methods=["GET", "POST"])
    def refer() -> Any:
        if request.method == "POST":
            welfare().refer(student_id=request.form["student"],
                            professional_id=request.form["professional"],
                            concern=request.form["concern"])  # fmt: skip
            flash("The referral was made; the professional will contact you and the student.")
            return redirect(url_for("home"))
        return render_template("refer.html", professionals=HOLDERS)

    @app.route("/availability", methods=["GET", "POST"])
    def availability() -> Any:
        portal = welfare()
        if request.method == "POST":
            start = dt.datetime.fromisoformat(request.form["starts_at"]).replace(tzinfo=FINLAND)
            portal.publish_availability(service=request.form["service"], starts_at=start,
                                        ends_at=start + dt.timedelta(minutes=45))  # fmt: skip
            flash("The time is open for booking.")
            return redirect(url_for("availability"))
        return render_template("availability.html", slots=portal.available_slots(
            staff_id=portal.actor.person.id))  # fmt: skip

    @app.route("/crisis", methods=["GET", "POST"])
    def crisis() -> Any:
        if request.method == "POST":
            log = welfare().activate_crisis(institution_id=request.form["institution"],
                                            kind=request.form["kind"], title=request.form["title"])  # fmt: skip
            flash(f"The crisis group was alerted; {len(log.checklist)} steps to take.")
            return redirect(url_for("home"))
        return render_template("crisis.html")

    @app.get("/self-monitoring")
    def self_monitoring() -> str:
        portal = welfare()
        return render_template("self_monitoring.html", report=portal.self_monitoring_report(),
                               requests=portal.access_requests())  # fmt: skip


def _name(kit: WelfareKit, person: PersonRef) -> str:
    kind = {PersonKind.STUDENT: Student, PersonKind.GUARDIAN: Guardian,
            PersonKind.STAFF: StaffMember}[person.kind]  # fmt: skip
    found = kit.directory("portal").find(kind, DEMO_PROVIDER_ID, person.id)
    return found.full_name if found is not None else person.id
