"""Shared fixtures: a kit on the in-memory reference storage and a small provider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from welfarekit import (
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    InstitutionKind,
    Period,
    Role,
    Settings,
    StaffMember,
    Student,
    StudyGroup,
    WelfareKit,
)
from welfarekit.storage import Entity

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep tests away from the user's real default database and settings."""
    for name in ("WELFAREKIT_DB", "WELFAREKIT_PLUGINS", "WELFAREKIT_STORAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture
def kit() -> Iterator[WelfareKit]:
    with WelfareKit.open(Settings(database_url="memory://", plugins=())) as opened:
        yield opened


def small_provider(provider_id: str = "p1") -> list[Entity]:
    """A provider with one institution, a group advisor, a study group, a minor student
    and a guardian: the smallest world most tests need."""
    return [
        EducationProvider(id=provider_id, name=f"Provider {provider_id}"),
        Institution(
            id="lukio", provider_id=provider_id, name="Lukio",
            kind=InstitutionKind.GENERAL_UPPER_SECONDARY,
        ),
        StaffMember(
            id="advisor", provider_id=provider_id, given_names="Juha", family_name="Mäkinen",
            roles={Role.GROUP_ADVISOR, Role.TEACHER}, institution_ids={"lukio"},
        ),
        StaffMember(
            id="psy", provider_id=provider_id, given_names="Tuomas", family_name="Saarinen",
            roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county",
        ),
        StudyGroup(id="1a", provider_id=provider_id, institution_id="lukio", name="1A",
                   advisor_id="advisor"),
        Student(
            id="aino", provider_id=provider_id, institution_id="lukio", given_names="Aino",
            family_name="Korhonen", date_of_birth=dt.date(2010, 3, 1),
            home_municipality="Jyväskylä", study_group_id="1a",
        ),
        Guardian(id="sanna", provider_id=provider_id, given_names="Sanna",
                 family_name="Korhonen", email="sanna@example.org"),
        Guardianship(provider_id=provider_id, guardian_id="sanna", student_id="aino",
                     validity=Period(start=dt.date(2010, 3, 1))),
    ]  # fmt: skip


@pytest.fixture
def world() -> Callable[..., list[Entity]]:
    """Build :func:`small_provider` worlds: ``world()`` or ``world("p2")``."""
    return small_provider


# Words of the cases the tests write (matters, referrals, records): no notification may carry
# any of them, nor a name, whatever test produced it.
_CONFIDENTIAL = ("kiusa", "Kiusaaminen", "Marker-", "Väsynyt", "riitaa", "Aino", "Korhonen",
                 "psychologist", "social worker", "nurse")  # fmt: skip


@pytest.fixture(autouse=True)
def _every_notification_is_scanned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Wrap the outbox so that every notification any test produces is checked: its text is
    one of the fixed sentences and nothing in it names the case or a person."""
    import welfarekit.session
    from welfarekit.model import NotificationTopic

    written: list[object] = []
    original = welfarekit.session.enqueue

    def scanned(*args: object, **kwargs: object) -> object:
        message = original(*args, **kwargs)  # type: ignore[arg-type]
        written.append(message)
        return message

    monkeypatch.setattr(welfarekit.session, "enqueue", scanned)
    yield
    sentences = {topic.text for topic in NotificationTopic}
    for message in written:
        text = message.text  # type: ignore[attr-defined]
        assert text in sentences
        for word in _CONFIDENTIAL:
            assert word.lower() not in text.lower(), (word, text)


# -- storage backends -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_databases() -> Iterator[object]:
    from welfarekit_sqlalchemy.testing import SharedDatabases

    shared = SharedDatabases()
    yield shared
    shared.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql", "mariadb"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, shared_databases: object
) -> Iterator[str]:
    """Where a test's kit keeps its data: the in-memory reference storage, a SQLite file,
    or (when their URLs are set, see :mod:`welfarekit_sqlalchemy.testing`) the session's
    PostgreSQL or MariaDB database, emptied for the test."""
    from welfarekit_sqlalchemy.testing import SharedDatabases

    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'welfare.db'}"
    else:
        assert isinstance(shared_databases, SharedDatabases)
        yield shared_databases.clean(request.param)
