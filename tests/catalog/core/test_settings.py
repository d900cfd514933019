"""The one Settings object: every documented variable, the pixel caps, the pseudonym secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.core.settings import Settings, pseudonym_secret
from tests.conftest import TestSettings

README = Path(__file__).resolve().parents[3] / "README.md"
DOCUMENTED = re.findall(r"^\| `COUNTERMARK_([A-Z_]+)` \|", README.read_text(), flags=re.M)


def sample(name: str) -> tuple[str, object]:
    """A value for the variable in its environment form, and as Settings should read it."""
    default = Settings.model_fields[name.lower()].default
    if isinstance(default, bool):
        return ("false", False) if default else ("true", True)
    if name == "RATE_LIMIT_STORAGE":
        return "redis://cache:6379", "redis://cache:6379"
    if name.startswith("RATE_LIMIT_"):
        return "7/second", "7/second"
    return "7", 7


def test_every_documented_variable_is_read_by_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert len(DOCUMENTED) >= 18
    assert [name for name in DOCUMENTED if name.lower() not in Settings.model_fields] == []
    for name in DOCUMENTED:
        monkeypatch.setenv(f"COUNTERMARK_{name}", sample(name)[0])
    monkeypatch.setenv("COUNTERMARK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COUNTERMARK_DATABASE_URL", "postgresql://db-host/countermark")
    monkeypatch.setenv("COUNTERMARK_PSEUDONYM_KEY", "from-the-environment")

    settings = Settings()

    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql+psycopg://db-host/countermark"
    assert pseudonym_secret(settings) == b"from-the-environment"
    for name in DOCUMENTED:
        if name not in ("DATA_DIR", "DATABASE_URL", "PSEUDONYM_KEY"):
            assert getattr(settings, name.lower()) == sample(name)[1], name


def test_the_declared_image_cap_defaults_to_and_never_passes_the_upload_cap() -> None:
    assert TestSettings().declared_image_max_pixels == 40_000_000
    assert TestSettings(max_image_pixels=1000).declared_image_max_pixels == 1000
    assert TestSettings(max_image_pixels=1000, image_max_pixels=5000).image_max_pixels == 1000
    assert TestSettings(image_max_pixels=5000).declared_image_max_pixels == 5000


def test_one_image_workers_default_for_the_one_pool() -> None:
    assert TestSettings().image_workers == 2


def test_the_pseudonym_secret_file_is_made_once(tmp_path: Path) -> None:
    settings = TestSettings(data_dir=tmp_path / "data")
    first = pseudonym_secret(settings)
    again = pseudonym_secret(TestSettings(data_dir=tmp_path / "data"))
    other = pseudonym_secret(TestSettings(data_dir=tmp_path / "other"))

    assert first == again
    assert len(first) == 64
    assert other != first
    assert (tmp_path / "data" / "pseudonym.key").stat().st_mode & 0o077 == 0
