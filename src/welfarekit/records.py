"""Record operations of a session: the welfare record (*opiskeluhuoltokertomus*), sealed.

Every operation decides first, audits in the same transaction, seals before anything reaches
storage and opens only after the audit entry is written. Corrections and disclosures are
new rows; nothing is overwritten (§ 20(4), § 20(5)).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.crypto.seal import SealContexts, _utf8_plaintext, seal
from welfarekit.errors import AccessDenied, ConflictError, IntegrityError, NotFound
from welfarekit.model import GroupKind, PersonKind, PersonRef, WelfareGroup
from welfarekit.model._validate import holds_ascii_of, trusted, trusted_builder
from welfarekit.model.record import (
    WITHHELD,
    EntryKind,
    EntryStatus,
    Measure,
    Participant,
    RecordEntry,
    WelfareRecord,
    to_entry_kind,
)
from welfarekit.rules import Decision, LegalBasis
from welfarekit.sealed import SealedDisclosure, SealedEntry, SealedRecord
from welfarekit.storage import StorageTransaction
from welfarekit.vault import REGISTER, Vault, _to_json

if TYPE_CHECKING:
    from welfarekit.crypto import Keyset, SealContext
    from welfarekit.rules import Facts

__all__ = ["Disclosure", "RecordTimeline", "RecordsMixin", "timeline_to_dict"]


@attrs.frozen(kw_only=True)
class Disclosure:
    """A § 20(5) entry: what was given, to whom and on what basis."""

    id: str
    record_id: str
    student_id: str
    what: str
    recipient: str
    basis: LegalBasis | None
    consent_id: str | None
    disclosed_at: dt.datetime
    by: Any


@attrs.frozen(kw_only=True)
class RecordTimeline:
    """A record with every entry version in the order written, each with its status, and
    its disclosures."""

    record: WelfareRecord
    entries: tuple[tuple[RecordEntry, EntryStatus], ...]
    disclosures: tuple[Disclosure, ...]

    @property
    def current(self) -> tuple[RecordEntry, ...]:
        return tuple(e for e, status in self.entries if status is EntryStatus.CURRENT)


def _contexts(provider_id: str, student_id: str, record_type: str) -> SealContexts:
    """Makes the contexts :meth:`Vault.context` makes for the ``content`` of one student's
    rows of one type, each given its id and version, without checking the shared parts
    again for every row."""
    return SealContexts(provider_id=provider_id, register=REGISTER, record_type=record_type,
                        field="content", student_id=student_id)  # fmt: skip


_entry_contexts = functools.lru_cache(maxsize=256)(_contexts)
"""The entry contexts of one student, kept for the next entry written (identifiers and
their framing only: no key, no content)."""

_by_time = operator.attrgetter("recorded_at", "version")
_ESCAPED = bytes(range(0x20)) + b'"\\'
"""What JSON escapes in a string (ensure_ascii=False): control characters, quote, backslash."""


def _json_string(value: str) -> bytes:
    """``json.dumps(value, ensure_ascii=False)`` as UTF-8: when nothing in the text is
    escaped (as in most entries), the text itself between quotes, without the encoder's
    character-by-character pass."""
    data = value.encode()
    if not holds_ascii_of(data, _ESCAPED):
        return b'"' + data + b'"'
    return _to_json(value).encode()


def _json_value(value: object) -> bytes:
    if value is None:
        return b"null"
    if isinstance(value, str):
        return _json_string(value)
    if value == []:
        return b"[]"
    return _to_json(value).encode()


def _entry_content(content: dict[str, Any]) -> bytes:
    """What :meth:`Vault.seal_json` would seal for an entry's content (its six keys, in
    sorted order), the same UTF-8 bytes, made without the JSON encoder's pass over the
    text. ``UnicodeEncodeError`` for text that is not Unicode (a lone surrogate)."""
    return b"".join((
        b'{"author_title":', _json_value(content["author_title"]),
        b',"correction_reason":', _json_value(content["correction_reason"]),
        b',"measures":', _json_value(content["measures"]),
        b',"participants":', _json_value(content["participants"]),
        b',"text":', _json_value(content["text"]),
        b',"withheld_from_guardian":', _json_value(content["withheld_from_guardian"]), b"}",
    ))  # fmt: skip


def _opened_participants(value: list[dict[str, str]]) -> tuple[Participant, ...]:
    return tuple(Participant(**p) for p in value) if value else ()


def _opened_measures(value: list[dict[str, Any]]) -> tuple[Measure, ...]:
    if not value:
        return ()
    return tuple(
        Measure(measure=m["measure"], responsible=m["responsible"],
                follow_up_by=m["follow_up_by"],
                due=dt.date.fromisoformat(m["due"]) if m["due"] else None)
        for m in value
    )  # fmt: skip


def _participants(value: Iterable[Participant]) -> list[dict[str, str]]:
    return [{"name": p.name, "position": p.position} for p in value]


def _measures(value: Iterable[Measure]) -> list[dict[str, Any]]:
    return [
        {"measure": m.measure, "responsible": m.responsible, "follow_up_by": m.follow_up_by,
         "due": m.due.isoformat() if m.due else None}
        for m in value
    ]  # fmt: skip


class RecordsMixin(SessionParts):
    """The record operations of :class:`~welfarekit.session.Session`."""

    def _record_resource(self, student_id: str, record_id: str | None = None,
                         **extra: Any) -> Resource:  # fmt: skip
        return Resource(type=ResourceType.WELFARE_RECORD, provider_id=self.actor.provider_id,
                        id=record_id, student_id=student_id, **extra)  # fmt: skip

    def _allowed(self, tx: StorageTransaction, action: Action, resource: Resource,
                 basis: LegalBasis | None = None) -> Decision:  # fmt: skip
        decision, _ = self._decide(tx, action, resource, basis)
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def _person(self) -> PersonRef:
        person = self.actor.person
        if person is None or person.kind is not PersonKind.STAFF:
            raise IntegrityError("only staff write the welfare record")
        return person

    def _author_title(self, tx: StorageTransaction, facts: Facts | None = None) -> str:
        """The author's title as it stands now (§ 20(4) item 6): from the decision's facts
        when they hold the actor's staff record, else from the directory."""
        from welfarekit.model import StaffMember

        person = self.actor.person
        assert person is not None
        staff = facts.actor.staff if facts is not None else None
        if staff is None:
            staff = tx.get(StaffMember, self.actor.provider_id, person.id)
        if staff is None:
            raise IntegrityError("record entries are written by staff members")
        return staff.title or ", ".join(sorted(r.value.replace("_", " ") for r in staff.roles))

    def open_record(
        self,
        *,
        student_id: str,
        group_id: str,
        subject: str,
        background: str,
        initiator: str,
        record_id: str | None = None,
    ) -> WelfareRecord:
        """Open the record of a new matter for the student's expert group (§ 20(3)-(4))."""
        provider_id, record_id = self.actor.provider_id, record_id or uuid.uuid4().hex
        with self._transaction() as tx:
            self._allowed(tx, Action.WRITE, self._record_resource(student_id, record_id))
            record = WelfareRecord(
                id=record_id, provider_id=provider_id, student_id=student_id, group_id=group_id,
                subject=subject, background=background, initiator=initiator,
                opened_at=self.now, opened_by=self._person(),
            )  # fmt: skip
            group = tx.get(WelfareGroup, provider_id, group_id)
            if group is None or group.kind is not GroupKind.CASE or group.student_id != student_id:
                raise IntegrityError("a record belongs to the student's own expert group")
            keyset = self._vault.keyset(tx, provider_id, student_id, create=True)
            assert keyset is not None
            context = Vault.context(provider_id, student_id, "record", record_id)
            content = {"subject": subject, "background": background, "initiator": initiator}
            tx.save(SealedRecord(
                id=record_id, provider_id=provider_id, student_id=student_id,
                group_id=group_id, opened_at=record.opened_at, opened_by=record.opened_by,
                content=Vault.seal_json(keyset, content, context),
            ))  # fmt: skip
        return record

    def add_entry(
        self,
        *,
        record_id: str,
        kind: EntryKind | str,
        event_date: dt.date,
        text: str,
        participants: Iterable[Participant] = (),
        measures: Iterable[Measure] = (),
        entry_id: str | None = None,
        withheld_from_guardian: str | None = None,
    ) -> RecordEntry:
        """Append an entry: a meeting's handling with its participants, a plan of measures,
        or necessary information on measures (§ 20(4) items 3-5). ``withheld_from_guardian``
        records why a guardian must not see it (the child's interest, JulkL 11 §(2)(1))."""
        return self._write_entry(
            record_id=record_id, kind=kind, event_date=event_date, text=text,
            participants=tuple(participants), measures=tuple(measures),
            entry_id=entry_id or uuid.uuid4().hex, corrects=None, reason=None, in_error=False,
            withheld=withheld_from_guardian,
        )  # fmt: skip

    def correct_entry(
        self,
        *,
        entry_id: str,
        text: str,
        reason: str,
        participants: Iterable[Participant] = (),
        measures: Iterable[Measure] = (),
        entered_in_error: bool = False,
        withheld_from_guardian: str | None = None,
    ) -> RecordEntry:
        """A new version of an entry, with the reason; or a mark that it was entered in
        error. The corrected version stays in the history. Whether a guardian may see it is
        decided anew for each version (``withheld_from_guardian``).

        ``entry_id`` names the version the writer read: if someone corrected it meanwhile,
        :class:`~welfarekit.errors.ConflictError` says so and nothing is written (optimistic
        locking; two corrections at the same moment cannot both win either). The new
        version's id is ``<first version's id>.v<version>``."""
        with self._storage.transaction() as tx:
            old = tx.get(SealedEntry, self.actor.provider_id, entry_id)
            root = old
            while root is not None and root.corrects is not None:
                root = tx.get(SealedEntry, self.actor.provider_id, root.corrects)
        if old is None or root is None:
            raise NotFound(f"no record entry {entry_id!r}")
        return self._write_entry(
            record_id=old.record_id, kind=old.kind, event_date=old.event_date, text=text,
            participants=tuple(participants), measures=tuple(measures),
            entry_id=f"{root.id}.v{old.version + 1}", corrects=old, reason=reason,
            in_error=entered_in_error, withheld=withheld_from_guardian,
        )  # fmt: skip

    def _write_entry(self, *, record_id: str, kind: EntryKind | str,
                     event_date: dt.date, text: str, participants: tuple[Participant, ...],
                     measures: tuple[Measure, ...], entry_id: str, corrects: SealedEntry | None,
                     reason: str | None, in_error: bool,
                     withheld: str | None = None) -> RecordEntry:  # fmt: skip
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            header = tx.get(SealedRecord, provider_id, record_id)
            if header is None:
                raise NotFound(f"no welfare record {record_id!r}")
            student_id = header.student_id
            decision, facts = self._decide(
                tx, Action.WRITE, self._record_resource(student_id, record_id), None
            )
            if not decision.allowed:
                raise AccessDenied(decision)
            if corrects is not None and any(
                e.corrects == corrects.id
                for e in tx.list(SealedEntry, provider_id, record_id=record_id)
            ):
                raise ConflictError(
                    "that entry was corrected meanwhile: read the record again and correct its "
                    "newest version"
                )
            entry = RecordEntry(
                id=entry_id, provider_id=provider_id, record_id=record_id, student_id=student_id,
                kind=kind, event_date=event_date, recorded_at=self.now, author=self._person(),
                author_title=self._author_title(tx, facts), text=text, participants=participants,
                measures=measures, version=corrects.version + 1 if corrects else 1,
                corrects=corrects.id if corrects else None, correction_reason=reason,
                entered_in_error=in_error, withheld_from_guardian=withheld,
            )  # fmt: skip
            keyset = self._vault.keyset(tx, provider_id, student_id, create=True)
            assert keyset is not None
            # == Vault.context(provider_id, student_id, "entry", entry.id, entry.version)
            context = _entry_contexts(provider_id, student_id, "entry")(entry.id, entry.version)
            content = {
                "author_title": entry.author_title, "text": text,
                "participants": _participants(participants), "measures": _measures(measures),
                "correction_reason": reason, "withheld_from_guardian": withheld,
            }  # fmt: skip
            sealed = trusted(  # every value from the entry just validated, or the seal
                SealedEntry,
                id=entry.id, provider_id=provider_id, record_id=record_id, student_id=student_id,
                kind=entry.kind.value, event_date=event_date, recorded_at=entry.recorded_at,
                author=entry.author, version=entry.version, corrects=entry.corrects,
                entered_in_error=in_error, content=_seal_entry(keyset, content, context),
            )  # fmt: skip
            if corrects is None:
                tx.save(sealed)
            else:  # a correction's id is fixed by its version: of two at once, one wins
                tx.insert(sealed)
        return entry

    def records(self, student_id: str) -> list[WelfareRecord]:
        """The student's records (one per matter), opened after the decision and audit."""
        with self._transaction() as tx:
            self._allowed(tx, Action.LIST, self._record_resource(student_id))
            headers = tx.list(SealedRecord, self.actor.provider_id, student_id=student_id)
            keyset = self._vault.keyset(tx, self.actor.provider_id, student_id, create=False)
        return [self._open_record(h, keyset) for h in headers]

    @staticmethod
    def _keys(keyset: Keyset | None) -> Keyset:
        if keyset is None:
            raise NotFound("the student's keys were destroyed: the record cannot be opened")
        return keyset

    def _open_record(self, header: SealedRecord, keyset: Keyset | None) -> WelfareRecord:
        keyset = self._keys(keyset)
        context = Vault.context(header.provider_id, header.student_id, "record", header.id)
        content = Vault.open_json(keyset, header.content, context)
        return WelfareRecord(
            id=header.id, provider_id=header.provider_id, student_id=header.student_id,
            group_id=header.group_id, subject=content["subject"],
            background=content["background"], initiator=content["initiator"],
            opened_at=header.opened_at, opened_by=header.opened_by,
        )  # fmt: skip

    def timeline(self, record_id: str) -> RecordTimeline:
        """The record with its whole history: every entry version and every disclosure."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            header = tx.get(SealedRecord, provider_id, record_id)
            if header is None:
                raise NotFound(f"no welfare record {record_id!r}")
            self._allowed(tx, Action.READ, self._record_resource(header.student_id, record_id))
            sealed = tx.list(SealedEntry, provider_id, record_id=record_id)
            disclosures = tx.list(SealedDisclosure, provider_id, record_id=record_id)
            stored_keys = self._vault.keyset(tx, provider_id, header.student_id, create=False)
        return self._build_timeline(header, sealed, disclosures, stored_keys)

    def _build_timeline(
        self,
        header: SealedRecord,
        sealed: list[SealedEntry],
        disclosures: list[SealedDisclosure],
        stored_keys: Keyset | None,
    ) -> RecordTimeline:
        """Open a record's rows, after the caller has decided and audited."""
        provider_id, record_id = header.provider_id, header.id
        record = self._open_record(header, stored_keys)
        keyset = self._keys(stored_keys)
        guardian = self.actor.person is not None and self.actor.person.kind is PersonKind.GUARDIAN
        corrected = {e.corrects for e in sealed if e.corrects}
        in_error = {e.corrects for e in sealed if e.corrects and e.entered_in_error}
        entries = []
        contexts: dict[str, SealContexts] = {}  # per student: the record's one, in practice
        build_entry = trusted_builder(RecordEntry)
        for stored in sorted(sealed, key=_by_time):
            of_student = contexts.get(stored.student_id)
            if of_student is None:
                of_student = contexts[stored.student_id] = _contexts(
                    provider_id, stored.student_id, "entry"
                )
            context = of_student(stored.id, stored.version)  # == Vault.context(...)
            content = Vault.open_json(keyset, stored.content, context)
            withheld = content.get("withheld_from_guardian")
            if withheld and guardian:
                content = {**content, "participants": [], "measures": [],
                           "text": f"{WITHHELD} (JulkL 11 §(2)(1)): {withheld}"}  # fmt: skip
            # The stored row was validated as it was read, and the sealed content when it was
            # written: it opened, so it is as it was then. Not checked a second time.
            entry = build_entry(
                id=stored.id, provider_id=provider_id, record_id=record_id,
                student_id=stored.student_id, kind=to_entry_kind(stored.kind),
                event_date=stored.event_date,
                recorded_at=stored.recorded_at, author=stored.author,
                author_title=content["author_title"], text=content["text"],
                participants=_opened_participants(content["participants"]),
                measures=_opened_measures(content["measures"]),
                version=stored.version, corrects=stored.corrects,
                correction_reason=content["correction_reason"],
                entered_in_error=stored.entered_in_error, withheld_from_guardian=withheld,
            )  # fmt: skip
            status = (
                EntryStatus.ENTERED_IN_ERROR if stored.id in in_error or stored.entered_in_error
                else EntryStatus.CORRECTED if stored.id in corrected
                else EntryStatus.CURRENT
            )  # fmt: skip
            entries.append((entry, status))
        opened = []
        for stored_d in sorted(disclosures, key=lambda d: d.disclosed_at):
            context = Vault.context(provider_id, stored_d.student_id, "disclosure", stored_d.id)
            content = Vault.open_json(keyset, stored_d.content, context)
            opened.append(Disclosure(
                id=stored_d.id, record_id=record_id, student_id=stored_d.student_id,
                what=content["what"], recipient=content["recipient"],
                basis=LegalBasis(stored_d.basis) if stored_d.basis else None,
                consent_id=stored_d.consent_id, disclosed_at=stored_d.disclosed_at, by=stored_d.by,
            ))  # fmt: skip
        return RecordTimeline(record=record, entries=tuple(entries), disclosures=tuple(opened))

    def disclose(
        self,
        *,
        record_id: str,
        what: str,
        recipient: str,
        basis: LegalBasis | None = None,
        disclosure_id: str | None = None,
    ) -> Disclosure:
        """Give data from the record to someone outside the student's welfare, on the
        student's specific written consent naming the recipient or on a statutory basis; the
        § 20(5) entry (what, to whom, on what basis) is written in the same transaction."""
        provider_id = self.actor.provider_id
        disclosure_id = disclosure_id or uuid.uuid4().hex
        with self._transaction() as tx:
            header = tx.get(SealedRecord, provider_id, record_id)
            if header is None:
                raise NotFound(f"no welfare record {record_id!r}")
            resource = self._record_resource(header.student_id, record_id, recipient=recipient)
            decision = self._allowed(tx, Action.DISCLOSE, resource, basis)
            consent_id = None
            if basis is None:
                from welfarekit.model import ConsentPurpose
                from welfarekit.rules import current_will

                facts = self._facts(tx, header.student_id, self.now)
                assert facts is not None
                assert facts.student is not None
                will = current_will(facts.student, ConsentPurpose.DISCLOSURE, facts.now,
                                    recipient=recipient)  # fmt: skip
                assert will is not None  # the decision rested on it
                consent_id = will.id
            keyset = self._vault.keyset(tx, provider_id, header.student_id, create=True)
            assert keyset is not None
            context = Vault.context(provider_id, header.student_id, "disclosure", disclosure_id)
            person = self._person()
            tx.save(SealedDisclosure(
                id=disclosure_id, provider_id=provider_id, record_id=record_id,
                student_id=header.student_id, disclosed_at=self.now, by=person,
                basis=basis.value if basis else None, consent_id=consent_id,
                content=Vault.seal_json(keyset, {"what": what, "recipient": recipient}, context),
            ))  # fmt: skip
        return Disclosure(
            id=disclosure_id, record_id=record_id, student_id=header.student_id, what=what,
            recipient=recipient, basis=decision.legal_basis, consent_id=consent_id,
            disclosed_at=self.now, by=person,
        )  # fmt: skip


