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
