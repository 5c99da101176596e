"""Appointments: availability, direct bookings without any group, no double booking (also
under concurrent requests), the § 15 deadlines in working days, and who sees a booking."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_world import AINO, NURSE, PSY, PSY2, SANNA, TEACHER, P, as_, open_kit

from welfarekit import AccessDenied, ConflictError, IntegrityError, InvalidValue, WelfareKit
from welfarekit.clock import FINLAND
from welfarekit.model import BookingStatus, NotificationTopic, OutboxMessage
from welfarekit.working_days import (
    discussion_deadline,
    finnish_days_off,
    is_working_day,
    working_days_after,
)

MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=FINLAND)


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        yield opened


def publish(kit: WelfareKit, slot_id: str, start: dt.datetime, who: object = PSY,
            service: str = "psychologist") -> None:  # fmt: skip
    as_(kit, who).publish_availability(  # type: ignore[arg-type]
        service=service,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=45),
        slot_id=slot_id,
        place="Terveydenhoitajan huone",
    )


# -- working days ---------------------------------------------------------------------------


def test_working_days_skip_weekends_and_finnish_holidays() -> None:
    assert not is_working_day(dt.date(2026, 12, 6))  # Independence Day (a Sunday)
    assert not is_working_day(dt.date(2026, 12, 24))  # Christmas Eve
    assert not is_working_day(dt.date(2027, 1, 6))  # Epiphany, a Wednesday
    assert is_working_day(dt.date(2026, 12, 23))
    assert working_days_after(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 28)
    assert working_days_after(dt.date(2026, 12, 23), 0) == dt.date(2026, 12, 23)
    with pytest.raises(ValueError, match="0 or more"):
        working_days_after(dt.date(2026, 12, 23), -1)


def test_the_computed_calendar_matches_the_holidays_package_for_every_year() -> None:
    # The maintained ``holidays`` package is the oracle (a test dependency only): the days
    # off computed for 1991-2100 are exactly its Finnish holidays, eves included.
    holidays = pytest.importorskip("holidays")
    for year in range(1991, 2101):
        expected = frozenset(holidays.country_holidays("FI", years=year))
        assert finnish_days_off(year) == expected, year


def test_midsummer_and_all_saints_fall_on_their_saturdays() -> None:
    # Midsummer Day is the Saturday between 20 and 26 June, All Saints' Day the Saturday
    # between 31 October and 6 November: both edges of each week.
    assert dt.date(2020, 6, 20) in finnish_days_off(2020)  # a Saturday, the first edge
    assert dt.date(2020, 6, 19) in finnish_days_off(2020)  # its eve
    assert dt.date(2021, 6, 26) in finnish_days_off(2021)  # a Saturday, the last edge
    assert dt.date(2020, 10, 31) in finnish_days_off(2020)
    assert dt.date(2021, 11, 6) in finnish_days_off(2021)
    assert is_working_day(dt.date(2021, 6, 18))  # Friday a week before Midsummer Eve
    assert not is_working_day(dt.date(2021, 6, 25))


def test_the_seven_day_deadline_runs_across_a_holiday_and_a_weekend() -> None:
    # asked on Friday 18 December: 21-23 Dec, then Christmas and the weekend, 28-31 Dec
    assert discussion_deadline(dt.date(2026, 12, 18)) == dt.date(2026, 12, 31)
    # urgent on the day before Christmas Eve: the next working day is Monday the 28th
    assert discussion_deadline(dt.date(2026, 12, 23), urgent=True) == dt.date(2026, 12, 28)
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March
    assert discussion_deadline(dt.date(2027, 3, 25), urgent=True) == dt.date(2027, 3, 30)


def test_a_booking_reports_whether_it_meets_the_deadline(kit: WelfareKit) -> None:
    publish(kit, "late", dt.datetime(2027, 1, 4, 10, 0, tzinfo=FINLAND))
    publish(kit, "early", dt.datetime(2026, 12, 30, 10, 0, tzinfo=FINLAND))
    late = as_(kit, AINO).book("late", student_id="aino", asked_on=dt.date(2026, 12, 18))
    assert (late.deadline, late.in_time) == (dt.date(2026, 12, 31), False)
    early = as_(kit, AINO).book("early", student_id="aino", asked_on=dt.date(2026, 12, 18))
    assert early.in_time is True
    publish(kit, "nurse", MONDAY, who=NURSE, service="nurse")
    nurse = as_(kit, AINO).book("nurse", student_id="aino")
    assert (nurse.deadline, nurse.in_time) == (None, None)


# -- availability -----------------------------------------------------------------------------


def test_only_welfare_staff_publish_in_their_own_role(kit: WelfareKit) -> None:
    with pytest.raises(AccessDenied, match="does not work as psychologist"):
        publish(kit, "s1", MONDAY, who=TEACHER)
    with pytest.raises(AccessDenied, match="does not work as nurse"):
        publish(kit, "s1", MONDAY, who=PSY, service="nurse")
    with pytest.raises(AccessDenied, match="only welfare staff"):
        publish(kit, "s1", MONDAY, who=AINO)
    with pytest.raises(InvalidValue, match="bookable services"):
        publish(kit, "s1", MONDAY, who=TEACHER, service="teacher")
    with pytest.raises(InvalidValue, match="after starts_at"):
        as_(kit, PSY).publish_availability(service="psychologist", starts_at=MONDAY,
                                           ends_at=MONDAY)  # fmt: skip


def test_the_nurse_is_reachable_without_an_appointment(kit: WelfareKit) -> None:
    as_(kit, NURSE).publish_availability(
        service="nurse", starts_at=MONDAY, ends_at=MONDAY + dt.timedelta(hours=3),
        walk_in=True, slot_id="open-door",
    )  # fmt: skip
    assert [s.id for s in as_(kit, AINO).walk_in_hours()] == ["open-door"]
    assert as_(kit, AINO).available_slots() == []
    with pytest.raises(IntegrityError, match="not open for booking"):
        as_(kit, AINO).book("open-door", student_id="aino")
    with pytest.raises(InvalidValue, match="nurse"):
        as_(kit, PSY).publish_availability(service="psychologist", starts_at=MONDAY,
                                           ends_at=MONDAY + dt.timedelta(hours=1), walk_in=True)  # fmt: skip


# -- bookings ---------------------------------------------------------------------------------


def test_a_slot_cannot_be_booked_twice(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    booked = as_(kit, AINO).book("s1", student_id="aino")
    assert booked.booking.id == "s1-0"
    with pytest.raises(ConflictError, match="taken"):
        as_(kit, SANNA).book("s1", student_id="aino")
    assert as_(kit, AINO).available_slots() == []


def test_concurrent_requests_for_one_slot_give_one_booking(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(person: object) -> None:
        barrier.wait()
        try:
            as_(kit, person).book("s1", student_id="aino")  # type: ignore[arg-type]
            outcomes.append("booked")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(p,)) for p in (AINO, SANNA, AINO, SANNA)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "conflict", "conflict", "conflict"]
    assert len(as_(kit, PSY).bookings()) == 1


def test_cancelling_opens_the_slot_again_and_keeps_the_history(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    first = as_(kit, AINO).book("s1", student_id="aino")
    cancelled = as_(kit, PSY).cancel_booking(first.booking.id)
    assert (cancelled.status, cancelled.cancelled_by) == (BookingStatus.CANCELLED, PSY)
    with pytest.raises(IntegrityError, match="cancelled already"):
        as_(kit, AINO).cancel_booking(first.booking.id)
    assert [s.id for s in as_(kit, SANNA).available_slots()] == ["s1"]
    again = as_(kit, SANNA).book("s1", student_id="aino")
    assert again.booking.id == "s1-1"
    statuses = [
        (a.booking.id, a.booking.status.value) for a in as_(kit, AINO).bookings(student_id="aino")
    ]
    assert statuses == [("s1-0", "cancelled"), ("s1-1", "booked")]


def test_rescheduling_is_all_or_nothing(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    publish(kit, "s2", MONDAY + dt.timedelta(days=1))
    publish(kit, "s3", MONDAY + dt.timedelta(days=2))
    booked = as_(kit, AINO).book("s1", student_id="aino")
    as_(kit, SANNA).book("s3", student_id="aino")
    with pytest.raises(ConflictError):
        as_(kit, AINO).reschedule_booking(booked.booking.id, "s3")
    assert as_(kit, AINO).bookings(student_id="aino")[0].booking.status is BookingStatus.BOOKED
    moved = as_(kit, AINO).reschedule_booking(booked.booking.id, "s2")
    assert moved.slot.id == "s2"
    old = [a.booking for a in as_(kit, AINO).bookings(student_id="aino") if a.slot.id == "s1"]
    assert (old[0].status, old[0].rescheduled_to) == (BookingStatus.CANCELLED, moved.booking.id)


def test_a_past_slot_cannot_be_booked(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    with pytest.raises(IntegrityError, match="begun"):
        as_(kit, AINO, MONDAY + dt.timedelta(minutes=1)).book("s1", student_id="aino")


def test_who_visits_welfare_staff_is_confidential(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    as_(kit, AINO).book("s1", student_id="aino")
    assert [a.booking.student_id for a in as_(kit, PSY).bookings()] == ["aino"]
    assert len(as_(kit, SANNA).bookings(student_id="aino")) == 1
    for outsider in (TEACHER, PSY2):
        with pytest.raises(AccessDenied):
            as_(kit, outsider).bookings(student_id="aino")
    assert as_(kit, PSY2).bookings() == []
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).book("s1", student_id="aino")
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).cancel_booking("s1-0")


def test_a_vetoed_guardian_neither_books_nor_sees(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    as_(kit, AINO).book("s1", student_id="aino")
    as_(kit, PSY).record_guardian_veto(student_id="aino", guardian_ids=["sanna"],
                                       participation=True, access=True, method="oral")  # fmt: skip
    with pytest.raises(AccessDenied):
        as_(kit, SANNA).bookings(student_id="aino")


def test_booking_notifications_name_no_one(kit: WelfareKit) -> None:
    publish(kit, "s1", MONDAY)
    as_(kit, SANNA).book("s1", student_id="aino")
    with kit.storage.transaction() as tx:
        messages = {(m.recipient, m.topic) for m in tx.list(OutboxMessage, P)}
    assert messages == {
        (PSY, NotificationTopic.BOOKING_RECEIVED),
        (AINO, NotificationTopic.BOOKING_CONFIRMED),
    }
    kit.deliver_notifications()
    for sent in kit.notifier.sent:  # type: ignore[union-attr]
        assert "psycholog" not in sent.text.lower()
        assert sent.text in (NotificationTopic.BOOKING_RECEIVED.text,
                             NotificationTopic.BOOKING_CONFIRMED.text)  # fmt: skip
