"""The ``welfarekit`` command line.

Every command that touches a database takes ``--db`` (a URL or a path to a SQLite file) and
otherwise reads ``WELFAREKIT_DB``, then falls back to the embedded default. Errors are one
line on standard error and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from welfarekit import __version__
from welfarekit.builtin import BUILTIN_PLUGINS
from welfarekit.clock import today_in_finland
from welfarekit.errors import WelfareKitError
from welfarekit.hookspecs import HOOK_API_VERSION
from welfarekit.kit import WelfareKit
from welfarekit.plugins import installed_plugins, load_plugins
from welfarekit.retention import RetentionPolicy
from welfarekit.settings import ENV_DB, Settings

if TYPE_CHECKING:
    from welfarekit.audit_chain import AuditCheckpoint

__all__ = ["main"]

EXIT_ERROR = 1


def _open(args: argparse.Namespace, *, create: bool = False) -> WelfareKit:
    """The kit on the chosen database. Only the commands that make a database (``demo``,
    ``db upgrade``, ``roster import``) pass ``create``: the others refuse a SQLite file
    that is not there, rather than leave an empty one behind (a mistyped ``--db``)."""
    settings = Settings.from_env(database=args.db)
    if not create:
        _require_existing_sqlite_file(settings.database_url)
    return WelfareKit.open(settings)


def _require_existing_sqlite_file(url: str) -> None:
    from welfarekit.errors import ConfigurationError

    if not url.startswith("sqlite:///"):
        return
    path = url.removeprefix("sqlite:///").partition("?")[0]
    if path and path != ":memory:" and not Path(path).expanduser().exists():
        raise ConfigurationError(
            f"there is no database at {path}: make one with `welfarekit db upgrade` "
            "(or `welfarekit demo`), or name another with --db"
        )


def _cmd_notify(args: argparse.Namespace) -> int:
    with _open(args) as kit:
        report = kit.deliver_notifications(provider_id=args.provider)
    print(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed for good, "
          f"{report.waiting} waiting for a notifier")  # fmt: skip
    return 1 if report.failed else 0


def _cmd_outbox_failed(args: argparse.Namespace) -> int:
    from welfarekit.notify import failed_messages

    with _open(args) as kit:
        failed = failed_messages(kit.storage, args.provider)
    for message in failed:
        print(f"{message.created_at.isoformat()} {message.topic.value} to {message.recipient}: "
              f"{message.attempts} attempts, last error {message.last_error}")  # fmt: skip
    print(f"{len(failed)} notification(s) could not be delivered")
    return 1 if failed else 0


def _cmd_roster_import(args: argparse.Namespace) -> int:
    from welfarekit.errors import ConfigurationError

    try:
        from welfarekit_oneroster import InvalidBundle, RosterMapping, import_bundle
    except ImportError:
        raise ConfigurationError(
            "roster import needs the welfarekit-oneroster distribution: "
            "pip install welfarekit-oneroster"
        ) from None
    try:
        mapping = RosterMapping.load(args.mapping)
        with _open(args, create=True) as kit:
            kit.upgrade_schema()
            report = import_bundle(kit, args.bundle, mapping,
                                   progress=lambda step: print(f"… {step}", file=sys.stderr))  # fmt: skip
    except InvalidBundle as error:
        print(f"welfarekit: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    left = f"; left: {', '.join(report.left)}" if report.left else ""
    print(f"imported {report.students} students, {report.staff} staff, {report.guardians} "
          f"guardians ({report.written} objects){left}")  # fmt: skip
    return 0


def _deliver_demo_notifications(kit: WelfareKit) -> str:
    """Deliver the demo's outbox: through the configured notifier, or else into a file
    beside the key file (the built-in ``file`` notifier)."""
    if kit.notifier is not None:
        report = kit.deliver_notifications()
        return f"Delivered {report.sent} notification(s) through {kit.settings.notifier}"
    from welfarekit.builtin.file_notifier import FileNotifier

    target = kit.settings.key_file.with_name("demo-notifications.jsonl")
    notifier = FileNotifier({"path": target})
    kit.plugin_manager.register(notifier, name="demo-file-notifier")
    try:
        report = kit.deliver_notifications()
    finally:
        kit.plugin_manager.unregister(name="demo-file-notifier")
    return (f"Delivered {report.sent} notification(s) to {target} (the file notifier; "
            "WELFAREKIT_NOTIFIER=smtp with welfarekit-smtp sends e-mail)")  # fmt: skip


def _cmd_demo(args: argparse.Namespace) -> int:
    from welfarekit.crypto import init_key_file
    from welfarekit.demo import (
        DEMO_PROVIDER_ID,
        build_consent_demo,
        build_demo,
        build_record_demo,
        describe_access,
        describe_provider,
        describe_record,
    )
    from welfarekit.demo_casework import build_casework_demo, describe_casework
    from welfarekit.demo_communal import build_communal_demo, describe_communal

    now = dt.datetime.now(dt.UTC)
    today = today_in_finland(now)
    with _open(args, create=True) as kit:
        print(f"welfarekit demo: database {kit.storage.describe()}")
        key_file = kit.settings.key_file
        if kit.settings.keyring == "local" and not key_file.exists():
            key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            init_key_file(key_file)
            print(f"welfarekit demo: created the key file {key_file}")
        written = build_demo(kit, today)
        build_consent_demo(kit, now)
        build_record_demo(kit, now)
        build_casework_demo(kit, now)
        published, notices = build_communal_demo(kit, now)
        print()
        print(describe_provider(kit.directory("demo"), DEMO_PROVIDER_ID, today))
        print()
        print(describe_access(kit, now))
        print()
        print(describe_record(kit, now))
        print()
        print(describe_casework(kit, now))
        print()
        print(describe_communal(kit, now, published, notices))
        print()
        print(_deliver_demo_notifications(kit))
        print()
        print(
            f"Wrote {written} objects. Running the demo again refreshes the same objects; "
            "it never duplicates them."
        )
    return 0


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    with _open(args, create=True) as kit:
        kit.upgrade_schema()
        status = kit.schema_status()
        print(f"{kit.storage.describe()}: schema at {status.current} (newest)")
    return 0


def _cmd_db_status(args: argparse.Namespace) -> int:
    with _open(args) as kit:
        status = kit.schema_status()
        state = "up to date" if status.up_to_date else "needs `welfarekit db upgrade`"
        print(
            f"{kit.storage.describe()}: schema at {status.current or 'nothing yet'}, "
            f"newest {status.head} ({state})"
        )
    return 0 if status.up_to_date else EXIT_ERROR


def _cmd_plugins(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    _, _, loaded = load_plugins(settings.plugins, builtins=BUILTIN_PLUGINS)
    print(f"welfarekit {__version__}, hook API {HOOK_API_VERSION}")
    print("Loaded:")
    for plugin in loaded:
        version = f" {plugin.distribution} {plugin.version}" if plugin.distribution else ""
        print(f"  {plugin.name} ({plugin.source}{version})")
        print(f"    hooks: {', '.join(plugin.hooks) or 'none'}")
        print(f"    adapters: {', '.join(plugin.adapters) or 'none'}")
    loaded_names = {p.name for p in loaded}
    others = [p for p in installed_plugins() if p.name not in loaded_names]
    if others:
        print("Installed but not allowed (add to WELFAREKIT_PLUGINS to load):")
        for info in others:
            print(f"  {info.name} ({info.distribution} {info.version})")
    return 0


def _cmd_rules_table(args: argparse.Namespace) -> int:
    from welfarekit.rules.table import who_can_see_what

    print(who_can_see_what())
    return 0


def _key_file(args: argparse.Namespace) -> Path:
    return Path(args.key_file) if args.key_file else Settings.from_env().key_file


def _cmd_keys_init(args: argparse.Namespace) -> int:
    from welfarekit.crypto import init_key_file

    path = _key_file(args)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring = init_key_file(path)
    print(f"created {keyring.path} (readable by its owner only), key {keyring.key_id}")
    print("Back it up apart from the database: without it nothing sealed can be read.")
    return 0


def _cmd_keys_add(args: argparse.Namespace) -> int:
    from welfarekit.crypto import add_key

    key_id = add_key(_key_file(args))
    print(f"added key {key_id} to {_key_file(args)}; new keysets are wrapped under it")
    return 0


def _cmd_keys_rotate(args: argparse.Namespace) -> int:
    from welfarekit.crypto import LocalKeyFileKeyring, add_key
    from welfarekit.keys import rewrap_keysets

    path = _key_file(args)
    settings = attrs.evolve(Settings.from_env(database=args.db), key_file=path)
    _require_existing_sqlite_file(settings.database_url)
    with WelfareKit.open(settings) as kit:
        if not args.resume:
            print(f"added key {add_key(path)} to {path}")
        keyring = LocalKeyFileKeyring.load(path)

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            bar = "#" * filled + "-" * (width - filled)
            print(f"\rrewrapping keysets [{bar}] {done}/{total}", end="", file=sys.stderr)

        report = rewrap_keysets(kit.storage, keyring, progress=progress)
        print(file=sys.stderr)
        print(
            f"{report.rewrapped} of {report.keysets} keysets rewrapped under {report.kek_id} "
            f"(and {report.other_secrets} other wrapped secret(s)); no record was re-encrypted"
        )
    return 0


def _cmd_retention_run(args: argparse.Namespace) -> int:
    import json

    from welfarekit.retention import DueItem, run_retention

    archive_dir = Path(args.archive) if args.archive else None

    def archive(item: DueItem, record: dict[str, object]) -> None:
        assert archive_dir is not None
        folder = archive_dir / args.provider / str(item.student_id)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / f"{item.key}.json"
        # owner-only from the start: the archive copy is the record in plain text
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
                  encoding="utf-8") as out:  # fmt: skip
            json.dump(record, out, ensure_ascii=False, indent=2, sort_keys=True)

    destroy = args.destroy or archive_dir is not None
    with _open(args) as kit:
        policy = _retention_policy(kit, args)
        due = run_retention(kit.storage, kit.plugin_manager.hook, args.provider, policy,
                            today_in_finland(), destroy=destroy,
                            archive=archive if archive_dir else None, vault=kit.vault)  # fmt: skip
    verb = (f"archived to {archive_dir} and destroyed" if archive_dir
            else "destroyed" if destroy else "due (dry run; --destroy to destroy)")  # fmt: skip
    for item in due:
        print(f"{item.kind.value} {item.key}" + (f" of student {item.student_id}" if
              item.student_id else "") + f": last activity {item.last_activity.isoformat()}, "
              f"due since {item.due_since.isoformat()}")  # fmt: skip
    print(f"{len(due)} item(s) {verb}")
    return 0


def _retention_policy(kit: WelfareKit, args: argparse.Namespace) -> RetentionPolicy:
    """The provider's retention policy, with the periods given on the command line in place
    of the policy's."""
    from welfarekit.errors import ConfigurationError
    from welfarekit.model import PolicyDocument
    from welfarekit.policy import WelfarePolicy

    with kit.storage.transaction() as tx:
        stored = tx.get(PolicyDocument, args.provider, "provider")
    policy = WelfarePolicy.from_json(stored.body).retention if stored else None
    given = {
        "records_years": args.records_years, "referrals_years": args.referrals_years,
        "matters_years": args.matters_years, "bookings_years": args.bookings_years,
        "notifications_days": args.notifications_days,
    }  # fmt: skip
    values = {**(attrs.asdict(policy) if policy else {}),
              **{k: v for k, v in given.items() if v is not None}}  # fmt: skip
    if values.get("records_years") is None:
        raise ConfigurationError(
            f"provider {args.provider!r} has no retention policy: give --records-years, or "
            "let the steering group set one (Session.set_policy)"
        )
    try:
        return RetentionPolicy(**values)
    except ValueError as error:  # a period of less than one year (or day)
        raise ConfigurationError(f"retention periods: {error}") from None


