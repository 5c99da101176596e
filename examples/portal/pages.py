"""The portal's pages, one group per kind of user. Each page asks welfarekit through the
signed-in person's session; what the rules refuse raises and the app's error handlers show
the reason. Forms post ids the page offered, never confidential text in a URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _  # type: ignore[import-untyped]

from examples.portal.i18n import term
from welfarekit import (
    ConsentPurpose,
    EntryKind,
    EvidenceMethod,
    ExpertGroupStatus,
    GroupKind,
    Institution,
    Measure,
    Membership,
    Participant,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Session,
    StaffMember,
    WelfareGroup,
    WillKind,
)
from welfarekit.clock import FINLAND, today_in_finland
from welfarekit.demo import DEMO_PROVIDER_ID
from welfarekit.errors import InvalidValue

__all__ = ["HOLDERS", "register_pages"]

Welfare = Callable[[], Session]

HOLDERS: tuple[tuple[str, str], ...] = (
    ("kaisa.salminen", "Kaisa Salminen, nurse"),
    ("minna.lehtonen", "Minna Lehtonen, school social worker"),
    ("tuomas.saarinen", "Tuomas Saarinen, psychologist"),
)
"""Welfare staff a matter can be left with or a student referred to."""

CONSENT_ROLES = (Role.SCHOOL_SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.NURSE, Role.DOCTOR,
                 Role.STUDY_COUNSELLOR, Role.SPECIAL_NEEDS_TEACHER)  # fmt: skip
"""The roles a student's consent to form an expert group may name."""


def register_pages(app: Flask, welfare: Welfare) -> None:
    _student_pages(app, welfare)
    _consent_pages(app, welfare)
    _staff_pages(app, welfare)
    _expert_group_pages(app, welfare)
    _register_pages(app, welfare)
    _communal_pages(app, welfare)


def _form(name: str) -> str:
    """A required form field; a missing one is the user's mistake, said as such."""
    value = request.form.get(name, "").strip()
    if not value:
        raise InvalidValue(name, "is required")
    return value


def _student_pages(app: Flask, welfare: Welfare) -> None:
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
        welfare().book(_form("slot"), student_id=student_id)
        flash(_("Booked."))
        return redirect(url_for("bookings", student_id=student_id))

    @app.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id: str) -> Any:
        cancelled = welfare().cancel_booking(booking_id)
        flash(_("Cancelled."))
        return redirect(url_for("bookings", student_id=cancelled.student_id))

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
            portal.leave_matter(holder_id=_form("holder"), text=_form("text"))
            flash(_("Your message was left confidentially."))
            return redirect(url_for("matters"))
        return render_template("matters.html", matters=portal.matters(), holders=HOLDERS)

    @app.route("/initiatives", methods=["GET", "POST"])
    def initiatives() -> Any:
        portal = welfare()
        if request.method == "POST":
            portal.send_initiative(group_id=_form("group"), subject=_form("subject"),
                                   text=_form("text"))  # fmt: skip
            flash(_("Your initiative was sent; you will be told when it has an answer."))
            return redirect(url_for("initiatives"))
        return render_template("initiatives.html", mine=portal.my_initiatives())


def _consent_pages(app: Flask, welfare: Welfare) -> None:
    """Consents (*suostumus*) and refusals: the history, giving or refusing consent to a
    proposed expert group, withdrawing from now on (OHL § 14(4), § 19)."""

    @app.get("/students/<student_id>/consents")
    def consents(student_id: str) -> str:
        portal = welfare()
        history = portal.will_history(student_id)
        withdrawn = {w.withdraws for w in history.withdrawals}
        answered = {w.group_id for w in history.expressions if w.id not in withdrawn}
        proposals = [v for v in portal.expert_groups(student_id=student_id)
                     if v.state.status is ExpertGroupStatus.PROPOSED
                     and v.state.group_id not in answered]  # fmt: skip
        return render_template("consents.html", student_id=student_id, history=history,
                               withdrawn=withdrawn, proposals=proposals,
                               roles=CONSENT_ROLES)  # fmt: skip

    @app.post("/students/<student_id>/consents")
    def give_or_refuse(student_id: str) -> Any:
        try:
            kind = WillKind(_form("kind"))
        except ValueError:  # InvalidValue too: a missing kind is the same mistake
            raise InvalidValue("kind", "is consent or refusal") from None
        roles = [Role(r) for r in request.form.getlist("roles") if r in set(CONSENT_ROLES)]
        if kind is WillKind.CONSENT and not roles:
            raise InvalidValue("roles", "a consent names whom it covers: choose at least one")
        portal = welfare()
        portal.record_expression_of_will(
            student_id=student_id, grantor=g.person, kind=kind,
            purpose=ConsentPurpose.FORM_EXPERT_GROUP, group_id=_form("group"),
            covers_roles=roles, validity=Period(start=today_in_finland(portal.now)),
            method=EvidenceMethod.ELECTRONIC,
        )  # fmt: skip
        flash(_("Your consent was recorded; the responsible person can now form the group.")
              if kind is WillKind.CONSENT
              else _("Your refusal was recorded; no group is formed."))  # fmt: skip
        return redirect(url_for("consents", student_id=student_id))

    @app.post("/students/<student_id>/consents/<record_id>/withdraw")
    def withdraw(student_id: str, record_id: str) -> Any:
        welfare().withdraw(student_id=student_id, record_id=record_id, method="electronic")
        flash(_("Withdrawn from now on; what was done before stays as it was."))
        return redirect(url_for("consents", student_id=student_id))


