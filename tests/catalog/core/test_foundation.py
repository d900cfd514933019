"""Settings, the blob store, the key cache and SQLite's write locking."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.auth import KeyCache
from catalog.access.keys import Principal
from catalog.core.blobs import BlobStore
from catalog.core.db import Database
from catalog.core.ids import new_id
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.core.settings import normalize_database_url
from tests.conftest import BACKEND, TestSettings


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalize_database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_database_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"
    settings = TestSettings(data_dir=Path("d"), database_url="postgresql://h/db")
    assert settings.database_url == "postgresql+psycopg://h/db"


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = TestSettings(data_dir=tmp_path / "data")
    assert settings.database_url == f"sqlite:///{(tmp_path / 'data' / 'countermark.db').resolve()}"
    assert settings.blob_dir == tmp_path / "data" / "blobs"


def test_blob_store_files_by_content(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    digest = store.put(b"genuine")
    assert digest == hashlib.sha256(b"genuine").hexdigest()
    assert store.put(b"genuine") == digest
    assert store.get(digest) == b"genuine"
    assert store.path(digest).parent.parent.name == digest[:2]
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="SHA-256"):
        store.path("../../etc/passwd")


def test_ids_sort_by_creation_and_cursors_round_trip() -> None:
    ids = [new_id() for _ in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50
    assert decode_cursor(encode_cursor(ids[3])) == ids[3]
    assert decode_cursor(None) is None


def test_key_cache_honours_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("api.auth.time.monotonic", lambda: now[0])
    cache = KeyCache(ttl_seconds=5)
    who = Principal(key_id="k", role="customs", rights_holder_id=None, name="n", client_id="c")
    cache.put("digest", who)
    assert cache.get("digest") == (True, who)
    now[0] += 4.9
    assert cache.get("digest") == (True, who)
    now[0] += 0.2
    assert cache.get("digest") == (False, None)
    cache.put("digest", who)
    cache.evict_key("k")
    assert cache.get("digest") == (False, None)
    assert KeyCache(ttl_seconds=0).get("digest") == (False, None)


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite locking")
def test_sqlite_write_sessions_take_the_lock_at_begin(database_url: str) -> None:
    impatient = Database(database_url, busy_timeout_ms=100)
    errors: list[Exception] = []
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with impatient.session(write=True) as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock, before any write
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        with impatient.session(write=False) as session:  # readers are not blocked (WAL)
            assert session.execute(text("SELECT version FROM catalog_version")).scalar() == 0
        with impatient.session(write=True) as session:
            session.execute(text("SELECT 1"))
    except OperationalError as exc:
        errors.append(exc)
    finally:
        release.set()
        holder.join()
        impatient.dispose()
    assert len(errors) == 1
    assert "locked" in str(errors[0])
