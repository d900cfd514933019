"""kill -9 during image uploads and bulk imports, 10 rounds (bench/sigkill_loop.py runs 100).

Each round starts a real `countermark serve` on the test's database, kills its whole
process group at a random moment mid-upload and mid-import, restarts it and checks:
no row without its blob, no half-written import, nothing acknowledged lost, and every
orphan blob reported by the start-up fsck.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.core.settings import Settings

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "sigkill_loop.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ten_kills_mid_upload_and_mid_import_lose_and_leave_nothing(settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "10", "--repair-wait", "0",
         "--database-url", settings.database_url, "--port", str(_free_port()), "--seed", "10"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert '"kills": 10' in done.stdout
    assert '"failures": 0' in done.stdout