def _seal_entry(keyset: Keyset, content: dict[str, Any], context: SealContext) -> bytes:
    """:meth:`Vault.seal_json` of an entry's content: the same sealed JSON."""
    try:
        encoded = _entry_content(content)
    except UnicodeEncodeError:  # refused by seal_json, naming the plaintext
        return Vault.seal_json(keyset, content, context)
    return seal(keyset, _utf8_plaintext(encoded), context)


def timeline_to_dict(timeline: RecordTimeline) -> dict[str, Any]:
    """A record with every entry version, as plain JSON-ready values (a transfer's or an
    archive's copy)."""
    record = timeline.record
    return {
        "id": record.id,
        "subject": record.subject,
        "background": record.background,
        "initiator": record.initiator,
        "opened_at": record.opened_at.isoformat(),
        "entries": [
            {
                "id": entry.id,
                "kind": entry.kind.value,
                "event_date": entry.event_date.isoformat(),
                "recorded_at": entry.recorded_at.isoformat(),
                "author_title": entry.author_title,
                "text": entry.text,
                "participants": [{"name": p.name, "position": p.position} for p in entry.participants],
                "measures": [
                    {"measure": m.measure, "responsible": m.responsible,
                     "follow_up_by": m.follow_up_by, "due": m.due.isoformat() if m.due else None}
                    for m in entry.measures
                ],
                "status": status.value,
            }
            for entry, status in timeline.entries
        ],
    }  # fmt: skip
