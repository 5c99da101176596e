"""``python -m examples.portal``: the example portal on the embedded SQLite with the demo."""

from __future__ import annotations

import argparse

from examples.portal import DEMO_USERS, create_app
from examples.portal.demo import load_demo
from welfarekit import Settings, WelfareKit
from welfarekit.crypto import init_key_file


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.portal", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not settings.key_file.exists():
        settings.key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        init_key_file(settings.key_file)
    kit = WelfareKit.open(settings)
    load_demo(kit)
    app = create_app(kit, secure_cookies=False)  # plain HTTP on this machine only
    print(f"welfarekit example portal on {kit.storage.describe()}")
    print(f"open http://127.0.0.1:{args.port}/ and sign in as one of:")
    for _, person_id, label in DEMO_USERS:
        print(f"  {label} ({person_id})")
    app.run(host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
