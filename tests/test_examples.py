"""The README's sample files are accepted by the commands it shows them with."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli.main import app
from catalog.core.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_sample_catalogue_and_rates_import_and_reimport_as_no_ops(settings: Settings) -> None:
    runner = CliRunner()
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
    made = runner.invoke(app, ["rights-holders", "create", "--name", "Samples"], env=env)
    holder = made.stdout.strip().splitlines()[-1]
    catalogue = ["import", str(EXAMPLES / "catalogue.csv"), "--rights-holder", holder]
    first = runner.invoke(app, catalogue, env=env)
    assert first.exit_code == 0, first.output
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 failed" in first.stdout
    again = runner.invoke(app, catalogue, env=env)
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 failed" in again.stdout
    rates = runner.invoke(app, ["fx", "import", str(EXAMPLES / "eurofxref.csv")], env=env)
    assert rates.exit_code == 0, rates.output
    assert "read 30 rates (2025-11-14 to 2025-11-14): 30 stored" in rates.stdout