def _cmd_export(args: argparse.Namespace) -> int:
    from welfarekit.access import Actor
    from welfarekit.errors import ConfigurationError
    from welfarekit.model import PersonRef

    kind, _, person_id = args.actor.partition(":")
    if not person_id:
        raise ConfigurationError("--as takes KIND:ID, e.g. student:aino.korhonen")
    with _open(args) as kit:
        actor = Actor(provider_id=args.provider, person=PersonRef(kind, person_id))
        if args.format == "fhir":
            import json

            text = json.dumps(kit.session(actor).export_fhir(args.student), indent=2,
                              ensure_ascii=False)  # fmt: skip
        else:
            copy = kit.session(actor).export_subject_data(args.student)
            text = copy.to_html() if args.format == "html" else copy.to_json()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def _cmd_keys_rotate_data(args: argparse.Namespace) -> int:
    from welfarekit.errors import ConfigurationError
    from welfarekit.keys import rotate_data_keys, rotation_cutoff

    try:
        before = (
            rotation_cutoff(dt.datetime.fromisoformat(args.before))
            if args.before
            else rotation_cutoff()
        )
    except (ValueError, OverflowError):  # OverflowError: the last second of year 9999
        raise ConfigurationError(f"--before takes an ISO 8601 time, not {args.before!r}") from None
    if before.tzinfo is None:
        raise ConfigurationError("--before needs a time zone, e.g. 2026-11-23T12:00:00+00:00")
    print(f"rotating data keys made before {before.isoformat()} "
          f"(run again with --before {before.isoformat()} to finish if interrupted)")  # fmt: skip
    with _open(args) as kit:

        def progress(done: int, total: int) -> None:
            print(f"\rre-encrypting students {done}/{total}", end="", file=sys.stderr)

        report = rotate_data_keys(kit.storage, kit.vault, primary_before=before,
                                  progress=progress)  # fmt: skip
        print(file=sys.stderr)
    print(f"{report.rotated} of {report.students} keysets given a new primary key; "
          f"{report.resealed} sealed values re-encrypted")  # fmt: skip
    return 0


