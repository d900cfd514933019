"""The learning tests' service (index loaded) and the environment their CLI commands read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.e2e.kit import screening_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the whole service once its index is loaded. The tests send some hundred
    screenings and outcomes on one customs key as fast as they can: its rate limit (100 a
    second by default, which a quiet machine reaches) is not what they test."""
    with screening_client(settings, rate_limit_customs="10000/second") as test_client:
        yield test_client


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    """What `countermark` needs to use this test's database."""
    return {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
