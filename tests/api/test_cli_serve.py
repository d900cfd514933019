"""`countermark serve`'s supervisor: the entry point sends it to a module that imports no app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What the supervisor must not import: the app, the engine, and the other commands' libraries.
HEAVY = ("fastapi", "matchers", "numba", "faiss", "cv2", "fpdf", "api.app", "api.cli.main")


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    env = {**os.environ, "COUNTERMARK_DATA_DIR": str(tmp_path)}
    env.pop("COUNTERMARK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return set(done.stdout.splitlines()[-1].split())


def test_serve_starts_uvicorn_without_importing_the_app(tmp_path: Path) -> None:
    code = (
        "import sys, uvicorn\n"
        "uvicorn.run = lambda *a, **k: print('uvicorn.run', a[0])\n"
        "sys.argv = ['countermark', 'serve', '--workers', '2']\n"
        "from api.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    loaded = _modules_after(code, tmp_path)
    assert "uvicorn" in loaded  # it started uvicorn
    assert "alembic" in loaded  # after migrating
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_other_commands_still_load_every_command(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['countermark', '--help']\n"
        "from api.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    assert "api.cli.main" in _modules_after(code, tmp_path)


def test_the_app_imports_no_numba_before_its_index_is_loaded(tmp_path: Path) -> None:
    # numba's set-up (and the scipy.linalg it imports) is loaded after /readyz, not at import;
    # psycopg only by a PostgreSQL engine or its LISTEN thread.
    loaded = _modules_after("import api.app", tmp_path)
    assert "api.app" in loaded
    late = ("numba", "scipy", "llvmlite", "psycopg")
    assert not {m for m in loaded if m.split(".")[0] in late}