def _cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from welfarekit.checkpoints import checkpoint_to_json

    with _open(args) as kit:
        out = Path(args.out) if args.out else kit.settings.checkpoint_file
        providers = [p.id for p in kit.directory("audit-checkpoint").providers()]
        lines = []
        for provider_id in providers:
            checkpoint = kit.checkpoint(provider_id, create_key=True)
            if checkpoint is not None:
                lines.append(checkpoint_to_json(checkpoint))
                print(f"{provider_id}: checkpoint at event {checkpoint.sequence}")
    with out.open("a", encoding="utf-8") as file:
        file.writelines(line + "\n" for line in lines)
    print(f"appended {len(lines)} checkpoints to {out}; keep it where the database's "
          "administrators cannot rewrite it")  # fmt: skip
    return 0


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from welfarekit.audit_chain import verify
    from welfarekit.checkpoints import load_signing_key

    broken = 0
    with _open(args) as kit:
        checkpoints = _checkpoints(Path(args.checkpoints)) if args.checkpoints else []
        public_key = None
        if checkpoints:
            public_key = load_signing_key(kit.settings.signing_key_file)[0].public_key()
        providers = [p.id for p in kit.directory("audit-verify").providers()]
        if args.provider:
            providers = [args.provider]
        for provider_id in providers:
            with kit.storage.transaction() as tx:
                entries = tx.audit_entries(provider_id)
            own = [c for c in checkpoints if c.provider_id == provider_id]
            report = verify(entries, checkpoints=own, public_key=public_key if own else None)
            if report:
                against = f" and {len(own)} checkpoints" if own else ""
                print(f"{provider_id}: {report.checked} audit events, chain intact{against}")
            else:
                broken += 1
                print(f"{provider_id}: BROKEN at event {report.first_broken}: {report.problem}")
    return EXIT_ERROR if broken else 0


