"""Subject access: the complete copy a student or an entitled guardian may have.

The student's right to their own data (JulkL 12 §, GDPR art. 15) and the guardian's as the
minor's representative (JulkL 11 §, subject to the § 18(2) veto). The copy holds the
student's identifying details, every record with its whole history, the expressions of will,
the disclosures, the referrals and bookings, and the access report, as JSON and as a readable HTML page. Making it is
decided and audited like any read. The answer is due within two weeks of the request, or a
month when it is large (JulkL 14 §(4)): :func:`answer_due` computes it.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
import json
from typing import Any

import attrs

from welfarekit.model import Guardian, Guardianship, Student

__all__ = ["SubjectExport", "answer_due"]


def answer_due(received: dt.date, *, large: bool = False) -> dt.date:
    """When a subject access request must be answered at the latest: two weeks, or one
    month for a large request or one that needs special work (JulkL 14 §(4))."""
    if not large:
        return received + dt.timedelta(days=14)
    month, year = (received.month % 12) + 1, received.year + (received.month == 12)
    for day in (received.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if type(value).__name__ == "PersonRef":
        return str(value)
    if attrs.has(type(value)):
        return {k: _plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


@attrs.frozen(kw_only=True)
class SubjectExport:
    """The copy, made at ``made_at`` for ``made_for`` (the student or a guardian)."""

    student: Student
    guardians: tuple[tuple[Guardian, Guardianship], ...]
    records: tuple[Any, ...]
    """:class:`~welfarekit.records.RecordTimeline` of each record."""
    will: Any
    """:class:`~welfarekit.session.WillHistory`."""
    access_report: tuple[Any, ...]
    made_at: dt.datetime
    made_for: str
    referrals: tuple[Any, ...] = ()
    """:class:`~welfarekit.casework.Referral` of each § 16 referral concerning the student."""
    bookings: tuple[Any, ...] = ()
    """:class:`~welfarekit.appointments.BookedAppointment` of each booking."""

    def to_dict(self) -> dict[str, Any]:
        student = self.student
        return {
            "made_at": self.made_at.isoformat(),
            "made_for": self.made_for,
            "student": {
                "id": student.id,
                "name": student.full_name,
                "date_of_birth": student.date_of_birth.isoformat(),
                "home_municipality": student.home_municipality,
            },
            "guardians": [
                {"name": g.full_name, "email": g.email, "phone": g.phone, "kind": link.kind.value}
                for g, link in self.guardians
            ],
            "records": [
                {
                    "record": _plain(timeline.record),
                    "entries": [
                        {**_plain(entry), "status": status.value}
                        for entry, status in timeline.entries
                    ],
                    "disclosures": [_plain(d) for d in timeline.disclosures],
                }
                for timeline in self.records
            ],
            "expressions_of_will": {
                "expressions": _plain(self.will.expressions),
                "withdrawals": _plain(self.will.withdrawals),
                "capacity_assessments": _plain(self.will.assessments),
                "vetoes": _plain(self.will.vetoes),
            },
            "access_report": [_plain(e) for e in self.access_report],
            "referrals": [_plain(r) for r in self.referrals],
            "bookings": [
                {"booking": _plain(a.booking), "starts_at": a.slot.starts_at.isoformat(),
                 "service": a.slot.service.value, "place": a.slot.place}
                for a in self.bookings
            ],
        }  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)

    def to_html(self) -> str:
        """A self-contained, readable page (no scripts, no external resources)."""
        data, e = self.to_dict(), html.escape
        parts = [
            "<!doctype html>",
            '<html lang="fi"><head><meta charset="utf-8">',
            f"<title>Opiskeluhuollon tiedot: {e(data['student']['name'])}</title>",
            "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}"
            "</style></head><body>",
            f"<h1>Student welfare data: {e(data['student']['name'])}</h1>",
            f"<p>Made {e(data['made_at'])} for {e(data['made_for'])}. Date of birth "
            f"{e(data['student']['date_of_birth'])}, home municipality "
            f"{e(data['student']['home_municipality'])}.</p>",
        ]
        if data["guardians"]:
            parts.append("<h2>Guardians</h2><ul>")
            parts += [f"<li>{e(g['name'])} ({e(str(g['email'] or ''))})</li>"
                      for g in data["guardians"]]  # fmt: skip
            parts.append("</ul>")
        for record in data["records"]:
            header = record["record"]
            parts += [
                f"<h2>Record: {e(header['subject'])}</h2>",
                f"<p>Background: {e(header['background'])}. Brought up by "
                f"{e(header['initiator'])}; opened {e(header['opened_at'])}.</p>",
                "<table><tr><th>date</th><th>kind</th><th>author</th><th>entry</th>"
                "<th>status</th></tr>",
            ]
            for entry in record["entries"]:
                parts.append(
                    f"<tr><td>{e(entry['event_date'])}</td><td>{e(entry['kind'])}</td>"
                    f"<td>{e(entry['author_title'])}</td><td>{e(entry['text'])}</td>"
                    f"<td>{e(entry['status'])}</td></tr>"
                )
            parts.append("</table>")
            if record["disclosures"]:
                parts.append("<h3>Disclosures (§ 20(5))</h3><ul>")
                parts += [
                    f"<li>{e(d['disclosed_at'])}: {e(d['what'])} to {e(d['recipient'])}, "
                    f"basis {e(str(d['basis'] or 'consent ' + str(d['consent_id'])))}</li>"
                    for d in record["disclosures"]
                ]
                parts.append("</ul>")
        will = data["expressions_of_will"]
        parts.append("<h2>Expressions of will (tahdonilmaisut)</h2><ul>")
        parts += [
            f"<li>{e(w['evidence']['recorded_at'])}: {e(w['kind'])} — "
            f"{e(w['purpose'].replace('_', ' '))} by {e(w['grantor'])}</li>"
            for w in will["expressions"]
        ]
        parts.append("</ul>")
        if data["referrals"]:
            parts.append("<h2>Referrals to welfare services (§ 16)</h2><ul>")
            parts += [f"<li>{e(r['referred_at'])}: {e(r['concern'])} (to "
                      f"{e(r['professional_id'])})</li>" for r in data["referrals"]]  # fmt: skip
            parts.append("</ul>")
        if data["bookings"]:
            parts.append("<h2>Bookings</h2><ul>")
            parts += [f"<li>{e(b['starts_at'])}: {e(b['service'].replace('_', ' '))}, "
                      f"{e(b['booking']['status'])}</li>" for b in data["bookings"]]  # fmt: skip
            parts.append("</ul>")
        parts.append("<h2>Who accessed the data</h2><table>")
        parts.append("<tr><th>when</th><th>who</th><th>what</th><th>outcome</th></tr>")
        parts += [
            f"<tr><td>{e(a['at'])}</td><td>{e(a['who'])}</td><td>{e(a['action'])}</td>"
            f"<td>{e(a['outcome'])}</td></tr>"
            for a in data["access_report"]
        ]
        parts.append("</table></body></html>")
        return "\n".join(parts)
