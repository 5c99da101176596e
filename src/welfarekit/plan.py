"""The welfare plan (*opiskeluhuoltosuunnitelma*, § 13 as of 2023): outline and publication.

One provider-level plan with the goals, principles and self-monitoring, a section per
institution for what § 13(2) requires of each (the assessment of need and services, the
communal measures, cooperation, and the plan to protect students from violence, bullying
and harassment), and the crisis plan and the substance-abuse prevention plan. The default
outline follows DOMAIN.md § 11 (the Kuopio template). Sections are versioned by the session
(:class:`~welfarekit.model.PlanSectionVersion`); this module renders the current ones as
Markdown and HTML, with the lists of group members generated from the current memberships
(the seeds leave those to each school to fill in).

The crisis plan's steps are the list items (``- `` or ``1. ``) of its section; activating a
crisis opens a checklist of them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import attrs

from welfarekit.model import PlanSectionVersion

__all__ = [
    "CRISIS_SECTION",
    "DEFAULT_CRISIS_STEPS",
    "DEFAULT_OUTLINE",
    "GroupRoster",
    "OutlineSection",
    "PublishedPlan",
    "crisis_steps",
    "render_plan",
]

CRISIS_SECTION = "crisis_plan"


@attrs.frozen
class OutlineSection:
    key: str
    title: str
    per_institution: bool
    prompt: str
    """What the section should say, as the draft's first text."""


DEFAULT_OUTLINE: tuple[OutlineSection, ...] = (
    OutlineSection("goals", "Tavoitteet ja keskeiset periaatteet", False,
                   "Opiskeluhuollon tavoitteet ja toimintaperiaatteet koulutuksen järjestäjällä "
                   "(§ 13(1))."),
    OutlineSection("need_and_services", "Opiskeluhuollon kokonaistarve ja käytettävissä olevat "
                   "palvelut", True, "Arvio oppilaitoksen opiskeluhuollon kokonaistarpeesta ja "
                   "palveluista (§ 13(2) kohta 1)."),
    OutlineSection("communal_measures", "Yhteisöllinen opiskeluhuolto", True,
                   "Yhteisöllisen opiskeluhuollon toimintatavat ja tuen järjestäminen "
                   "(§ 13(2) kohta 2)."),
    OutlineSection("cooperation", "Yhteistyö opiskelijoiden, huoltajien ja muiden toimijoiden "
                   "kanssa", True, "Miten yhteistyö järjestetään (§ 13(2) kohta 3)."),
    OutlineSection("protection_plan", "Suunnitelma opiskelijoiden suojaamiseksi väkivallalta, "
                   "kiusaamiselta ja häirinnältä", True,
                   "Ennaltaehkäisy, puuttuminen ja seuranta; huoltajille ilmoittaminen "
                   "(§ 13(2) kohta 4; LukioL 40 §(7), AmmL 80 §(6))."),
    OutlineSection("substance_prevention", "Päihteiden käytön ehkäiseminen", False,
                   "Tupakkatuotteiden, alkoholin ja muiden päihteiden käytön ehkäiseminen ja "
                   "puuttuminen."),
    OutlineSection(CRISIS_SECTION, "Kriisisuunnitelma: äkilliset kriisit, uhka- ja "
                   "vaaratilanteet", False,
                   "Johtaminen, työnjako, viestintä, psykososiaalinen tuki ja jälkihoito, "
                   "perehdytys ja harjoittelu. Toimintavaiheet:\n"
                   "- Varmista turvallisuus ja hälytä apua\n"
                   "- Kutsu kriisiryhmä koolle\n"
                   "- Tiedota henkilöstölle, opiskelijoille ja huoltajille\n"
                   "- Järjestä psykososiaalinen tuki\n"
                   "- Sovi jälkihoidosta ja jälkipuinnista"),
    OutlineSection("individual_welfare", "Yksilökohtainen opiskeluhuolto", False,
                   "Kuraattori- ja psykologipalvelut, opiskeluterveydenhuolto ja monialainen "
                   "asiantuntijaryhmä; opiskeluhuoltokertomusten laatiminen ja säilyttäminen."),
    OutlineSection("self_monitoring", "Toteuttaminen ja omavalvonta", False,
                   "Miten suunnitelman toteutumista seurataan ja arvioidaan (omavalvonta, "
                   "§ 13(1))."),
)  # fmt: skip
"""The default outline: § 13's required content in the Kuopio template's order."""

