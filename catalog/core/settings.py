"""Service settings, read from the environment (prefix COUNTERMARK_) or built explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_NAME = "countermark.db"


def normalize_database_url(url: str) -> str:
    """Route plain `postgresql://` (and `postgres://`) URLs to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Everything the service reads from its environment; pass an instance to `create_app`."""

    model_config = SettingsConfigDict(env_prefix="COUNTERMARK_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="blob store and default SQLite file")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    max_body_bytes: int = Field(default=25 * 1024 * 1024, gt=0, description="413 above this")
    max_image_pixels: int = Field(default=40_000_000, gt=0, description="decompression-bomb cap")
    api_key_cache_ttl_seconds: float = Field(
        default=5.0, ge=0, description="a revoked key may keep working this long in other workers"
    )
    db_pool_size: int = Field(default=10, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    thumbnail_max_size: int = Field(default=2048, gt=0)
    import_batch_size: int = Field(default=1000, gt=0)
    image_workers: int = Field(
        default=1, ge=0, description="processes preparing uploaded images (0: in a thread)"
    )
    idempotency_ttl_hours: float = Field(
        default=24.0, gt=0, description="stored POST responses are replayed this long"
    )

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            path = (self.data_dir / DEFAULT_SQLITE_NAME).resolve()
            self.database_url = f"sqlite:///{path}"
        self.database_url = normalize_database_url(self.database_url)
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
    fsck_repair_on_start: bool = Field(
        default=False, description="serve removes orphan blobs at start (else only reports)"
    )
