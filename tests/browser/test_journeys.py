"""Each journey through the example portal in a real browser, as the person sees it: the
pages, the status messages after each action, the tables, and the refusals with the
decision's reason. Each main page is photographed for the documentation (docs/_static/portal).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from welfarekit.clock import FINLAND

if TYPE_CHECKING:
    from portal_page import Portal

AINO = "aino.korhonen"
BOOKING_FORM = 'form:has(input[name="slot"])'


def test_signed_out_a_page_leads_to_the_sign_in_with_the_demo_users(portal: Portal) -> None:
    portal.visit(f"/students/{AINO}/records")
    assert portal.path == "/sign-in"
    assert portal.heading == "Sign in"
    assert "Aino Korhonen, student (16)" in portal.text
    assert "Helena Virtanen, principal" in portal.text
    portal.screenshot("sign-in")


def test_a_student_reads_her_records_a_timeline_and_who_accessed_them(portal: Portal) -> None:
    portal.sign_in(AINO)
    assert portal.heading == "Welcome, Aino Korhonen"
    portal.screenshot("student-home")

    portal.click_link("My welfare records")
    assert portal.heading == "Welfare records"
    portal.screenshot("records")

    portal.click_link("Poissaolojen lisääntyminen")
    assert portal.heading == "Poissaolojen lisääntyminen"
    assert "Poissaolot ovat lisääntyneet" in portal.text  # the background
    entries = portal.rows()
    assert [row[1] for row in entries] == ["meeting", "plan"]
    assert entries[0][3].startswith("Käytiin läpi Ainon tilanne")
    portal.screenshot("record-timeline")

    portal.click_link("Home")
    portal.click_link("Who has accessed my data")
    assert portal.heading.startswith("Who accessed")
    assert "welfare_record.read" in [row[2] for row in portal.rows()]
    portal.screenshot("access-report")


def test_a_student_books_a_free_time_and_cancels_it(portal: Portal) -> None:
    portal.sign_in(AINO)
    portal.click_link("My bookings with welfare staff")
    assert portal.heading == "Bookings with welfare staff"
    assert portal.section("Booked") == "No bookings."
    free = portal.section("Free times")
    assert "psychologist" in free

    slot = portal.attribute('input[name="slot"]', "value")
    portal.submit({"slot": slot})
    assert portal.messages == ["Booked."]
    booked = portal.section("Booked")
    assert "psychologist, booked" in booked
    portal.screenshot("bookings")

    portal.submit(button="Cancel")
    assert portal.messages == ["Cancelled."]
    assert "psychologist, cancelled" in portal.section("Booked")
    assert not portal.has('form[action$="/cancel"]')


def test_a_student_withdraws_a_consent_and_the_expert_group_loses_access(
    portal: Portal,
) -> None:
    portal.sign_in(AINO)
    portal.click_link("My consents")
    assert portal.heading == "Consents and refusals"
    assert [row[3] for row in portal.rows()] == ["in force", "in force"]
    withdraw = f'form[action="/students/{AINO}/consents/demo-consent-aino/withdraw"]'
    assert portal.has(withdraw)  # the consent to forming the expert group
    portal.screenshot("consents")

    portal.submit(form=withdraw)
    assert portal.messages == ["Withdrawn from now on; what was done before stays as it was."]
    assert sorted(row[3] for row in portal.rows()) == ["in force", "withdrawn"]
    assert not portal.has(withdraw)

    portal.sign_in("tuomas.saarinen")  # the expert group's psychologist
    portal.visit(f"/students/{AINO}/records")
    assert portal.status == 403
    assert portal.heading == "Not allowed"


def test_a_student_downloads_a_copy_of_her_data(portal: Portal, tmp_path: Path) -> None:
    portal.sign_in(AINO)
    response = portal.fetch(portal.link("Download my data"))
    assert response["status"] == 200
    assert response["type"] == "application/json"
    assert response["disposition"].startswith("attachment")

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    saved = portal.download("Download my data", downloads)
    assert saved.name == "welfare-data.json"
    copy = json.loads(saved.read_text(encoding="utf-8"))
    assert copy["student"]["name"] == "Aino Korhonen"
    assert portal.heading == "Welcome, Aino Korhonen"  # a download, not a new page


def test_a_student_leaves_a_matter_confidentially(portal: Portal) -> None:
    portal.sign_in(AINO)
    portal.click_link("Leave a matter confidentially")
    assert portal.heading == "Leave a matter confidentially"
    assert portal.section("My messages") == "None."

    portal.submit({"holder": "kaisa.salminen", "text": "Minua jännittää kokeet."})
    assert portal.messages == ["Your message was left confidentially."]
    assert "Minua jännittää kokeet." in portal.section("My messages")
    portal.screenshot("matters")


def test_a_student_sends_an_initiative_to_the_wellbeing_group(portal: Portal) -> None:
    portal.sign_in(AINO)
    portal.click_link("Send an initiative")
    assert portal.heading == "An initiative to the wellbeing group"

    portal.submit({"subject": "Lepotila", "text": "Hiljainen tila välitunneille"})
    assert portal.messages == ["Your initiative was sent; you will be told when it has an answer."]
    assert "Lepotila — received" in portal.section("My initiatives")
    portal.screenshot("initiatives")


def test_a_student_is_refused_another_students_records(portal: Portal) -> None:
    portal.sign_in(AINO)
    portal.visit("/students/veeti.hiltunen/records")
    assert portal.status == 403
    assert portal.heading == "Not allowed"
    assert "unrelated" in portal.text
    assert "Traceback" not in portal.text


def test_a_guardian_sees_aino_and_eetus_guardian_is_told_why_not(portal: Portal) -> None:
    portal.sign_in("sanna.korhonen")
    portal.follow(f"/students/{AINO}/records")
    assert portal.status == 200
    assert portal.heading == "Welfare records"
    portal.click_link("Poissaolojen lisääntyminen")
    assert portal.heading == "Poissaolojen lisääntyminen"

    portal.sign_in("jaana.makela")
    portal.follow("/students/eetu.makela/records")
    assert portal.status == 403
    assert portal.heading == "Not allowed"
    assert "forbidden giving their welfare data to this guardian" in portal.text
    assert "18(2)" in portal.text
    portal.screenshot("guardian-refused")


def test_a_group_advisor_refers_a_student_and_is_refused_the_records(portal: Portal) -> None:
    portal.sign_in("juha.makinen")
    portal.click_link("Refer a student to welfare services")
    assert portal.heading.startswith("Refer a student to welfare services")
    portal.screenshot("referral")

    portal.submit({"student": AINO, "professional": "tuomas.saarinen",
                   "concern": "Väsynyt tunneilla"})  # fmt: skip
    assert portal.path == "/"
    assert portal.messages == [
        "The referral was made; the professional will contact you and the student."
    ]
    assert "Väsynyt tunneilla" not in portal.text  # the referrer does not see it afterwards

    portal.click_link("Aino Korhonen's welfare records")
    assert portal.status == 403
    assert "gives no access to a student" in portal.text
    portal.visit("/self-monitoring")
    assert portal.status == 403

    portal.sign_in("tuomas.saarinen")
    portal.click_link("My caseload")
    assert f"referral — student {AINO} (open)" in portal.text


def test_a_group_advisor_alerts_the_crisis_group_naming_no_student(portal: Portal) -> None:
    portal.sign_in("juha.makinen")
    portal.click_link("Activate the crisis response")
    assert portal.heading == "Activate the crisis response"
    portal.screenshot("crisis")

    portal.submit({"institution": "harjula-lukio", "kind": "accident",
                   "title": "Liukastuminen pihalla"})  # fmt: skip
    assert portal.path == "/"
    [alerted] = portal.messages
    assert alerted.startswith("The crisis group was alerted;")

    portal.click_link("Activate the crisis response")
    portal.submit({"institution": "harjula-lukio", "kind": "loss", "title": "Aino Korhonen"})
    assert portal.status == 400  # a communal log names no student
    assert "names a student" in portal.text


def test_a_professional_sees_the_caseload(portal: Portal) -> None:
    portal.sign_in("minna.lehtonen")
    portal.click_link("My caseload")
    assert portal.heading == "My caseload"
    assert "referral — student veeti.hiltunen" in portal.text
    portal.screenshot("caseload")


def test_a_psychologist_opens_a_time_for_booking(portal: Portal) -> None:
    portal.sign_in("tuomas.saarinen")
    portal.click_link("My times for bookings")
    assert portal.heading == "My times for bookings"

    before = portal.section("Free times")
    day = dt.datetime.now(FINLAND).date() + dt.timedelta(days=30)
    portal.submit({"service": "psychologist", "starts_at": f"{day.isoformat()}T10:00"})
    assert portal.messages == ["The time is open for booking."]
    after = portal.section("Free times")
    opened = set(after.splitlines()) - set(before.splitlines())
    assert len(opened) == 1, after
    assert "psychologist" in opened.pop()
    portal.screenshot("availability")


def test_the_principal_sees_self_monitoring_and_the_access_requests(portal: Portal) -> None:
    portal.sign_in("helena.virtanen")
    portal.follow("/self-monitoring")
    assert portal.status == 200
    assert portal.heading.startswith("Self-monitoring")
    assert "Students per school social worker" in portal.text
    assert "due" in portal.section("Subject access requests")  # Aino's request in the demo
    portal.screenshot("self-monitoring")


def test_a_form_sent_without_its_csrf_token_is_refused_and_changes_nothing(
    portal: Portal,
) -> None:
    portal.visit("/sign-in")
    portal.form_without_token("form:has(input[name=user])")
    portal.submit({"user": "student:aino.korhonen"})
    assert portal.status == 400
    portal.visit("/")
    assert portal.path == "/sign-in"  # not signed in

    portal.sign_in(AINO)
    portal.click_link("My bookings with welfare staff")
    slot = portal.attribute('input[name="slot"]', "value")
    portal.form_without_token(BOOKING_FORM)
    portal.submit({"slot": slot})
    assert portal.status == 400
    assert "Booked." not in portal.text

    forged = portal.fetch(f"/students/{AINO}/bookings", method="POST", fields={"slot": slot})
    assert forged["status"] == 400
    portal.visit(f"/students/{AINO}/bookings")
    assert portal.section("Booked") == "No bookings."


def test_the_content_security_policy_blocks_nothing_the_pages_use(portal: Portal) -> None:
    pages = {
        AINO: ["/", f"/students/{AINO}/records", f"/students/{AINO}/bookings",
               f"/students/{AINO}/consents", f"/students/{AINO}/access", "/matters",
               "/initiatives", "/students/veeti.hiltunen/records"],
        "juha.makinen": ["/", "/referrals/new", "/crisis", "/caseload"],
        "helena.virtanen": ["/self-monitoring"],
    }  # fmt: skip
    portal.visit("/sign-in")
    for person, paths in pages.items():
        portal.sign_in(person)
        for path in paths:
            portal.visit(path)
    blocked = [entry["message"] for entry in portal.browser_log()
               if "Content Security Policy" in entry["message"]]  # fmt: skip
    assert blocked == []
