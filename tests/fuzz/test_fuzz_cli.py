"""The command line's outside inputs — option values, a OneRoster bundle and its mapping, a
checkpoint file — end in an exit status and at most one line of error, never a traceback:
argparse refuses a malformed command line (exit 2), welfarekit's errors exit 1."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_support import attempt, fuzz
from hypothesis import example, given
from hypothesis import strategies as st

from welfarekit.cli import main
from welfarekit.crypto import init_key_file

TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "-1", "0", "1", "99999999999999999999", "harjula", "p1", "aino",
                     "student:aino", "staff:", ":x", "x:y:z", "student:\x00", "2026-11-23",
                     "2026-11-23T12:00:00+00:00", "9999-12-31T23:59:59.5+00:00",
                     "0001-01-01T00:00:00+00:00", "2026-11-23T12:00:00", "--db"]),
)  # fmt: skip
INTS = st.one_of(st.integers(), st.sampled_from(["x", "1.5", "", "-0", "1e3"])).map(str)


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    """A key file and a SQLite database for the commands that need them."""
    with tempfile.TemporaryDirectory() as folder:
        init_key_file(Path(folder) / "keys.json")
        assert main(["db", "upgrade", "--db", str(Path(folder) / "cli.db")]) == 0
        yield Path(folder)


@pytest.fixture
def environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(home / "keys.json"))
    monkeypatch.setenv("WELFAREKIT_DB", str(home / "cli.db"))
    return home


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    """The exit status of ``welfarekit argv``; a traceback fails the test."""
    exited: object = None
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's refusal of the command line, or --help
        exited = exit_.code
        status = int(exit_.code or 0)  # type: ignore[arg-type]
    assert exited in (None, 0, 2), exited
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status == 1:
        assert err.startswith("welfarekit: error: ") or "\n" in err, err
    return status


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["retention", "export", "rotate-data", "verify", "outbox"]))
    if command == "retention":
        argv = ["retention", "run", "--provider", draw(TEXT)]
        for option in ("--records-years", "--referrals-years", "--matters-years",
                       "--bookings-years", "--notifications-days"):  # fmt: skip
            if draw(st.booleans()):
                argv += [option, draw(INTS)]
        return argv + (["--destroy"] if draw(st.booleans()) else [])
    if command == "export":
        return ["export", "--provider", draw(TEXT), "--student", draw(TEXT), "--as", draw(TEXT),
                "--format", draw(st.sampled_from(["json", "html", "fhir", "xml"]))]  # fmt: skip
    if command == "rotate-data":
        return ["keys", "rotate-data", "--before", draw(TEXT)]
    if command == "outbox":
        return ["outbox", draw(st.sampled_from(["failed", "dispatch"])), "--provider", draw(TEXT)]
    return ["audit", "verify", "--provider", draw(TEXT)]


@fuzz(80)
@given(command_lines())
@example(["retention", "run", "--provider", "p1", "--records-years", "0"])
@example(["retention", "run", "--provider", "p1", "--records-years", "-3"])
@example(["keys", "rotate-data", "--before", "9999-12-31T23:59:59.5+00:00"])
@example(["export", "--provider", "p1", "--student", "aino", "--as", "nobody:aino"])
def test_any_option_values_end_in_an_exit_status(
    environment: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    run(argv, capsys)


CHECKPOINT_LINES = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda provider, sequence, head, taken, key, signature: (
            f'{{"provider_id": {provider}, "sequence": {sequence}, "head_hash": {head}, '
            f'"taken_at": {taken}, "key_id": {key}, "signature": {signature}}}'
        ),
        *[st.sampled_from(['"p1"', '"AA=="', "1", "1e999", "null", "[]", '"x"', '"2026-11-23"',
                           '"' + "a" * 64 + '"', "-1"])] * 6,
    ),
)  # fmt: skip


@fuzz(60)
@given(st.lists(CHECKPOINT_LINES, max_size=3), st.binary(max_size=4))
@example(
    [
        '{"provider_id": "p1", "sequence": 1e999, "head_hash": "x", "taken_at": "2026-11-23",'
        ' "key_id": "k", "signature": "AA=="}'
    ],
    b"",
)
@example([], b"\xff")
def test_any_checkpoint_file_ends_in_an_exit_status(
    environment: Path, capsys: pytest.CaptureFixture[str], lines: list[str], tail: bytes
) -> None:
    path = environment / "checkpoints.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + tail)
    run(["audit", "verify", "--checkpoints", str(path)], capsys)


@fuzz(40)
@given(st.text(max_size=80), st.sampled_from(["orgs.csv", "users.csv", "roles.csv"]))
def test_any_roster_import_ends_in_an_exit_status(
    environment: Path, capsys: pytest.CaptureFixture[str], text: str, name: str
) -> None:
    pytest.importorskip("welfarekit_oneroster")
    bundle = Path(__file__).parents[2] / "plugins" / "welfarekit-oneroster" / "tests" / "bundle"
    with tempfile.TemporaryDirectory() as folder:
        for source in bundle.iterdir():
            (Path(folder) / source.name).write_bytes(source.read_bytes())
        (Path(folder) / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["roster", "import", folder, "--mapping", str(Path(folder) / "mapping.toml"),
                "--db", "memory://"]  # fmt: skip
        assert run(argv, capsys) == 1


POLICY_KEYS = st.sampled_from(["group_names", "register_responsible_role", "retention",
                               "crisis_contacts", "required_sections", "overridable"])  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=3),
    max_leaves=8,
)  # fmt: skip
RETENTION = st.dictionaries(
    st.sampled_from(["records_years", "referrals_years", "notifications_days", "x"]), JSON
)


@fuzz(200)
@given(st.one_of(st.dictionaries(POLICY_KEYS, JSON | RETENTION).map(json.dumps),
                 st.text(max_size=40)))  # fmt: skip
def test_any_stored_policy_is_a_policy_or_invalid_value(body: str) -> None:
    """The steering group's policy as stored, which `welfarekit retention run` reads."""
    from welfarekit.errors import InvalidValue
    from welfarekit.policy import WelfarePolicy

    outcome = attempt(lambda: WelfarePolicy.from_json(body))
    assert isinstance(outcome, WelfarePolicy | InvalidValue), outcome


def test_checkpoint_from_json_refuses_a_sequence_past_a_float_with_invalid_value() -> None:
    from welfarekit.checkpoints import checkpoint_from_json
    from welfarekit.errors import InvalidValue

    with pytest.raises(InvalidValue):
        checkpoint_from_json('{"provider_id": "p1", "sequence": 1e999, "head_hash": "x", '
                             '"taken_at": "2026-11-23", "key_id": "k", "signature": "AA=="}')  # fmt: skip