def _checkpoints(path: Path) -> list[AuditCheckpoint]:
    from welfarekit.checkpoints import read_checkpoints
    from welfarekit.errors import ConfigurationError

    try:
        return read_checkpoints(path)
    except WelfareKitError:
        raise
    except UnicodeDecodeError as error:  # not text
        raise ConfigurationError(f"{path} is not a checkpoint file: {error}") from None


def _add_key_and_audit_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    database: argparse.ArgumentParser,
) -> None:
    key_file = argparse.ArgumentParser(add_help=False)
    key_file.add_argument(
        "--key-file",
        metavar="PATH",
        help="the key file (default: $WELFAREKIT_KEY_FILE, then keys.json beside the "
        "embedded database)",
    )
    keys_group = commands.add_parser("keys", help="keys: init, add, rotate, rotate-data")
    keys_commands = keys_group.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    for name, handler, text in (
        ("init", _cmd_keys_init, "create the local key file (owner-only permissions)"),
        ("add", _cmd_keys_add, "add a new current key-encryption key to the key file"),
    ):
        sub = keys_commands.add_parser(name, parents=[key_file], help=text, description=text)
        sub.set_defaults(handler=handler)
    rotate = keys_commands.add_parser(
        "rotate",
        parents=[key_file, database],
        help="add a new key-encryption key and rewrap every keyset under it",
        description="Add a new key-encryption key and rewrap every student's keyset under "
        "it; no record is re-encrypted. An interrupted run is finished with --resume.",
    )
    rotate.add_argument(
        "--resume", action="store_true", help="finish an interrupted rotation (add no key)"
    )
    rotate.set_defaults(handler=_cmd_keys_rotate)
    rotate_data = keys_commands.add_parser(
        "rotate-data",
        parents=[database],
        help="give every student a new data key and re-encrypt their sealed data",
        description="Give every student whose primary data key was made before --before "
        "(default: now) a new primary key and re-encrypt their sealed values under it, one "
        "student per transaction. Run again with the same --before to finish an "
        "interrupted run.",
    )
    rotate_data.add_argument("--before", metavar="ISO_TIME", help="rotate keys made before this")
    rotate_data.set_defaults(handler=_cmd_keys_rotate_data)

    audit_group = commands.add_parser("audit", help="the audit trail: verify, checkpoint")
    audit_commands = audit_group.add_subparsers(
        dest="audit_command", metavar="COMMAND", required=True
    )
    verify_parser = audit_commands.add_parser(
        "verify",
        parents=[database],
        help="check every provider's audit chain (exit 1 if broken)",
        description="Check the hash chain of each provider's audit trail and report the "
        "first broken link: an edited, deleted, inserted or reordered event.",
    )
    verify_parser.add_argument("--provider", metavar="ID", help="check one provider only")
    verify_parser.add_argument(
        "--checkpoints",
        metavar="FILE",
        help="signed checkpoints (JSON lines) to check the chain against: finds a cut tail",
    )
    verify_parser.set_defaults(handler=_cmd_audit_verify)
    checkpoint_parser = audit_commands.add_parser(
        "checkpoint",
        parents=[database],
        help="sign each provider's chain head and append it to a checkpoint file",
        description="Sign each provider's audit chain head with the audit signing key "
        "(created beside the key file on first use), hand it to the checkpoint hook and "
        "append it to a JSON-lines file.",
    )
    checkpoint_parser.add_argument("--out", metavar="FILE", help="the checkpoint file")
    checkpoint_parser.set_defaults(handler=_cmd_audit_checkpoint)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="welfarekit",
        description="Student welfare work (opiskeluhuolto) for school platforms.",
    )
    parser.add_argument("--version", action="version", version=f"welfarekit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        help=f"database URL or SQLite file (default: ${ENV_DB}, then the embedded SQLite file)",
    )

    def add(
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        handler: Callable[[argparse.Namespace], int],
        text: str,
        *,
        db: bool = True,
    ) -> None:
        sub = group.add_parser(name, parents=[database] if db else [], help=text, description=text)
        sub.set_defaults(handler=handler)

    add(commands, "demo", _cmd_demo, "create the demo education provider and describe it")
    db_group = commands.add_parser("db", help="database schema: upgrade, status")
    db_commands = db_group.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    add(db_commands, "upgrade", _cmd_db_upgrade, "create or migrate welfarekit's tables")
    add(db_commands, "status", _cmd_db_status, "show the schema version (exit 1 if behind)")
    add(commands, "plugins", _cmd_plugins, "list loaded and installed plugins", db=False)
    rules_group = commands.add_parser("rules", help="the access rules: who can see what")
    rules_commands = rules_group.add_subparsers(
        dest="rules_command", metavar="COMMAND", required=True
    )
    add(
        rules_commands,
        "table",
        _cmd_rules_table,
        "print who can see what, from the rules",
        db=False,
    )

    _add_key_and_audit_commands(commands, database)

    export = commands.add_parser(
        "export",
        parents=[database],
        help="a student's complete copy of their welfare data (JSON or HTML)",
        description="Make the copy a student or an entitled guardian may have of the "
        "student's welfare data, decided and audited as that person's export.",
    )
    export.add_argument("--provider", required=True, metavar="ID", help="education provider")
    export.add_argument("--student", required=True, metavar="ID", help="whose data")
    export.add_argument(
        "--as", dest="actor", required=True, metavar="KIND:ID",
        help="who asks, as the host authenticated them: student:ID or guardian:ID",
    )  # fmt: skip
    export.add_argument("--format", choices=("json", "html", "fhir"), default="json",
                        help="the copy as JSON or HTML, or the expressions of will and the "
                        "audit trail as a FHIR R5 Bundle")  # fmt: skip
    export.add_argument("--out", metavar="FILE", help="write to a file instead of stdout")
    export.set_defaults(handler=_cmd_export)

    outbox_group = commands.add_parser("outbox", help="the notification outbox: dispatch, failed")
    outbox_commands = outbox_group.add_subparsers(
        dest="outbox_command", metavar="COMMAND", required=True
    )
    dispatch = outbox_commands.add_parser(
        "dispatch",
        parents=[database],
        help="deliver the due notifications through the configured notifier",
        description="Hand the outbox's due notifications to the notifier named by "
        "WELFAREKIT_NOTIFIER (run it from a scheduler). Without a notifier they wait; a "
        "failed delivery is tried again after a growing wait.",
    )
    dispatch.add_argument("--provider", metavar="ID", help="only this provider's outbox")
    dispatch.set_defaults(handler=_cmd_notify)
    failed = outbox_commands.add_parser(
        "failed",
        parents=[database],
        help="list the notifications that could not be delivered",
    )
    failed.add_argument("--provider", required=True, metavar="ID")
    failed.set_defaults(handler=_cmd_outbox_failed)

    roster_group = commands.add_parser("roster", help="rosters: import a OneRoster bundle")
    roster_commands = roster_group.add_subparsers(
        dest="roster_command", metavar="COMMAND", required=True
    )
    roster = roster_commands.add_parser(
        "import",
        parents=[database],
        help="import a OneRoster 1.2 CSV bundle into the directory (welfarekit-oneroster)",
        description="Check a OneRoster 1.2 CSV bundle and import it into the directory in one "
        "transaction; every error is reported with file, line and field and a bundle with "
        "errors imports nothing. Needs the welfarekit-oneroster distribution.",
    )
    roster.add_argument("bundle", metavar="PATH", help="the bundle's folder")
    roster.add_argument("--mapping", required=True, metavar="FILE",
                        help="the TOML file with what OneRoster does not say")  # fmt: skip
    roster.set_defaults(handler=_cmd_roster_import)

    retention_group = commands.add_parser("retention", help="the provider's retention: run")
    retention_commands = retention_group.add_subparsers(
        dest="retention_command", metavar="COMMAND", required=True
    )
    retention = retention_commands.add_parser(
        "run",
        parents=[database],
        help="list what the retention periods no longer let the provider keep (--destroy)",
        description="List what the provider's retention periods no longer let it keep; with "
        "--destroy, delete it and write each destruction to the audit trail "
        "(Tiedonhallintalaki 21 §). The periods come from the steering group's policy unless "
        "given here; a period given here replaces the policy's.",
    )
    retention.add_argument("--provider", required=True, metavar="ID")
    retention.add_argument(
        "--records-years", type=int, metavar="N",
        help="keep a record N years after its last entry (default: the provider's policy)",
    )  # fmt: skip
    for kind, unit in (("referrals", "years"), ("matters", "years"), ("bookings", "years"),
                       ("notifications", "days")):  # fmt: skip
        retention.add_argument(
            f"--{kind}-{unit}", type=int, metavar="N", default=None,
            help=f"keep {kind} N {unit} after their last activity (default: keep)",
        )  # fmt: skip
    retention.add_argument("--destroy", action="store_true", help="destroy what is due")
    retention.add_argument(
        "--archive", metavar="DIR",
        help="write each record due to DIR (owner-only JSON files), then destroy it",
    )  # fmt: skip
    retention.set_defaults(handler=_cmd_retention_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except WelfareKitError as error:
        print(f"welfarekit: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # a file to read or write: missing, not allowed, disk full
        print(f"welfarekit: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("welfarekit: interrupted", file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
