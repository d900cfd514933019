"""Settings of the screening service, from the environment (prefix `COUNTERMARK_`)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class ScreeningSettings(BaseSettings):
    """Knobs of screening: index freshness, write batching, pseudonyms, image limits."""

    model_config = SettingsConfigDict(env_prefix="COUNTERMARK_", extra="ignore")

    data_dir: Path = Path("./data")
    # How stale a worker's index may be when no LISTEN/NOTIFY is available (0: check every time).
    index_check_ms: float = 50.0
    # How long a screening waits for a catalogue change to be applied before it is scored;
    # a bigger change (a bulk import) goes on in the background meanwhile.
    refresh_wait_seconds: float = 0.25
    # Secret for the keyed pseudonyms of consignee data; a file in data_dir when unset.
    pseudonym_key: str | None = None
    writer_max_batch: int = 512
    image_max_pixels: int = 40_000_000
    image_reduce_to: int = 512
    image_workers: int = 2
    # How long start-up waits for the index before serving anyway (readiness stays false).
    startup_wait_seconds: float = 5.0


@lru_cache(maxsize=1)
def get_screening_settings() -> ScreeningSettings:
    """The screening settings read once from the environment."""
    return ScreeningSettings()


def pseudonym_key(settings: ScreeningSettings) -> bytes:
    """The secret keying consignee pseudonyms: from the environment, else a file made once."""
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode()
    path = settings.data_dir / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:  # another worker may have won the race: keep the first key
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode()
