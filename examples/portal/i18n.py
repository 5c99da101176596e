"""The portal's languages: Finnish, Swedish and English through gettext catalogs
(Flask-Babel), one choice per signed-in user.

The catalogs are kept as ``.po`` text in ``translations/`` and compiled when the app starts,
so no binary file needs to be kept in step by hand. The domain's words follow the glossary
of DOMAIN.md § 14 (e.g. *kuraattori* / *kurator*, *monialainen asiantuntijaryhmä* /
*sektorsövergripande expertgrupp*).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]

__all__ = ["CATALOGS", "LANGUAGES", "TERMS", "compiled_catalogs", "term"]

LANGUAGES: dict[str, str] = {"en": "English", "fi": "suomi", "sv": "svenska"}
"""The interface languages, each named in itself."""

CATALOGS = Path(__file__).parent / "translations"


@functools.cache
def compiled_catalogs() -> Path:
    """The ``.po`` catalogs compiled to ``.mo`` in a directory of this process's own."""
    target = Path(tempfile.mkdtemp(prefix="welfarekit-portal-i18n-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    for po_file in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        language = po_file.parent.parent.name
        with po_file.open("rb") as source:
            catalog = read_po(source, locale=language)
        out = target / language / "LC_MESSAGES"
        out.mkdir(parents=True)
        with (out / "messages.mo").open("wb") as compiled:
            write_mo(compiled, catalog)
    return target


TERMS = {
    # expressions of will (tahdonilmaisut)
    "consent": _l("consent"),
    "refusal": _l("refusal"),
    "form_expert_group": _l("forming an expert group"),
    "name_members": _l("naming members"),
    "outside_participant": _l("an outside participant"),
    "disclosure": _l("a disclosure"),
    "transfer": _l("a transfer to a new provider"),
    "guardian_access": _l("the guardian's access"),
    # roles
    "group_advisor": _l("group advisor"),
    "study_counsellor": _l("study counsellor"),
    "teacher": _l("teacher"),
    "special_needs_teacher": _l("special needs teacher"),
    "school_social_worker": _l("school social worker"),
    "psychologist": _l("psychologist"),
    "nurse": _l("nurse"),
    "doctor": _l("doctor"),
    "principal": _l("principal"),
    "training_manager": _l("training manager"),
    "unit_director": _l("unit director"),
    "other_expert": _l("other expert"),
    "student_member": _l("student member"),
    "student": _l("student"),
    "guardian": _l("guardian"),
    # states
    "proposed": _l("proposed"),
    "formed": _l("formed"),
    "closed": _l("closed"),
    "booked": _l("booked"),
    "cancelled": _l("cancelled"),
    "received": _l("received"),
    "in_progress": _l("in progress"),
    "answered": _l("answered"),
    "routed": _l("routed"),
    "draft": _l("draft"),
    "in_review": _l("in review"),
    "approved": _l("approved"),
    "published": _l("published"),
    "success": _l("allowed"),
    "denied": _l("denied"),
    "failed": _l("failed"),
    "open": _l("open"),
    "brought_forward": _l("brought forward"),
    "referral": _l("referral"),
    "booking": _l("booking"),
    # record entries and communal documents
    "meeting": _l("meeting"),
    "plan": _l("plan"),
    "measures": _l("measures"),
    "agenda": _l("agenda"),
    "minutes": _l("minutes"),
}
"""The words for the domain's values (enum values) the pages show."""


def term(value: object) -> str:
    """The interface word for a domain value; an unknown value as it is, made readable."""
    raw = str(getattr(value, "value", value))
    found = TERMS.get(raw)
    return str(found) if found is not None else raw.replace("_", " ")