def _staff_pages(app: Flask, welfare: Welfare) -> None:
    """What staff do: the caseload, a referral, open times, a crisis alert."""

    @app.get("/caseload")
    def caseload() -> str:
        portal = welfare()
        return render_template("caseload.html", caseload=portal.caseload(),
                               due=portal.measures_due())  # fmt: skip

    @app.route("/referrals/new", methods=["GET", "POST"])
    def refer() -> Any:
        if request.method == "POST":
            welfare().refer(student_id=_form("student"), professional_id=_form("professional"),
                            concern=_form("concern"))  # fmt: skip
            flash(_("The referral was made; the professional will contact you and the "
                    "student."))  # fmt: skip
            return redirect(url_for("home"))
        return render_template("refer.html", professionals=HOLDERS)

    @app.route("/availability", methods=["GET", "POST"])
    def availability() -> Any:
        portal = welfare()
        if request.method == "POST":
            given = _form("starts_at")
            try:
                start = dt.datetime.fromisoformat(given).replace(tzinfo=FINLAND)
                end = start + dt.timedelta(minutes=45)
            except (ValueError, OverflowError):  # OverflowError: the year 9999 runs out
                raise InvalidValue("starts_at", "is not a date and time") from None
            portal.publish_availability(service=_form("service"), starts_at=start, ends_at=end)
            flash(_("The time is open for booking."))
            return redirect(url_for("availability"))
        me = portal.actor.person
        assert me is not None
        return render_template("availability.html",
                               slots=portal.available_slots(staff_id=me.id))  # fmt: skip

    @app.route("/crisis", methods=["GET", "POST"])
    def crisis() -> Any:
        if request.method == "POST":
            log = welfare().activate_crisis(institution_id=_form("institution"),
                                            kind=_form("kind"), title=_form("title"))  # fmt: skip
            flash(_("The crisis group was alerted; %(steps)d steps to take.",
                    steps=len(log.checklist)))  # fmt: skip
            return redirect(url_for("home"))
        return render_template("crisis.html")


def _expert_group_pages(app: Flask, welfare: Welfare) -> None:
    """A welfare professional's expert groups (*monialainen asiantuntijaryhmä*): forming a
    proposed group once consent is given, the meeting and its record entry (§ 20)."""

    @app.get("/groups")
    def expert_groups() -> str:
        return render_template("groups.html", groups=welfare().expert_groups())

    @app.post("/groups/<group_id>/form")
    def form_group(group_id: str) -> Any:
        portal = welfare()
        me = portal.actor.person
        assert me is not None
        view = next((v for v in portal.expert_groups() if v.state.group_id == group_id), None)
        if view is None:
            raise InvalidValue("group", "is not one of your expert groups")
        student = PersonRef(PersonKind.STUDENT, view.state.student_id)
        portal.form_expert_group(group_id, members=[(me, _own_role(app, me)),
                                                    (student, Role.STUDENT)])  # fmt: skip
        flash(_("The expert group was formed with you as its responsible person."))
        return redirect(url_for("expert_group", group_id=group_id))

    @app.get("/groups/<group_id>")
    def expert_group(group_id: str) -> str:
        portal = welfare()
        view = portal.expert_group(group_id)
        records = [r for r in portal.records(view.state.student_id) if r.group_id == group_id]
        return render_template("group.html", view=view, records=records)

    @app.post("/groups/<group_id>/records")
    def open_record(group_id: str) -> Any:
        portal = welfare()
        view = portal.expert_group(group_id)
        opened = portal.open_record(student_id=view.state.student_id, group_id=group_id,
                                    subject=_form("subject"), background=_form("background"),
                                    initiator=_form("initiator"))  # fmt: skip
        flash(_("The record was opened."))
        return redirect(url_for("record", record_id=opened.id))

    @app.post("/records/<record_id>/entries")
    def add_meeting_entry(record_id: str) -> Any:
        portal = welfare()
        today = today_in_finland(portal.now)
        participants = [Participant(name=name.strip(), position=position.strip())
                        for line in _form("participants").splitlines() if line.strip()
                        for name, _sep, position in [line.partition(",")]]  # fmt: skip
        measure = request.form.get("measure", "").strip()
        measures = [Measure(measure=measure, responsible=_form("responsible"),
                            follow_up_by=_form("responsible"),
                            due=today + dt.timedelta(days=21))] if measure else []  # fmt: skip
        portal.add_entry(record_id=record_id, kind=EntryKind.MEETING, event_date=today,
                         text=_form("text"), participants=participants, measures=measures)  # fmt: skip
        flash(_("The meeting was recorded."))
        return redirect(url_for("record", record_id=record_id))


