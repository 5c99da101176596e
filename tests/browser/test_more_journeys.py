"""The portal's newer journeys in a real browser, as tests/test_portal_journeys.py walks them
with Flask's test client: a consent given and refused, the expert group formed and its meeting
recorded, a guardian's access ended by the 18th birthday, the register's manager, the welfare
group member and the plan, and the interface in Finnish and Swedish. Each main page is
photographed for the documentation (docs/_static/portal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from examples.portal.demo import PROPOSED_GROUP

if TYPE_CHECKING:
    from portal_page import Portal

SOFIA = "student:sofia.laaksonen"
TUOMAS = "staff:tuomas.saarinen"  # the psychologist who proposed Sofia's expert group
CONSENTS = "/students/sofia.laaksonen/consents"
PROPOSAL = f'section[id="proposal-{PROPOSED_GROUP}"] form'
FORM_GROUP = f'form[action="/groups/{PROPOSED_GROUP}/form"]'
LUKIO_PROTECTION = "protection_plan@harjula-lukio"
SECTION = f'section[id="section-{LUKIO_PROTECTION}"]'
SECTION_FORM = f'form:has(input[data-section="{LUKIO_PROTECTION}"])'


def test_a_student_consents_and_the_group_meets_and_records_it(portal: Portal) -> None:
    portal.sign_in(SOFIA)
    portal.follow(CONSENTS)
    assert portal.heading == "Consents and refusals"
    assert "An expert group was proposed" in portal.text
    assert portal.section("Recorded") == "None recorded."
    portal.screenshot("consent-proposal")

    portal.submit({"roles": "psychologist"}, form=PROPOSAL, button="I consent")
    assert portal.messages == [
        "Your consent was recorded; the responsible person can now form the group."
    ]
    assert not portal.has(PROPOSAL)  # answered: no longer asked
    [given] = portal.rows()
    assert "forming an expert group" in given[1]
    assert given[2:4] == ["consent", "in force"]
    portal.screenshot("consent-given")

    portal.sign_in(TUOMAS)
    portal.click_link("My expert groups")
    assert portal.heading == "My expert groups"
    [proposed] = portal.rows(f'table:has(tr[id="group-{PROPOSED_GROUP}"])')
    assert proposed[:2] == ["sofia.laaksonen", "proposed"]
    portal.screenshot("expert-groups")

    portal.submit(form=FORM_GROUP, button="Form the group")
    assert portal.path == f"/groups/{PROPOSED_GROUP}"
    assert portal.heading == "Expert group for sofia.laaksonen"
    assert portal.messages == ["The expert group was formed with you as its responsible person."]
    members = portal.section("Members")
    assert "sofia.laaksonen — student" in members
    assert "tuomas.saarinen — psychologist (responsible person)" in members
    assert "No record yet." in portal.section("Records")
    portal.screenshot("expert-group")

    portal.submit({"subject": "Jännittäminen", "background": "Sofia pyysi tukea.",
                   "initiator": "opiskelija itse"})  # fmt: skip
    assert portal.messages == ["The record was opened."]
    assert portal.heading == "Jännittäminen"
    assert portal.rows() == []  # no entry yet
    record = portal.path
    portal.submit({"text": "Sovittiin tapaamisista.",
                   "participants": "Sofia Laaksonen, opiskelija\nTuomas Saarinen, psykologi",
                   "measure": "Viikoittainen tapaaminen", "responsible": "Tuomas Saarinen"})  # fmt: skip
    assert portal.messages == ["The meeting was recorded."]
    assert portal.path == record
    [entry] = portal.rows()
    assert entry[1] == "meeting"
    assert entry[3] == "Sovittiin tapaamisista."
    assert entry[4].startswith("Viikoittainen tapaaminen (Tuomas Saarinen, follow up by ")
    portal.screenshot("meeting-entry")

    portal.sign_in(SOFIA)  # the student reads her own record
    portal.visit(record)
    assert portal.status == 200
    assert [row[3] for row in portal.rows()] == ["Sovittiin tapaamisista."]
    assert not portal.has("textarea")  # reading, not writing

    portal.sign_in("staff:juha.makinen")  # her teacher does not
    portal.visit(record)
    assert portal.status == 403
    assert portal.heading == "Not allowed"
    assert "gives no access" in portal.text_of(".reason")
    assert "Sovittiin tapaamisista." not in portal.text


def test_a_refusal_keeps_the_group_unformed_and_says_whose_consent_it_takes(
    portal: Portal,
) -> None:
    portal.sign_in(SOFIA)
    portal.follow(CONSENTS)
    portal.submit(form=PROPOSAL, button="I consent")  # no role ticked
    assert portal.status == 400
    assert "choose at least one" in portal.text_of(".reason")

    portal.visit(CONSENTS)
    portal.submit(form=PROPOSAL, button="I refuse")
    assert portal.messages == ["Your refusal was recorded; no group is formed."]
    assert not portal.has(PROPOSAL)
    [refused] = portal.rows()
    assert refused[2:4] == ["refusal", "in force"]

    portal.sign_in(TUOMAS)
    portal.click_link("My expert groups")
    [row] = portal.rows(f'table:has(tr[id="group-{PROPOSED_GROUP}"])')
    assert row[1] == "proposed"
    portal.submit(form=FORM_GROUP, button="Form the group")
    assert portal.status == 409
    assert portal.heading == "Not allowed"
    reason = portal.text_of(".reason")
    assert "consent" in reason
    assert "sofia.laaksonen" in reason  # whose consent it takes
    assert "Traceback" not in portal.text
    portal.screenshot("group-refused")

    portal.click_link("Back to the start")
    portal.click_link("My expert groups")
    assert portal.rows(f'table:has(tr[id="group-{PROPOSED_GROUP}"])')[0][1] == "proposed"


def test_a_guardians_access_ends_at_the_18th_birthday_and_a_veto_shows_its_reason(
    portal: Portal,
) -> None:
    portal.sign_in("guardian:leena.laaksonen")
    assert portal.heading == "Welcome, Leena Laaksonen"
    ended = portal.text_of('[id="ended-sofia.laaksonen"]')
    assert ended.startswith("Your access to this student's welfare data has ended")
    assert "turned 18" in ended
    portal.screenshot("guardian-18")

    portal.follow("/students/sofia.laaksonen/records")
    assert portal.status == 403
    assert "turned 18" in portal.text_of(".reason")

    portal.sign_in("guardian:jaana.makela")
    ended = portal.text_of('[id="ended-eetu.makela"]')
    assert "18(2)" in ended
    assert not portal.has('a[href="/students/eetu.makela/consents"]')


def test_the_register_manager_sees_the_audit_trail_and_others_do_not(portal: Portal) -> None:
    portal.sign_in("staff:helena.virtanen")
    portal.click_link("The register: audit trail and access requests")
    assert portal.status == 200
    assert portal.heading == "The welfare register"
    chain = portal.text_of("#chain")
    assert chain.startswith("The audit chain verifies: ")
    assert chain.endswith(" entries intact.")
    trail = portal.rows()
    assert "audit_log.read" in [row[3] for row in trail]  # her own look is logged first
    assert "due" in portal.section("Subject access requests")  # Aino's request in the demo
    assert "Poissaolot" not in portal.text  # who did what, never a record's content
    portal.screenshot("register")

    portal.sign_in("staff:minna.lehtonen")
    portal.visit("/register")
    assert portal.status == 403
    assert portal.heading == "Not allowed"
    assert "audit log" in portal.text_of(".reason")


def test_a_group_member_answers_an_initiative_and_edits_the_plan_the_leader_publishes(
    portal: Portal,
) -> None:
    portal.sign_in("student:aino.korhonen")
    portal.visit("/initiatives")
    portal.submit({"subject": "Penkit", "text": "Lisää penkkejä pihalle."})

    portal.sign_in("staff:pekka.heikkinen")
    portal.click_link("My welfare groups: agenda and initiatives")
    assert portal.heading == "My welfare groups"
    assert "Välituntien valvonta" in portal.text  # the demo's minutes
    assert "Penkit: Lisää penkkejä pihalle. — received" in portal.text
    portal.submit({"response": "Penkit tilataan keväällä."})
    assert portal.messages == ["The answer was sent to the initiator."]
    assert "Penkit: Lisää penkkejä pihalle. — answered: Penkit tilataan keväällä." in portal.text
    portal.screenshot("communal")

    portal.click_link("The welfare plan")
    assert portal.heading == "The welfare plan"
    assert portal.text_of("#plan-status").startswith("The plan is published.")
    portal.expand(f"{SECTION} details")
    portal.submit({"body": "Kiusaamiseen puututaan samana päivänä."}, form=SECTION_FORM,
                  button="Save a new version")  # fmt: skip
    assert portal.messages == ["The section was changed; the plan goes back to draft for approval."]
    assert portal.text_of("#plan-status") == "The plan is draft."
    assert portal.text_of(f"{SECTION} .body") == "Kiusaamiseen puututaan samana päivänä."
    portal.screenshot("plan")

    portal.submit(button="Approve")  # approval is the steering group's
    assert portal.status == 403
    assert portal.heading == "Not allowed"

    portal.sign_in("staff:tiina.rantanen")  # the steering group's leader
    portal.visit("/plan")
    portal.submit(button="Submit for review")
    assert portal.messages == ["The plan is in review."]
    portal.submit(button="Approve")
    assert portal.messages == ["The plan is approved."]
    assert portal.text_of("#plan-status").startswith("The plan is approved. Approved ")
    portal.submit(button="Publish")
    assert portal.status == 200
    assert portal.heading.startswith("Opiskeluhuoltosuunnitelma")
    assert "Kiusaamiseen puututaan samana päivänä." in portal.text
    portal.screenshot("plan-published")

    portal.sign_in("student:aino.korhonen")  # the initiator reads the answer
    portal.visit("/initiatives")
    assert "Penkit — answered: Penkit tilataan keväällä." in portal.section("My initiatives")


def test_the_interface_changes_language_with_the_header_choice(portal: Portal) -> None:
    portal.sign_in("student:aino.korhonen")
    assert portal.attribute("html", "lang") == "en"

    portal.submit({"language": "fi"}, button="Change")
    assert portal.path == "/"
    assert portal.attribute("html", "lang") == "fi"
    assert portal.heading == "Tervetuloa, Aino Korhonen"
    assert "Opiskeluhuoltokertomukseni" in portal.text
    portal.screenshot("student-home-fi")

    portal.submit({"language": "sv"}, button="Vaihda")
    assert portal.attribute("html", "lang") == "sv"
    assert portal.heading == "Välkommen, Aino Korhonen"
    assert "Mina elevhälsojournaler" in portal.text

    portal.submit({"language": "en"}, button="Byt")
    assert portal.attribute("html", "lang") == "en"
    assert portal.heading == "Welcome, Aino Korhonen"

    portal.sign_in("student:aino.korhonen")  # the choice stays with the user
    assert portal.heading == "Welcome, Aino Korhonen"


def test_the_content_security_policy_blocks_nothing_the_newer_pages_use(
    portal: Portal,
) -> None:
    pages = {
        SOFIA: [CONSENTS, "/plan", "/communal"],
        TUOMAS: ["/groups", f"/groups/{PROPOSED_GROUP}"],
        "guardian:leena.laaksonen": ["/"],
        "staff:helena.virtanen": ["/register"],
        "staff:pekka.heikkinen": ["/communal", "/plan"],
    }
    portal.visit("/sign-in")
    for person, paths in pages.items():
        portal.sign_in(person)
        for path in paths:
            portal.visit(path)
    blocked = [entry["message"] for entry in portal.browser_log()
               if "Content Security Policy" in entry["message"]]  # fmt: skip
    assert blocked == []
