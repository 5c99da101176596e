"""``python -m examples.portal``: the example portal on the embedded SQLite with the demo."""

from __future__ import annotations

import datetime as dt

from examples.portal import DEMO_USERS, create_app
from welfarekit import Settings, WelfareKit
from welfarekit.crypto import init_key_file
from welfarekit.demo import build_consent_demo, build_demo, build_record_demo
from welfarekit.demo_casework import build_casework_demo


def main() -> None:
    settings = Settings.from_env()
    if not settings.key_file.exists():
        settings.key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        init_key_file(settings.key_file)
    kit = WelfareKit.open(settings)
    now = dt.datetime.now(dt.UTC)
    build_demo(kit)
    build_consent_demo(kit, now)
    build_record_demo(kit, now)
    build_casework_demo(kit, now)
    app = create_app(kit, secure_cookies=False)  # plain HTTP on this machine only
    print(f"welfarekit example portal on {kit.storage.describe()}")
    print("open http://127.0.0.1:8000/ and sign in as one of:")
    for _, person_id, label in DEMO_USERS:
        print(f"  {label} ({person_id})")
    app.run(host="127.0.0.1", port=8000)


if __name__ == "__main__":
    main()
