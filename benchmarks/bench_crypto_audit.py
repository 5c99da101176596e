"""Sealing and the audit chain, each against its raw peer measured in the same run.

- seal + open one 2 KiB record with associated data, against the bare AES-256-GCM
  encrypt + decrypt of the same bytes (the sealing overhead);
- chaining audit events (hash, link) and verifying a chain, against hashing the same
  canonical forms in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from welfarekit.audit import AuditEvent
from welfarekit.audit_chain import canonical_form, chain, verify
from welfarekit.crypto import Keyset, SealContext, open_sealed, seal

TEXT = "Käytiin läpi tilanne ja sovittiin tukitoimista. " * 42  # about 2 KiB


def run(timed: Callable[..., list[float]], *, quick: bool) -> list[dict[str, object]]:
    from run import summary

    repeats, inner = (3, 200) if quick else (7, 3000)
    keyset = Keyset.new()
    context = SealContext(provider_id="p", register="welfare_register", record_type="entry",
                          record_id="e1", field="content", student_id="s", version=1)  # fmt: skip
    sealed = seal(keyset, TEXT, context)
    assert open_sealed(keyset, sealed, context).reveal() == TEXT
    raw_key, payload, aad = os.urandom(32), TEXT.encode(), context.associated_data()
    cipher = AESGCM(raw_key)

    def raw() -> None:
        nonce = os.urandom(12)
        cipher.decrypt(nonce, cipher.encrypt(nonce, payload, aad), aad)

    def raw_text() -> None:
        # what the raw call takes to seal the same record: its text made bytes first
        # (CPython encodes non-ASCII text to UTF-8 a character at a time: about 1.3 µs)
        nonce = os.urandom(12)
        cipher.decrypt(nonce, cipher.encrypt(nonce, TEXT.encode(), aad), aad)

    raw_samples = timed(raw, repeats, inner)
    results = [summary("raw AES-256-GCM encrypt+decrypt, 2 KiB of bytes", raw_samples)]
    raw_text_samples = timed(raw_text, repeats, inner)
    results.append(summary("raw AES-256-GCM of the same 2 KiB text (UTF-8 encode first)",
                           raw_text_samples))  # fmt: skip
    sealed_samples = timed(lambda: open_sealed(keyset, seal(keyset, TEXT, context), context),
                           repeats, inner)  # fmt: skip
    results.append(summary("seal+open one 2 KiB record (text)", sealed_samples,
                           ratio=min(raw_text_samples) / min(sealed_samples),
                           against="raw throughput on the same text (target ≥ 0.5×)"))  # fmt: skip
    results.append(summary("  the same against raw AES-GCM on ready bytes", sealed_samples,
                           ratio=min(raw_samples) / min(sealed_samples),
                           against="raw throughput on bytes"))  # fmt: skip

    count = 1000 if quick else 20000
    start = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    events = [
        AuditEvent(provider_id="p", actor=f"staff:s{i % 50}", action="welfare_record.read",
                   resource_type="welfare_record", resource_id=f"r{i}", student_id=f"s{i % 900}",
                   occurred_at=start + dt.timedelta(seconds=i))
        for i in range(count)
    ]  # fmt: skip
    forms = [canonical_form(e, sequence=i + 1) for i, e in enumerate(events)]
    hashing = timed(lambda: [hashlib.sha256(f).digest() for f in forms], 3, 1)
    per_event_hash = [s / count for s in hashing]
    results.append(summary(f"hashing {count:,} canonical forms in memory (per event)",
                           per_event_hash))  # fmt: skip
    chained = chain(events)
    appending = [s / count for s in timed(lambda: chain(events), 3, 1)]
    results.append(summary("audit chain append (per event)", appending,
                           ratio=min(per_event_hash) / min(appending),
                           against="hashing alone"))  # fmt: skip
    assert verify(chained)
    verifying = [s / count for s in timed(lambda: verify(chained), 3, 1)]
    results.append(summary("audit chain verify (per event)", verifying,
                           ratio=min(per_event_hash) / min(verifying),
                           against="hashing alone"))  # fmt: skip
    return results
