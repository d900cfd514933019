"""Service settings, read from the environment (prefix COUNTERMARK_) or built explicitly.

One `Settings` is built per process (`create_app`, each CLI command) and handed down
as arguments; nothing else reads the environment. Field names are the documented
variable names without the prefix (README, "Configuration").
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_NAME = "countermark.db"
PSEUDONYM_KEY_FILE = "pseudonym.key"


def normalize_database_url(url: str) -> str:
    """Route plain `postgresql://` (and `postgres://`) URLs to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Everything the service reads from its environment; pass an instance to `create_app`."""

    model_config = SettingsConfigDict(env_prefix="COUNTERMARK_", extra="ignore")

    # Storage
    data_dir: Path = Field(default=Path("data"), description="blob store and default SQLite file")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    db_pool_size: int = Field(default=10, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    # Requests and uploads
    max_body_bytes: int = Field(default=25 * 1024 * 1024, gt=0, description="413 above this")
    max_image_pixels: int = Field(
        default=40_000_000, gt=0, description="decompression-bomb cap for every image"
    )
    api_key_cache_ttl_seconds: float = Field(
        default=5.0, ge=0, description="a revoked key may keep working this long in other workers"
    )
    thumbnail_max_size: int = Field(default=2048, gt=0)
    import_batch_size: int = Field(default=1000, gt=0)
    idempotency_ttl_hours: float = Field(
        default=24.0, gt=0, description="stored POST responses are replayed this long"
    )
    # Image work: one pool for uploads and declared images
    image_workers: int = Field(
        default=2, ge=0, description="processes decoding and describing images (0: a thread)"
    )
    image_max_pixels: int | None = Field(
        default=None,
        gt=0,
        description="pixel cap for declared images; max_image_pixels when unset, never above it",
    )
    image_reduce_to: int = Field(
        default=512, gt=0, description="longest side declared images are reduced to"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (time, level, request id)"
    )
    # Screening
    index_check_ms: float = Field(
        default=50.0, ge=0, description="index staleness allowed without LISTEN/NOTIFY"
    )
    refresh_wait_seconds: float = Field(
        default=0.25, ge=0, description="how long a screening waits for a catalogue change"
    )
    startup_wait_seconds: float = Field(
        default=5.0, ge=0, description="how long start-up waits for the index before serving"
    )
    writer_max_batch: int = Field(default=512, gt=0, description="screenings per commit")
    index_snapshot: bool = Field(
        default=True, description="start from the index snapshot in data_dir/index (one builds it)"
    )
    pseudonym_key: SecretStr | None = Field(
        default=None, description="secret keying consignee pseudonyms; a file in data_dir if unset"
    )

    # --- Webhooks to rights holders (catalog/webhooks) ---
    webhook_allow_http: bool = Field(default=False, description="accept http:// webhook URLs")
    webhook_allow_private: bool = Field(
        default=False, description="accept webhook hosts on private or loopback addresses"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="per delivery attempt")
    webhook_poll_seconds: float = Field(default=2.0, gt=0, description="how often a worker looks")
    webhook_max_attempts: int = Field(default=8, ge=1, description="then a delivery is failed")
    webhook_backoff_seconds: float = Field(
        default=30.0, gt=0, description="first retry delay; doubled after each failure"
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            path = (self.data_dir / DEFAULT_SQLITE_NAME).resolve()
            self.database_url = f"sqlite:///{path}"
        self.database_url = normalize_database_url(self.database_url)
        if self.image_max_pixels is None or self.image_max_pixels > self.max_image_pixels:
            self.image_max_pixels = self.max_image_pixels
        return self

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def blob_dir(self) -> Path:
        """Folder of the content-addressed blob store."""
        return self.data_dir / "blobs"

    # Hard conditions: outages, bursts and rate limits (issue 9).
    db_pool_timeout_seconds: float = Field(
        default=3.0, gt=0, description="a request waiting longer for a connection gets 503"
    )
    retry_after_seconds: int = Field(
        default=2, ge=1, description="Retry-After of a 503 (database unreachable, worker busy)"
    )
    max_concurrent_writes: int = Field(
        default=8, gt=0, description="write requests one worker runs at once (the rest wait)"
    )
    write_wait_seconds: float = Field(
        default=0.5, ge=0, description="how long a write waits for its turn before a 503 busy"
    )
    rate_limit_storage: str = Field(
        default="memory://", description="memory:// (one worker) or redis://host:port (shared)"
    )
    rate_limit_customs: str = Field(default="100/second", description="per customs key")
    rate_limit_rights_holder: str = Field(default="20/second", description="per rights-holder key")
    rate_limit_officer: str = Field(default="5/second", description="per officer key")
    rate_limit_admin: str = Field(default="20/second", description="per admin key")
    rate_limit_bad_keys: str = Field(
        default="20/minute", description="unknown or revoked keys per client address"
    )
    # Overload: screening POSTs one worker admits at once (the rest wait, then 503 busy).
    max_concurrent_screenings: int = Field(
        default=8, gt=0, description="screening requests one worker runs at once"
    )
    screening_wait_seconds: float = Field(
        default=0.5, ge=0, description="how long a screening waits for its turn before a 503"
    )
    image_pixels_per_request: int = Field(
        default=100_000_000,
        gt=0,
        description="413 when a request's images would decode to more pixels in total",
    )
    image_jobs_per_client: int = Field(
        default=4, gt=0, description="image jobs one client may have in the pool; 429 beyond"
    )
    fsck_repair_on_start: bool = Field(
        default=False, description="serve removes orphan blobs at start (else only reports)"
    )

    @property
    def declared_image_max_pixels(self) -> int:
        """The pixel cap for declared images (already folded under `max_image_pixels`)."""
        return self.image_max_pixels or self.max_image_pixels


def pseudonym_secret(settings: Settings) -> bytes:
    """The secret keying consignee pseudonyms: from the settings, else a file made once."""
    if settings.pseudonym_key is not None and settings.pseudonym_key.get_secret_value():
        return settings.pseudonym_key.get_secret_value().encode()
    path = settings.data_dir / PSEUDONYM_KEY_FILE
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
