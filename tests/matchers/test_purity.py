"""`matchers` is pure: no web framework, ORM, settings, or the packages built on it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "pydantic_settings",
    "api",
    "catalog",
}


def _imports(path: Path) -> set[str]:
    """Top-level names a source file imports (relative imports resolve inside matchers)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.update(
                a.value.split(".")[0]
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


def test_no_matchers_source_imports_a_forbidden_package() -> None:
    sources = sorted((ROOT / "matchers").rglob("*.py"))
    assert len(sources) > 10  # guards against passing vacuously on a moved package
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN)
        for p in sources
        if _imports(p) & FORBIDDEN
    }
    assert offenders == {}


def test_importing_every_matchers_module_loads_no_forbidden_package() -> None:
    script = """
import importlib, json, pkgutil, sys
import matchers
names = sorted(m.name for m in pkgutil.walk_packages(matchers.__path__, "matchers."))
for name in names:
    importlib.import_module(name)
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"modules": names, "loaded": loaded}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert "matchers.engine" in report["modules"]
    assert "matchers.scoring" in report["modules"]
    assert sorted(set(report["loaded"]) & FORBIDDEN) == []
