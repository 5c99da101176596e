"""The conformance suite: the storage contract and the security contract, as test classes.

Subclass :class:`StorageContract` and :class:`SecurityContract` in a class named ``Test…``
and give it a ``conformance_storage`` fixture that yields an empty, upgraded adapter (see
:mod:`welfarekit.testing`). :class:`Capabilities` declares the optional features; the tests
of a feature an adapter does not declare are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from welfarekit import (
    AccessDenied,
    Actor,
    AuditFailure,
    ConflictError,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    IntegrityError,
    Membership,
    NotFound,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Settings,
    StaffMember,
    Student,
    WelfareGroup,
    WelfareKit,
    hookimpl,
)
from welfarekit.audit import AuditEvent
from welfarekit.audit_chain import chain, verify
from welfarekit.crypto import CryptoError, init_key_file
from welfarekit.model import ExpressionOfWill, OutboxMessage
from welfarekit.sealed import SealedEntry, SealedRecord, SealedReferral, StoredKeyset
from welfarekit.storage import ENTITY_TYPES, KeysetRewrap, StorageAdapter

__all__ = ["Capabilities", "SecurityContract", "StorageContract"]

P, OTHER = "conformance-p1", "conformance-p2"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
YEAR = Period(start=dt.date(2026, 8, 1))
CONFIDENTIAL = "Conformance-secret: Aino kertoi kiusaamisesta"
CONCERN = "Conformance-concern: väsymys ja poissaolot"
AINO = PersonRef(PersonKind.STUDENT, "aino")
KURAATTORI = PersonRef(PersonKind.STAFF, "kuraattori")
PSY = PersonRef(PersonKind.STAFF, "psy")
TEACHER = PersonRef(PersonKind.STAFF, "teacher")


@attrs.frozen(kw_only=True)
class Capabilities:
    """What an adapter offers beyond the required contract."""

    concurrent_transactions: bool = False
    """Transactions may run at once from several threads (a database with connections):
    the create-only insert and the audit append are then tested under contention."""


def _directory(provider_id: str) -> list[Any]:
    born = dt.date(2010, 3, 1)
    staff = [
        StaffMember(id="kuraattori", provider_id=provider_id, given_names="Minna",
                    family_name="Lehtonen", roles={Role.SCHOOL_SOCIAL_WORKER},
                    employer="wellbeing_services_county"),
        StaffMember(id="psy", provider_id=provider_id, given_names="Tuomas",
                    family_name="Saarinen", roles={Role.PSYCHOLOGIST},
                    employer="wellbeing_services_county"),
        StaffMember(id="teacher", provider_id=provider_id, given_names="Pekka",
                    family_name="Heikkinen", roles={Role.TEACHER}),
    ]  # fmt: skip
    group = WelfareGroup(id="case-aino", provider_id=provider_id, kind="case",
                         institution_id="lukio", student_id="aino")  # fmt: skip
    return [
        EducationProvider(id=provider_id, name=f"Provider {provider_id}"),
        Institution(id="lukio", provider_id=provider_id, name="Lukio",
                    kind="general_upper_secondary"),
        *staff,
        Student(id="aino", provider_id=provider_id, institution_id="lukio",
                given_names="Aino", family_name="Korhonen", date_of_birth=born,
                home_municipality="Jyväskylä"),
        Student(id="eetu", provider_id=provider_id, institution_id="lukio",
                given_names="Eetu", family_name="Mäkelä", date_of_birth=born,
                home_municipality="Muurame"),
        Guardian(id="sanna", provider_id=provider_id, given_names="Sanna",
                 family_name="Korhonen"),
        Guardianship(provider_id=provider_id, guardian_id="sanna", student_id="aino",
                     validity=Period(start=born)),
        group,
        Membership(id="case-aino.kuraattori", provider_id=provider_id, group_id=group.id,
                   member=KURAATTORI, role=Role.SCHOOL_SOCIAL_WORKER,
                   position="responsible_person", validity=YEAR),
        Membership(id="case-aino.psy", provider_id=provider_id, group_id=group.id,
                   member=PSY, role=Role.PSYCHOLOGIST, validity=YEAR),
    ]  # fmt: skip


def _event(provider_id: str, n: int, student_id: str | None = None) -> AuditEvent:
    return AuditEvent(provider_id=provider_id, actor="system:conformance",
                      action="directory.read", resource_type="Student",
                      resource_id=f"r{n}", student_id=student_id,
                      occurred_at=NOW + dt.timedelta(seconds=n))  # fmt: skip


class StorageContract:
    """The storage contract of :mod:`welfarekit.storage`, on the adapter alone."""

    capabilities = Capabilities()

    @pytest.fixture
    def conformance_storage(self) -> Iterator[StorageAdapter]:
        raise NotImplementedError("the adapter's test class provides conformance_storage")

    @pytest.fixture
    def filled(self, conformance_storage: StorageAdapter) -> StorageAdapter:
        with conformance_storage.transaction() as tx:
            for provider_id in (P, OTHER):
                for entity in _directory(provider_id):
                    tx.save(entity)
        return conformance_storage

    def test_saved_objects_read_back_equal(self, filled: StorageAdapter) -> None:
        with filled.transaction() as tx:
            for entity in _directory(P):
                kind = type(entity)
                key = entity.id if not isinstance(entity, Guardianship) else "sanna/aino"
                provider = P
                assert tx.get(kind, provider, key) == entity, kind.__name__

    def test_save_replaces_a_directory_object(self, filled: StorageAdapter) -> None:
        with filled.transaction() as tx:
            student = tx.get(Student, P, "aino")
            assert student is not None
            tx.save(attrs.evolve(student, home_municipality="Laukaa"))
        with filled.transaction() as tx:
            again = tx.get(Student, P, "aino")
            assert again is not None
            assert again.home_municipality == "Laukaa"
            assert len(tx.list(Student, P)) == 2

    def test_list_is_ordered_by_key_filtered_and_within_the_provider(
        self, filled: StorageAdapter
    ) -> None:
        with filled.transaction() as tx:
            assert [s.id for s in tx.list(Student, P)] == ["aino", "eetu"]
            assert [m.id for m in tx.list(Membership, P, group_id="case-aino")] == [
                "case-aino.kuraattori", "case-aino.psy"]  # fmt: skip
            assert [m.id for m in tx.list(Membership, P, member_id="psy")] == ["case-aino.psy"]
            assert tx.list(Student, "nobody") == []
            assert tx.get(Student, "nobody", "aino") is None

    def test_unknown_filters_and_non_string_values_are_refused(
        self, filled: StorageAdapter
    ) -> None:
        with filled.transaction() as tx:
            with pytest.raises(TypeError, match="cannot be filtered"):
                tx.list(Student, P, colour="blue")
            with pytest.raises(TypeError, match="takes a string"):
                tx.list(Membership, P, group_id=1)  # type: ignore[arg-type]

    def test_a_transaction_that_raises_leaves_nothing(self, filled: StorageAdapter) -> None:
        def write_then_fail() -> None:
            with filled.transaction() as tx:
                tx.save(Student(id="ghost", provider_id=P, institution_id="lukio",
                                given_names="G", family_name="H",
                                date_of_birth=dt.date(2010, 1, 1), home_municipality="X"))  # fmt: skip
                raise RuntimeError("the operation failed after the write")

        with pytest.raises(RuntimeError):
            write_then_fail()
        with filled.transaction() as tx:
            assert tx.get(Student, P, "ghost") is None

    def test_the_register_is_append_only(self, filled: StorageAdapter) -> None:
        from welfarekit.model import Evidence

        will = ExpressionOfWill(
            id="w1", provider_id=P, student_id="aino", grantor=AINO, kind="consent",
            purpose="form_expert_group", group_id="case-aino", covers_roles={Role.PSYCHOLOGIST},
            validity=YEAR, evidence=Evidence(recorded_by=AINO, recorded_at=NOW,
                                             method="electronic"),
        )  # fmt: skip
        with filled.transaction() as tx:
            tx.save(will)
        with pytest.raises(IntegrityError), filled.transaction() as tx:
            tx.save(attrs.evolve(will, covers_roles=frozenset({Role.NURSE})))
        with filled.transaction() as tx:
            assert tx.get(ExpressionOfWill, P, "w1") == will

    def test_register_records_are_appended_many_at_once(self, filled: StorageAdapter) -> None:
        from welfarekit.model import Evidence

        def will(number: int, roles: set[Role]) -> ExpressionOfWill:
            return ExpressionOfWill(
                id=f"many{number}", provider_id=P, student_id="aino", grantor=AINO,
                kind="consent", purpose="form_expert_group", group_id="case-aino",
                covers_roles=roles, validity=YEAR,
                evidence=Evidence(recorded_by=AINO, recorded_at=NOW, method="electronic"),
            )  # fmt: skip

        wills = [will(1, {Role.PSYCHOLOGIST}), will(2, {Role.NURSE, Role.DOCTOR}), will(3, set())]
        with filled.transaction() as tx:
            tx.save_many(wills)
            tx.save_many([])
            assert tx.list(ExpressionOfWill, P, student_id="aino")[-3:] == wills
        with filled.transaction() as tx:  # child rows (the roles covered) came along
            assert [tx.get(ExpressionOfWill, P, f"many{n}") for n in (1, 2, 3)] == wills
        with pytest.raises(IntegrityError), filled.transaction() as tx:
            tx.save_many([will(4, {Role.NURSE}), will(2, {Role.PSYCHOLOGIST})])  # 2 is taken
        with pytest.raises(TypeError, match="register"), filled.transaction() as tx:
            tx.save_many([will(5, set()), _student("notregister")])
        with filled.transaction() as tx:
            assert tx.get(ExpressionOfWill, P, "many2") == wills[1]
            assert tx.get(ExpressionOfWill, P, "many4") is None  # rolled back with the rest
            assert tx.get(ExpressionOfWill, P, "many5") is None
            assert tx.get(Student, P, "notregister") is None

    def test_insert_is_create_only(self, filled: StorageAdapter) -> None:
        student = Student(id="new", provider_id=P, institution_id="lukio", given_names="N",
                          family_name="M", date_of_birth=dt.date(2010, 1, 1),
                          home_municipality="X")  # fmt: skip
        with filled.transaction() as tx:
            tx.insert(student)
        with pytest.raises(ConflictError), filled.transaction() as tx:
            tx.insert(attrs.evolve(student, home_municipality="Y"))
        with filled.transaction() as tx:
            assert tx.get(Student, P, "new") == student

    def test_concurrent_inserts_of_one_key_give_one_row(self, filled: StorageAdapter) -> None:
        if not self.capabilities.concurrent_transactions:
            pytest.skip("the adapter declares no concurrent transactions")
        barrier, outcomes = threading.Barrier(4), []
        lock = threading.Lock()

        def attempt(n: int) -> None:
            student = Student(id="race", provider_id=P, institution_id="lukio",
                              given_names=f"N{n}", family_name="M",
                              date_of_birth=dt.date(2010, 1, 1), home_municipality="X")  # fmt: skip
            barrier.wait()
            try:
                with filled.transaction() as tx:
                    tx.insert(student)
                result = "inserted"
            except ConflictError:
                result = "conflict"
            except Exception as error:  # a retry-safe storage error is acceptable too
                from welfarekit import StorageError

                result = "conflict" if isinstance(error, StorageError) else repr(error)
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["conflict", "conflict", "conflict", "inserted"]

    def test_delete_says_whether_it_deleted(self, filled: StorageAdapter) -> None:
        with filled.transaction() as tx:
            assert tx.delete(Membership, P, "case-aino.psy") is True
            assert tx.delete(Membership, P, "case-aino.psy") is False
            assert tx.get(Membership, OTHER, "case-aino.psy") is not None

    def test_replacing_missing_ciphertext_is_not_found(self, filled: StorageAdapter) -> None:
        with pytest.raises(NotFound), filled.transaction() as tx:
            tx.replace_ciphertext(SealedRecord, P, "no-such-record", b"x")

    def test_the_audit_trail_appends_in_order_per_provider(self, filled: StorageAdapter) -> None:
        first = chain([_event(P, n, "aino" if n % 2 else None) for n in range(1, 6)])
        with filled.transaction() as tx:
            assert tx.audit_head(P) is None
            for entry in first:
                tx.append_audit(entry)
        with filled.transaction() as tx:
            assert tx.audit_head(P) == first[-1]
            assert tx.audit_entries(P) == first
            assert tx.audit_entries(P, after=2, limit=2) == first[2:4]
            assert tx.audit_entries(P, student_id="aino") == [first[0], first[2], first[4]]
            assert tx.audit_entries(OTHER) == []
            with pytest.raises(ValueError, match=r"(?i)limit"):
                tx.audit_entries(P, limit=-1)
        with pytest.raises(ConflictError), filled.transaction() as tx:
            tx.append_audit(first[-1])  # a sequence taken: another transaction came first
        with filled.transaction() as tx:
            assert verify(tx.audit_entries(P))

    def test_several_audit_entries_append_at_once(self, filled: StorageAdapter) -> None:
        first = chain([_event(P, n, "aino" if n % 2 else None) for n in range(1, 4)])
        with filled.transaction() as tx:
            tx.append_audit_many(first)
            tx.append_audit_many([])
        more = chain([_event(P, n) for n in range(4, 7)], head=first[-1])
        with filled.transaction() as tx:
            assert tx.audit_head(P) == first[-1]
            tx.append_audit_many(more)
            assert tx.audit_head(P) == more[-1]
        with filled.transaction() as tx:
            assert tx.audit_entries(P) == first + more
            assert tx.audit_entries(P, student_id="aino") == [first[0], first[2]]
            assert verify(tx.audit_entries(P))
        with pytest.raises(ConflictError), filled.transaction() as tx:
            tx.append_audit_many(more[1:])  # sequences taken: another transaction came first
        with filled.transaction() as tx:
            assert tx.audit_entries(P) == first + more

    def test_keysets_are_replaced_only_while_unchanged(self, filled: StorageAdapter) -> None:
        def keyset(student_id: str, blob: bytes) -> StoredKeyset:
            return StoredKeyset(provider_id=P, student_id=student_id, kek_id="kek-1",
                                blob=blob, updated_at=NOW)  # fmt: skip

        with filled.transaction() as tx:
            tx.save(keyset("aino", b"aino-under-kek-1"))
        later = NOW + dt.timedelta(hours=1)
        rewraps = [
            KeysetRewrap("aino", b"aino-under-kek-1", "kek-2", b"aino-under-kek-2"),
            KeysetRewrap("aino", b"changed-meanwhile", "kek-2", b"lost"),
            KeysetRewrap("no-such-student", b"x", "kek-2", b"y"),
        ]
        with filled.transaction() as tx:
            assert tx.replace_keysets(P, rewraps[:1], later) == 1
            assert tx.replace_keysets(P, rewraps[1:], later) == 0
            assert tx.replace_keysets(OTHER, rewraps[:1], later) == 0
            assert tx.replace_keysets(P, [], later) == 0
        with filled.transaction() as tx:
            assert tx.get(StoredKeyset, P, "aino") == attrs.evolve(
                keyset("aino", b"aino-under-kek-2"), kek_id="kek-2", updated_at=later
            )
            assert tx.get(StoredKeyset, OTHER, "aino") is None

    def test_every_kind_can_be_listed(self, filled: StorageAdapter) -> None:
        with filled.transaction() as tx:
            for kind in ENTITY_TYPES:
                provider = None if kind is EducationProvider else P
                assert isinstance(tx.list(kind, provider), list), kind.__name__


class SecurityContract:
    """The security contract: what an adapter must keep true for the sealed data, through
    a :class:`~welfarekit.WelfareKit` that uses it."""

    capabilities = Capabilities()

    @pytest.fixture
    def conformance_storage(self) -> Iterator[StorageAdapter]:
        raise NotImplementedError("the adapter's test class provides conformance_storage")

    @pytest.fixture
    def conformance_kit(self, conformance_storage: StorageAdapter, tmp_path: Path) -> WelfareKit:
        key_file = tmp_path / "conformance-keys.json"
        if not key_file.exists():
            init_key_file(key_file)
        kit = WelfareKit.open(Settings(plugins=(), key_file=key_file),
                              storage=conformance_storage)  # fmt: skip
        kit.directory("conformance").put(*_directory(P))
        aino = kit.session(Actor(provider_id=P, person=AINO), now=NOW - dt.timedelta(days=1))
        aino.record_expression_of_will(
            student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
            group_id="case-aino", covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER},
            validity=YEAR, method="electronic",
        )  # fmt: skip
        social_worker = self.session(kit, KURAATTORI)
        social_worker.open_record(student_id="aino", group_id="case-aino", record_id="r1",
                                  subject="Kiusaaminen", background=CONFIDENTIAL,
                                  initiator="ryhmänohjaaja")  # fmt: skip
        social_worker.add_entry(record_id="r1", kind="measures", event_date=NOW.date(),
                                text=CONFIDENTIAL, entry_id="e1")  # fmt: skip
        social_worker.add_entry(record_id="r1", kind="measures", event_date=NOW.date(),
                                text="Tukitoimet", entry_id="e2")  # fmt: skip
        self.session(kit, TEACHER).refer(student_id="aino", professional_id="psy",
                                         concern=CONCERN, referral_id="ref1")  # fmt: skip
        return kit

    @staticmethod
    def session(kit: WelfareKit, person: PersonRef) -> Any:
        return kit.session(Actor(provider_id=P, person=person), now=NOW)

    def test_no_plaintext_at_rest(self, conformance_kit: WelfareKit) -> None:
        """Everything the adapter hands back, of every kind, holds no confidential text."""
        stored = []
        with conformance_kit.storage.transaction() as tx:
            for kind in ENTITY_TYPES:
                provider = None if kind is EducationProvider else P
                stored += [repr(entity) for entity in tx.list(kind, provider)]
            stored += [repr(entry) for entry in tx.audit_entries(P)]
        text = "\n".join(stored)
        for secret in (CONFIDENTIAL, CONCERN, "kiusaamisesta", "poissaolot"):
            assert secret not in text

    def test_what_was_sealed_opens_for_those_entitled(self, conformance_kit: WelfareKit) -> None:
        timeline = self.session(conformance_kit, PSY).timeline("r1")
        assert timeline.record.background == CONFIDENTIAL
        assert [e.text for e in timeline.current] == [CONFIDENTIAL, "Tukitoimet"]
        assert self.session(conformance_kit, PSY).referrals()[0].concern == CONCERN
        with pytest.raises(AccessDenied):
            self.session(conformance_kit, TEACHER).timeline("r1")

    def test_ciphertext_is_bound_to_its_row(self, conformance_kit: WelfareKit) -> None:
        storage = conformance_kit.storage
        with storage.transaction() as tx:
            first = tx.get(SealedEntry, P, "e1")
            assert first is not None
            tx.replace_ciphertext(SealedEntry, P, "e2", first.content)  # moved to another row
        with pytest.raises(CryptoError):
            self.session(conformance_kit, PSY).timeline("r1")

    def test_a_flipped_bit_does_not_open(self, conformance_kit: WelfareKit) -> None:
        with conformance_kit.storage.transaction() as tx:
            referral = tx.get(SealedReferral, P, "ref1")
            assert referral is not None
            flipped = bytearray(referral.content)
            flipped[-1] ^= 1
            tx.replace_ciphertext(SealedReferral, P, "ref1", bytes(flipped))
        with pytest.raises(CryptoError):
            self.session(conformance_kit, PSY).referrals()

    def test_a_shredded_student_is_unreadable_and_others_are_not(
        self, conformance_kit: WelfareKit
    ) -> None:
        from welfarekit.vault import Vault

        eetu = self.session(conformance_kit, TEACHER)
        eetu.refer(student_id="eetu", professional_id="psy", concern="Eetu's own matter")
        with conformance_kit.storage.transaction() as tx:
            assert Vault.shred(tx, P, "aino")
        with pytest.raises(NotFound, match="destroyed"):
            self.session(conformance_kit, PSY).timeline("r1")
        concerns = [r.concern for r in self.session(conformance_kit, PSY).referrals()
                    if r.student_id == "eetu"]  # fmt: skip
        assert concerns == ["Eetu's own matter"]
        with conformance_kit.storage.transaction() as tx:
            assert verify(tx.audit_entries(P))  # erasure keeps the chain verifiable

    def test_the_audit_trail_is_ordered_and_verifies(self, conformance_kit: WelfareKit) -> None:
        self.session(conformance_kit, PSY).timeline("r1")
        with conformance_kit.storage.transaction() as tx:
            entries = tx.audit_entries(P)
        assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
        assert verify(entries)
        actions = [e.event.action for e in entries]
        assert actions[-1] == "welfare_record.read"

    def test_data_audit_and_outbox_are_written_together_or_not_at_all(
        self, conformance_kit: WelfareKit
    ) -> None:
        """A failure of the audit write (here: an audit plugin that refuses) fails the
        operation, and neither its data nor its notification nor its audit event stays."""

        class RefusingAudit:
            @hookimpl
            def welfarekit_audit_event(self, event: AuditEvent) -> None:
                raise OSError("the audit sink is full")

        with conformance_kit.storage.transaction() as tx:
            before = (len(tx.audit_entries(P)), len(tx.list(OutboxMessage, P)))
        conformance_kit.plugin_manager.register(RefusingAudit(), name="refusing-audit")
        try:
            with pytest.raises(AuditFailure):
                self.session(conformance_kit, TEACHER).refer(
                    student_id="aino", professional_id="psy", concern=CONCERN, referral_id="ref2"
                )
        finally:
            conformance_kit.plugin_manager.unregister(name="refusing-audit")
        with conformance_kit.storage.transaction() as tx:
            assert tx.get(SealedReferral, P, "ref2") is None
            after = (len(tx.audit_entries(P)), len(tx.list(OutboxMessage, P)))
        assert after == before


def _student(student_id: str) -> Student:
    return Student(id=student_id, provider_id=P, institution_id="lukio", given_names="N",
                   family_name="M", date_of_birth=dt.date(2010, 1, 1),
                   home_municipality="X")  # fmt: skip
