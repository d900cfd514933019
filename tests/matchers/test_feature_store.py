"""The file-backed store of reference feature blobs the photo index verifies against."""

from __future__ import annotations

import pytest

from matchers.images.feature_store import FeatureStore


def test_put_get_replace_remove() -> None:
    store = FeatureStore()
    store.put(0, b"first")
    store.put(1, b"second blob")
    assert store.get(0) == b"first"
    assert store.get(1) == b"second blob"
    store.put(0, b"replaced, longer than before")
    assert store.get(0) == b"replaced, longer than before"
    assert len(store) == 2
    assert 0 in store
    store.remove(1)
    store.remove(1)  # absent: a no-op
    assert 1 not in store
    with pytest.raises(KeyError):
        store.get(1)
    store.close()


def test_removed_space_is_reclaimed_and_blobs_survive_compaction() -> None:
    store = FeatureStore()
    blobs = {i: bytes([i]) * 200_000 for i in range(12)}
    for slot, blob in blobs.items():
        store.put(slot, blob)
    assert store.file_bytes == 12 * 200_000
    for slot in range(0, 12, 2):
        store.remove(slot)
    store.remove(1)  # now more than half the file is dead: it is rewritten
    assert store.file_bytes == 5 * 200_000
    for slot in range(3, 12, 2):
        assert store.get(slot) == blobs[slot]
    store.put(20, b"after compaction")
    assert store.get(20) == b"after compaction"
    assert store.get(11) == blobs[11]
    store.close()
