"""How sealed records and students' secrets map to table rows, and back.

Ciphertext goes in and comes back as the same ``bytes`` (a driver may hand back a
``memoryview``: it is copied into ``bytes``). Moments are written in UTC and read back as
aware UTC datetimes, as in :mod:`welfarekit_sqlalchemy.register_rows`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

from welfarekit.model import PersonRef
from welfarekit.model._validate import is_identifier, trusted_builder
from welfarekit.sealed import (
    BlindIndexEntry,
    ProviderSecret,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedRecord,
    StoredKeyset,
    SubjectAccessRequest,
)
from welfarekit_sqlalchemy import sealed_tables
from welfarekit_sqlalchemy.shapes import Row, Shape, from_utc, same_names, to_utc

__all__ = ["SEALED_SHAPES"]


def _person_row(name: str, person: PersonRef) -> Row:
    return {f"{name}_kind": person.kind.value, f"{name}_id": person.id}


def _person(r: Mapping[str, Any], name: str) -> PersonRef:
    return _person_ref(r[f"{name}_kind"], r[f"{name}_id"])


@functools.lru_cache(maxsize=4096)
def _person_ref(kind: str, person_id: str) -> PersonRef:
    """One immutable reference per person, made (and checked) once: a record's hundreds of
    entries name the same few authors."""
    return PersonRef(kind, person_id)


def _record_row(s: SealedRecord) -> Row:
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "student_id": s.student_id,
        "group_id": s.group_id,
        "opened_at": to_utc(s.opened_at),
        **_person_row("opened_by", s.opened_by),
        "content": s.content,
    }


def _record(r: Mapping[str, Any]) -> SealedRecord:
    return SealedRecord(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        group_id=r["group_id"],
        opened_at=from_utc(r["opened_at"]),
        opened_by=_person(r, "opened_by"),
        content=bytes(r["content"]),
    )


def _entry_row(e: SealedEntry) -> Row:
    return {
        "provider_id": e.provider_id,
        "id": e.id,
        "record_id": e.record_id,
        "student_id": e.student_id,
        "kind": e.kind,
        "event_date": e.event_date,
        "recorded_at": to_utc(e.recorded_at),
        **_person_row("author", e.author),
        "version": e.version,
        "corrects": e.corrects,
        "entered_in_error": e.entered_in_error,
        "content": e.content,
    }


@functools.lru_cache(maxsize=4096)
def _shared_identifier(value: str) -> bool:
    """:func:`is_identifier`, remembered for the values a record's rows repeat (provider,
    record, student, kind)."""
    return is_identifier(value)


_trusted_entry = trusted_builder(SealedEntry)


def _entry(r: Mapping[str, Any]) -> SealedEntry:
    entry_id, provider_id, record_id = r["id"], r["provider_id"], r["record_id"]
    student_id, kind, event_date = r["student_id"], r["kind"], r["event_date"]
    recorded_at = from_utc(r["recorded_at"])
    author = _person(r, "author")  # a PersonRef, checked when it was first made
    version, corrects = r["version"], r["corrects"]
    entered_in_error, content = bool(r["entered_in_error"]), bytes(r["content"])
    # SealedEntry's checks, made cheaper: a record's thousand rows repeat their provider,
    # record, student and kind, checked once. A row failing any check goes to the
    # constructor, which refuses it as before, naming the field.
    if (
        type(entry_id) is str
        and is_identifier(entry_id)
        and type(provider_id) is str
        and _shared_identifier(provider_id)
        and type(record_id) is str
        and _shared_identifier(record_id)
        and type(student_id) is str
        and _shared_identifier(student_id)
        and type(kind) is str
        and _shared_identifier(kind)
        and type(event_date) is dt.date
        and type(version) is int
        and version >= 1
        and (corrects is None or (type(corrects) is str and is_identifier(corrects)))
    ):  # from_utc's moment is aware; _person's a PersonRef; content bytes
        build: Callable[..., SealedEntry] = _trusted_entry
    else:
        build = SealedEntry
    return build(
        id=entry_id,
        provider_id=provider_id,
        record_id=record_id,
        student_id=student_id,
        kind=kind,
        event_date=event_date,
        recorded_at=recorded_at,
        author=author,
        version=version,
        corrects=corrects,
        entered_in_error=entered_in_error,
        content=content,
    )


def _disclosure_row(d: SealedDisclosure) -> Row:
    return {
        "provider_id": d.provider_id,
        "id": d.id,
        "record_id": d.record_id,
        "student_id": d.student_id,
        "disclosed_at": to_utc(d.disclosed_at),
        **_person_row("by", d.by),
        "basis": d.basis,
        "consent_id": d.consent_id,
        "content": d.content,
    }


def _disclosure(r: Mapping[str, Any]) -> SealedDisclosure:
    return SealedDisclosure(
        id=r["id"],
        provider_id=r["provider_id"],
        record_id=r["record_id"],
        student_id=r["student_id"],
        disclosed_at=from_utc(r["disclosed_at"]),
        by=_person(r, "by"),
        basis=r["basis"],
        consent_id=r["consent_id"],
        content=bytes(r["content"]),
    )


def _keyset_row(k: StoredKeyset) -> Row:
    return {
        "provider_id": k.provider_id,
        "student_id": k.student_id,
        "kek_id": k.kek_id,
        "blob": k.blob,
        "updated_at": to_utc(k.updated_at),
    }


def _keyset(r: Mapping[str, Any]) -> StoredKeyset:
    return StoredKeyset(
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        kek_id=r["kek_id"],
        blob=bytes(r["blob"]),
        updated_at=from_utc(r["updated_at"]),
    )


def _blind_index_row(b: BlindIndexEntry) -> Row:
    return {
        "provider_id": b.provider_id,
        "name": b.name,
        "student_id": b.student_id,
        "value": b.value,
    }


def _blind_index(r: Mapping[str, Any]) -> BlindIndexEntry:
    return BlindIndexEntry(
        provider_id=r["provider_id"], student_id=r["student_id"], name=r["name"], value=r["value"]
    )


def _access_request_row(a: SubjectAccessRequest) -> Row:
    return {
        "provider_id": a.provider_id,
        "id": a.id,
        "student_id": a.student_id,
        **_person_row("requested_by", a.requested_by),
        "received_on": a.received_on,
        "large": a.large,
        "due_on": a.due_on,
        "answered_at": to_utc(a.answered_at) if a.answered_at else None,
    }


def _access_request(r: Mapping[str, Any]) -> SubjectAccessRequest:
    return SubjectAccessRequest(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        requested_by=_person(r, "requested_by"),
        received_on=r["received_on"],
        large=bool(r["large"]),
        due_on=r["due_on"],
        answered_at=from_utc(r["answered_at"]) if r["answered_at"] else None,
    )


def _provider_secret_row(p: ProviderSecret) -> Row:
    return {
        "provider_id": p.provider_id,
        "name": p.name,
        "kek_id": p.kek_id,
        "blob": p.blob,
        "created_at": to_utc(p.created_at),
    }


def _provider_secret(r: Mapping[str, Any]) -> ProviderSecret:
    return ProviderSecret(
        provider_id=r["provider_id"],
        name=r["name"],
        kek_id=r["kek_id"],
        blob=bytes(r["blob"]),
        created_at=from_utc(r["created_at"]),
    )


def _identity_code_row(c: SealedIdentityCode) -> Row:
    return {"provider_id": c.provider_id, "student_id": c.student_id, "ciphertext": c.ciphertext}


def _identity_code(r: Mapping[str, Any]) -> SealedIdentityCode:
    return SealedIdentityCode(
        provider_id=r["provider_id"], student_id=r["student_id"], ciphertext=bytes(r["ciphertext"])
    )


SEALED_SHAPES: Mapping[type[object], Shape] = {
    SealedRecord: Shape(
        sealed_tables.sealed_records,
        "provider_id",
        ("id",),
        same_names(SealedRecord),
        _record_row,
        _record,
    ),
    SealedEntry: Shape(
        sealed_tables.sealed_entries,
        "provider_id",
        ("id",),
        same_names(SealedEntry),
        _entry_row,
        _entry,
    ),
    SealedDisclosure: Shape(
        sealed_tables.sealed_disclosures,
        "provider_id",
        ("id",),
        same_names(SealedDisclosure),
        _disclosure_row,
        _disclosure,
    ),
    StoredKeyset: Shape(
        sealed_tables.keysets, "provider_id", ("student_id",), {}, _keyset_row, _keyset
    ),
    BlindIndexEntry: Shape(
        sealed_tables.blind_index,
        "provider_id",
        ("name", "student_id"),
        same_names(BlindIndexEntry),
        _blind_index_row,
        _blind_index,
    ),
    SubjectAccessRequest: Shape(
        sealed_tables.access_requests,
        "provider_id",
        ("id",),
        same_names(SubjectAccessRequest),
        _access_request_row,
        _access_request,
    ),
    ProviderSecret: Shape(
        sealed_tables.provider_secrets,
        "provider_id",
        ("name",),
        {},
        _provider_secret_row,
        _provider_secret,
    ),
    SealedIdentityCode: Shape(
        sealed_tables.sealed_identity_codes,
        "provider_id",
        ("student_id",),
        {},
        _identity_code_row,
        _identity_code,
    ),
}
"""The shapes of the sealed register's kinds and of :data:`welfarekit.storage.SECRET_TYPES`;
each key is :func:`welfarekit.storage.entity_key`'s, column by column."""
