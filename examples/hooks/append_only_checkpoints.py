"""Signed heads of the audit chain, kept in write-once files.

Point ``folder`` at storage the database's administrators cannot rewrite: a mounted
write-once (WORM) volume, an object-lock bucket synchronised from it, another system's log.
``welfarekit audit verify --checkpoints FILE`` (or :func:`welfarekit.audit_chain.verify`)
then finds a chain whose tail was cut or rewritten.
"""

from __future__ import annotations

from pathlib import Path

from welfarekit import hookimpl
from welfarekit.audit_chain import AuditCheckpoint
from welfarekit.checkpoints import checkpoint_to_json

WELFAREKIT_HOOK_API = ">=1.1,<2"  # welfarekit_audit_checkpoint came with hook API 1.1


class AppendOnlyCheckpoints:
    """One file per checkpoint, created and never replaced."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def welfarekit_audit_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        target = self.folder / checkpoint.provider_id
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{checkpoint.sequence:012d}-{checkpoint.taken_at:%Y%m%dT%H%M%S%fZ}.json"
        with (target / name).open("x", encoding="utf-8") as file:  # "x": never overwrite
            file.write(checkpoint_to_json(checkpoint) + "\n")

    def stored(self, provider_id: str) -> list[str]:
        """The stored checkpoints of a provider as JSON lines, oldest first."""
        files = sorted((self.folder / provider_id).glob("*.json"))
        return [file.read_text(encoding="utf-8").strip() for file in files]
