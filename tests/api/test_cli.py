"""The `countermark` command line, run in-process with Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli.main import app
from catalog.access.keys import resolve_key
from catalog.core.db import Database
from catalog.core.settings import Settings
from tests.api.helpers import gtin, wrong_check_digit


@pytest.fixture
def cli(settings: Settings) -> tuple[CliRunner, dict[str, str]]:
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
    return CliRunner(), env


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def test_help_on_every_command(cli: tuple[CliRunner, dict[str, str]]) -> None:
    runner, env = cli
    for args in (
        [],
        ["serve"],
        ["keys"],
        ["keys", "create"],
        ["keys", "revoke"],
        ["keys", "list"],
        ["rights-holders", "create"],
        ["import"],
        ["audit", "verify"],
        ["audit", "head"],
        ["audit", "verify-head"],
        ["audit", "check-proof"],
        ["calibrate"],
        ["weights", "list"],
        ["weights", "show"],
        ["weights", "shadow"],
        ["weights", "shadow-report"],
        ["weights", "activate"],
        ["lanes", "set"],
        ["lanes", "recompute"],
        ["lanes", "show"],
    ):
        result = runner.invoke(app, [*args, "--help"], env=env)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_holder_then_key_then_revoke(
    cli: tuple[CliRunner, dict[str, str]], database: Database
) -> None:
    runner, env = cli
    made = runner.invoke(app, ["rights-holders", "create", "--name", "LEGO A/S"], env=env)
    assert made.exit_code == 0, made.output
    holder_id = _last_line(made.stdout)
    issued = runner.invoke(
        app,
        [
            "keys",
            "create",
            "--role",
            "rights_holder",
            "--name",
            "LEGO",
            "--rights-holder",
            holder_id,
        ],
        env=env,
    )
    assert issued.exit_code == 0, issued.output
    secret = _last_line(issued.stdout)
    with database.session(write=False) as session:
        principal = resolve_key(session, token=secret)
    assert principal is not None
    assert principal.rights_holder_id == holder_id
    listed = runner.invoke(app, ["keys", "list"], env=env)
    assert principal.key_id in listed.stdout
    assert secret not in listed.stdout
    revoked = runner.invoke(app, ["keys", "revoke", principal.key_id], env=env)
    assert revoked.exit_code == 0
    with database.session(write=False) as session:
        assert resolve_key(session, token=secret) is None
    bad = runner.invoke(app, ["keys", "create", "--role", "wizard", "--name", "x"], env=env)
    assert bad.exit_code != 0


def test_import_lists_bad_rows_and_fails(
    cli: tuple[CliRunner, dict[str, str]], tmp_path: Path
) -> None:
    runner, env = cli
    holder_id = _last_line(
        runner.invoke(app, ["rights-holders", "create", "--name", "Nike"], env=env).stdout
    )
    good = tmp_path / "good.csv"
    good.write_text(f"brand,name,gtins\nNike,A,{gtin(1)}\nNike,B,{gtin(2)}\n", encoding="utf-8")
    ok = runner.invoke(app, ["import", str(good), "--rights-holder", holder_id], env=env)
    assert ok.exit_code == 0, ok.output
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 failed" in ok.stdout
    bad = tmp_path / "bad.ndjson"
    rows = [
        {"brand": "Nike", "name": "C"},
        {"brand": "Nike", "name": "D", "gtins": [wrong_check_digit(gtin(3))]},
    ]
    bad.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    failed = runner.invoke(app, ["import", str(bad), "--rights-holder", holder_id], env=env)
    assert failed.exit_code == 1
    assert "line 2:" in failed.stdout
    assert "2 rows: 1 created, 0 updated, 0 unchanged, 1 failed" in failed.stdout
    nobody = runner.invoke(app, ["import", str(good), "--rights-holder", "nope"], env=env)
    assert nobody.exit_code == 2


def test_audit_verify_passes_then_fails_after_tampering(
    cli: tuple[CliRunner, dict[str, str]], database: Database
) -> None:
    runner, env = cli
    for name in ("A", "B", "C"):
        runner.invoke(app, ["rights-holders", "create", "--name", name], env=env)
    intact = runner.invoke(app, ["audit", "verify"], env=env)
    assert intact.exit_code == 0
    assert "intact: 3 events" in intact.stdout
    with database.session() as session:
        second = session.execute(text("SELECT id FROM audit_event ORDER BY id")).all()[1][0]
        session.execute(
            text("UPDATE audit_event SET action = 'nothing' WHERE id = :id"), {"id": second}
        )
    broken = runner.invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert f"BROKEN at event {second}" in broken.stdout


def test_fx_import_reads_the_ecb_file_once(cli: tuple[CliRunner, dict[str, str]]) -> None:
    runner, env = cli
    sample = Path(__file__).parents[1] / "catalog" / "screening" / "ecb" / "eurofxref-hist.csv"
    first = runner.invoke(app, ["fx", "import", str(sample)], env=env)
    assert first.exit_code == 0, first.output
    assert "read 37 rates (2007-12-31 to 2025-11-14): 37 stored, 0 unchanged" in first.stdout
    again = runner.invoke(app, ["fx", "import", str(sample), "--since", "2025-01-01"], env=env)
    assert again.exit_code == 0, again.output
    assert "read 27 rates (2025-11-12 to 2025-11-14): 0 stored, 27 unchanged" in again.stdout
    bad = runner.invoke(app, ["fx", "import", str(sample), "--since", "yesterday"], env=env)
    assert bad.exit_code == 2


def test_every_command_says_which_database_on_stderr(
    cli: tuple[CliRunner, dict[str, str]], settings: Settings
) -> None:
    runner, env = cli
    for args in (["keys", "list"], ["rights-holders", "list"], ["audit", "verify"], ["migrate"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert result.stderr.splitlines()[0] == f"using {settings.database_url}"
        assert "using " not in result.stdout


def test_a_command_refuses_to_make_a_new_empty_database(tmp_path: Path) -> None:
    runner = CliRunner()
    elsewhere = tmp_path / "elsewhere"
    env = {"COUNTERMARK_DATA_DIR": str(elsewhere), "COUNTERMARK_DATABASE_URL": ""}
    refused = runner.invoke(app, ["keys", "create", "--role", "admin", "--name", "ops"], env=env)
    assert refused.exit_code == 2
    assert f"using sqlite:///{(elsewhere / 'countermark.db').resolve()}" in refused.stderr
    assert "COUNTERMARK_DATABASE_URL" in refused.stderr
    assert "COUNTERMARK_DATA_DIR" in refused.stderr
    assert not elsewhere.exists()
    elsewhere.mkdir()
    (elsewhere / "countermark.db").touch()  # a file, but not our schema
    assert runner.invoke(app, ["keys", "list"], env=env).exit_code == 2
    assert runner.invoke(app, ["migrate"], env=env).exit_code == 0
    listed = runner.invoke(app, ["keys", "list"], env=env)
    assert listed.exit_code == 0, listed.output


def test_an_unreachable_database_is_named_with_its_password_masked() -> None:
    runner = CliRunner()
    url = "postgresql://someone:s3cret@127.0.0.1:1/countermark"
    result = runner.invoke(app, ["keys", "list"], env={"COUNTERMARK_DATABASE_URL": url})
    assert result.exit_code == 2
    assert "using postgresql+psycopg://someone:***@127.0.0.1:1/countermark" in result.stderr
    assert "s3cret" not in result.output
