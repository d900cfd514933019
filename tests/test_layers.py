"""Imports go one way: api -> catalog -> matchers. `catalog` never imports `api`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Map each module file of `package` to the top-level names it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_catalog_never_imports_api() -> None:
    offenders = {f: n & {"api"} for f, n in imported_modules("catalog").items() if "api" in n}
    assert offenders == {}


def test_catalog_modules_exist() -> None:
    # Guards the test above against passing vacuously on a renamed package.
    assert len(imported_modules("catalog")) > 3