def _own_role(app: Flask, me: PersonRef) -> Role:
    """The signed-in staff member's first welfare role, from the directory."""
    kit = app.config["WELFAREKIT"]
    staff = kit.directory("portal").get(StaffMember, DEMO_PROVIDER_ID, me.id)
    return next(iter(sorted(staff.roles)))  # type: ignore[no-any-return]


def _register_pages(app: Flask, welfare: Welfare) -> None:
    """The register's manager (*rekisterin vastuuhenkilö*, by default the principal): the
    audit trail and its verification, subject access requests with their due dates, the
    self-monitoring report (*omavalvonta*)."""

    @app.get("/register")
    def register() -> str:
        portal = welfare()
        return render_template("register.html", trail=portal.audit_trail(newest=40),
                               requests=portal.access_requests())  # fmt: skip

    @app.get("/self-monitoring")
    def self_monitoring() -> str:
        portal = welfare()
        return render_template("self_monitoring.html", report=portal.self_monitoring_report(),
                               requests=portal.access_requests())  # fmt: skip


def _communal_pages(app: Flask, welfare: Welfare) -> None:
    """A welfare group member's communal work (*yhteisöllinen opiskeluhuolto*): the agenda
    and minutes, initiatives and their answers, the welfare plan with comments, approval
    and publication (§ 13)."""

    @app.get("/communal")
    def communal() -> str:
        portal = welfare()
        groups = []
        for group in _my_communal_groups(app, portal):
            groups.append({"group": group, "documents": portal.communal_documents(group.id),
                           "initiatives": portal.initiatives(group.id)})  # fmt: skip
        return render_template("communal.html", groups=groups)

    @app.post("/initiatives/<initiative_id>/answer")
    def answer_initiative(initiative_id: str) -> Any:
        welfare().answer_initiative(initiative_id, response=_form("response"))
        flash(_("The answer was sent to the initiator."))
        return redirect(url_for("communal"))

    @app.get("/plan")
    def plan() -> str:
        portal = welfare()
        institutions = {i.id: i.name for i in
                        app.config["WELFAREKIT"].directory("portal").list(Institution,
                                                                          DEMO_PROVIDER_ID)}  # fmt: skip
        return render_template("plan.html", sections=portal.welfare_plan(),
                               state=portal.plan_state(), comments=portal.plan_comments(),
                               institutions=institutions)  # fmt: skip

    @app.post("/plan/comments")
    def comment_on_plan() -> Any:
        welfare().comment_on_plan(_form("section"), _form("text"))
        flash(_("Your comment was added."))
        return redirect(url_for("plan"))

    @app.post("/plan/sections/<section_key>")
    def edit_plan_section(section_key: str) -> Any:
        try:
            expected = int(_form("expected_version"))
        except ValueError:
            raise InvalidValue("expected_version", "is not a version number") from None
        welfare().edit_plan_section(section_key, body=_form("body"), expected_version=expected)
        flash(_("The section was changed; the plan goes back to draft for approval."))
        return redirect(url_for("plan"))

    @app.post("/plan/<step>")
    def plan_step(step: str) -> Any:
        portal = welfare()
        steps: dict[str, Callable[[], object]] = {
            "submit": portal.submit_plan_for_review,
            "approve": portal.approve_plan,
        }
        if step == "publish":  # the document for the school's own website
            published = portal.publish_plan()
            return app.response_class(published.html, mimetype="text/html")
        if step not in steps:
            raise InvalidValue("step", f"{step!r} is not a step of the plan")
        steps[step]()
        flash(_("The plan is %(status)s.", status=_status_word(portal)))
        return redirect(url_for("plan"))


def _status_word(portal: Session) -> str:
    return term(portal.plan_state().status)


def _my_communal_groups(app: Flask, portal: Session) -> list[Any]:
    """The steering and institution groups the signed-in person sits in now."""
    me = portal.actor.person
    assert me is not None
    directory = app.config["WELFAREKIT"].directory("portal")
    today = today_in_finland(portal.now)
    mine = {m.group_id for m in directory.list(Membership, DEMO_PROVIDER_ID,
                                               member_kind=me.kind.value, member_id=me.id)
            if m.validity.contains(today)}  # fmt: skip
    return [group for group in directory.list(WelfareGroup, DEMO_PROVIDER_ID)
            if group.id in mine and group.kind is not GroupKind.CASE]  # fmt: skip
