"""Signed heads of the decision log: the service's Ed25519 key and what it signs.

A head says "the decision log held `size` entries, the last with hash `hash`, at
`time`". Signed with the service's key (a file in the data folder, made once, mode
0600), it lets anyone who kept it check later, with the database, that the current
log still extends it (`countermark audit verify-head FILE`), and check the signature
alone offline without Countermark installed:

    python -c 'import json,sys,base64; from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey as K; h=json.load(open(sys.argv[1])); m=json.dumps({k: h[k] for k in ("log","size","hash","time")}, sort_keys=True, separators=(",",":")).encode(); K.from_public_bytes(bytes.fromhex(h["public_key"])).verify(base64.b64decode(h["signature"]), m); print("signature ok")' head.json
"""  # noqa: E501 - the one-liner is meant to be copied whole

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from catalog.access.audit import canonical_json

KEY_FILE = "decision-log.ed25519"
LOG_NAME = "countermark-decision-log"
SIGNED_FIELDS = ("log", "size", "hash", "time")


def signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The service's signing key: read from the data folder, or made there once (mode 0600)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:  # another process may have won the race: keep the first key
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, hex."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def sign_head(
    key: Ed25519PrivateKey, *, size: int, hash: str, at: datetime | None = None
) -> dict[str, Any]:
    """A signed head: the log's size and last hash at a time, with the key and signature."""
    body: dict[str, Any] = {
        "log": LOG_NAME,
        "size": size,
        "hash": hash,
        "time": (at or datetime.now(UTC)).astimezone(UTC).isoformat(),
    }
    signature = key.sign(canonical_json(body).encode("utf-8"))
    return body | {
        "public_key": public_key_hex(key),
        "signature": base64.b64encode(signature).decode("ascii"),
    }


def signature_valid(head: Mapping[str, Any]) -> bool:
    """Whether a head's signature verifies under the public key it names."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(head["public_key"])))
        message = canonical_json({k: head[k] for k in SIGNED_FIELDS}).encode("utf-8")
        public.verify(base64.b64decode(str(head["signature"])), message)
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False
    return True
