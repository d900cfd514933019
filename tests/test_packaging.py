"""Packaging: serving installs no dev tools; the licence is an SPDX expression."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make_rules() -> dict[str, tuple[list[str], list[str]]]:
    # target -> (prerequisites, recipe lines), for the simple rules this Makefile has
    rules: dict[str, tuple[list[str], list[str]]] = {}
    target = ""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and target:
            rules[target][1].append(line.strip())
        elif (match := re.match(r"^([^\s:#=]+)\s*:(?!=)\s*(.*)$", line)) is not None:
            target = match.group(1)
            rules[target] = (match.group(2).split(), [])
        else:
            target = ""
    return rules


def _recipes_behind(target: str, rules: dict[str, tuple[list[str], list[str]]]) -> list[str]:
    prerequisites, recipe = rules.get(target, ([], []))
    lines = list(recipe)
    for prerequisite in prerequisites:
        lines += _recipes_behind(prerequisite, rules)
    return lines


def test_make_serve_installs_the_runtime_only_and_make_test_the_dev_tools() -> None:
    rules = _make_rules()
    serving = " ".join(_recipes_behind("serve", rules)).replace("$(BIN)", "")
    assert "pip install --quiet -e ." in serving
    assert "[dev]" not in serving
    testing = " ".join(_recipes_behind("test", rules))
    assert "-e '.[dev]'" in testing


def test_licence_is_an_spdx_expression_with_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"
    requires = project["build-system"]["requires"]
    assert "setuptools>=77" in requires  # the first setuptools that takes an SPDX string
    runtime = " ".join(project["project"]["dependencies"])
    for tool in ("pytest", "mypy", "ruff", "schemathesis", "hypothesis"):
        assert tool not in runtime


def test_every_data_file_of_the_packages_is_in_the_wheel() -> None:
    # `pip install .` (the Dockerfile) copies only the package data the patterns name: the
    # photo vocabulary and codebook (.npy) were left out, so the image had no photo index.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    missing = [
        str(path.relative_to(ROOT))
        for package in ("api", "catalog", "matchers", "migrations")
        for path in (ROOT / package).rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and not any(path.match(p) for p in patterns)
    ]
    assert missing == []