DEFAULT_CRISIS_STEPS: tuple[str, ...] = (
    "Varmista turvallisuus ja hälytä apua",
    "Kutsu kriisiryhmä koolle",
    "Tiedota henkilöstölle, opiskelijoille ja huoltajille",
    "Järjestä psykososiaalinen tuki",
    "Sovi jälkihoidosta ja jälkipuinnista",
)

_STEP = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+(?P<step>\S.*)$")


def crisis_steps(body: str | None) -> tuple[str, ...]:
    """The steps of a crisis plan: its list items, or the default steps if it has none."""
    if body:
        steps = tuple(m.group("step").strip() for line in body.splitlines()
                      if (m := _STEP.match(line)))  # fmt: skip
        if steps:
            return steps
    return DEFAULT_CRISIS_STEPS


@attrs.frozen(kw_only=True)
class GroupRoster:
    """A communal group and its current members, for the published plan."""

    name: str
    institution: str | None
    members: tuple[tuple[str, str], ...]
    """(full name, role or title), in order."""


@attrs.frozen(kw_only=True)
class PublishedPlan:
    markdown: str
    html: str


_STATUS_FI = {
    "draft": "luonnos",
    "in_review": "tarkastettavana",
    "approved": "hyväksytty",
    "published": "julkaistu",
}


def render_plan(
    provider_name: str,
    sections: Sequence[PlanSectionVersion],
    institutions: dict[str, str],
    rosters: Iterable[GroupRoster],
    *,
    status: str,
) -> PublishedPlan:
    """The plan as Markdown and as a self-contained HTML page (no scripts, nothing
    external): the provider-level sections, each institution's sections, and the groups
    with their current members."""
    rosters = list(rosters)
    status = _STATUS_FI.get(status, status)  # the document is in Finnish throughout
    md = [f"# Opiskeluhuoltosuunnitelma — {provider_name}", "", f"*Tila: {status}*", ""]
    page = [
        "<!doctype html>",
        '<html lang="fi"><head><meta charset="utf-8">',
        f"<title>Opiskeluhuoltosuunnitelma — {html.escape(provider_name)}</title>",
        "</head><body>",
        f"<h1>Opiskeluhuoltosuunnitelma — {html.escape(provider_name)}</h1>",
        f"<p><em>Tila: {html.escape(status)}</em></p>",
    ]

    def emit(section: PlanSectionVersion, level: int) -> None:
        md.extend([f"{'#' * level} {section.title}", "", section.body, ""])
        page.append(f"<h{level}>{html.escape(section.title)}</h{level}>")
        page.extend(f"<p>{html.escape(paragraph)}</p>"
                    for paragraph in section.body.split("\n\n"))  # fmt: skip

    for section in sections:
        if section.institution_id is None:
            emit(section, 2)
    for institution_id, name in institutions.items():
        own = [s for s in sections if s.institution_id == institution_id]
        if not own:
            continue
        md.extend([f"## {name}", ""])
        page.append(f"<h2>{html.escape(name)}</h2>")
        for section in own:
            emit(section, 3)
    md.extend(["## Opiskeluhuollon ryhmät ja jäsenet", ""])
    page.append("<h2>Opiskeluhuollon ryhmät ja jäsenet</h2>")
    for roster in rosters:
        heading = roster.name + (f" — {roster.institution}" if roster.institution else "")
        md.extend([f"### {heading}", ""])
        md.extend(f"- {name}, {role}" for name, role in roster.members)
        md.append("")
        page.append(f"<h3>{html.escape(heading)}</h3><ul>")
        page.extend(f"<li>{html.escape(name)}, {html.escape(role)}</li>"
                    for name, role in roster.members)  # fmt: skip
        page.append("</ul>")
    page.append("</body></html>")
    return PublishedPlan(markdown="\n".join(md).rstrip() + "\n", html="\n".join(page) + "\n")
