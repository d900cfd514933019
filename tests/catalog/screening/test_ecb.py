"""ECB reference-rate files: parsed in every published layout, stored once, re-imports no-ops."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.core.db import Database
from catalog.core.errors import Unprocessable
from catalog.models import AuditEvent
from catalog.screening.ecb import import_reference_rates, parse_reference_rates
from catalog.screening.fx import fx_version, load_fx_table

SAMPLES = Path(__file__).parent / "ecb"


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_daily_csv_with_spaces_and_a_trailing_comma() -> None:
    rates = parse_reference_rates(_read("eurofxref.csv"))
    assert len(rates) == 30
    assert {r.day for r in rates} == {date(2025, 11, 14)}
    by_currency = {r.currency: r.rate for r in rates}
    assert by_currency["USD"] == 1.1625
    assert by_currency["IDR"] == 19412.50
    assert "" not in by_currency


def test_historical_csv_skips_not_quoted_cells() -> None:
    rates = parse_reference_rates(_read("eurofxref-hist.csv"))
    assert len({r.day for r in rates}) == 4
    cyp = [r for r in rates if r.currency == "CYP"]
    assert [(r.day, r.rate) for r in cyp] == [(date(2007, 12, 31), 0.585274)]
    assert len(rates) == 3 * 9 + 10


def test_xml_and_zip_read_like_the_csv() -> None:
    rates = parse_reference_rates(_read("eurofxref-hist.xml"))
    assert len(rates) == 8
    assert (date(2025, 11, 13), "GBP", 0.8811) in {(r.day, r.currency, r.rate) for r in rates}
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("eurofxref.csv", _read("eurofxref.csv"))
    assert parse_reference_rates(packed.getvalue()) == parse_reference_rates(_read("eurofxref.csv"))


@pytest.mark.parametrize(
    "data",
    [
        b"Date, USD,\n31 Febtember 2025, 1.1,\n",
        b"Date, USD,\n2025-11-14, abc,\n",
        b"Date, USD,\n2025-11-14, -1.2,\n",
        b"Date, EUR,\n2025-11-14, 1,\n",
        b"USD, JPY\n1, 2\n",
        b"Date, USD,\n",
        b"<Cube><Cube time='2025-11-14'><Cube currency='USD'/></Cube></Cube>",
        b"<Cube><Cube time='2025-11-14'>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><Cube>&b;</Cube>',
        b"PK\x03\x04 not really a zip",
        b"\xff\xfe\x00bad",
    ],
)
def test_malformed_files_are_refused(data: bytes) -> None:
    with pytest.raises(Unprocessable):
        parse_reference_rates(data)


def _events(database: Database) -> int:
    with database.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_import_stores_euro_rates_the_table_way_round_and_again_changes_nothing(
    database: Database,
) -> None:
    with database.session() as session:
        first = import_reference_rates(
            session, actor="test", data=_read("eurofxref-hist.csv"), source="ECB"
        )
    assert (first.read, first.stored, first.unchanged) == (37, 37, 0)
    assert (first.first_day, first.last_day) == (date(2007, 12, 31), date(2025, 11, 14))
    with database.session(write=False) as session:
        table = load_fx_table(session)
        version = fx_version(session)
    # Stored as published: 1 EUR is worth 1.1625 USD; the table inverts it for USD -> EUR.
    assert table.direct("EUR", "USD", on=date(2025, 11, 14)) == 1.1625
    assert table.direct("USD", "EUR", on=date(2025, 11, 14)) == pytest.approx(1 / 1.1625)
    # The weekend after a Friday uses the Friday rate; a week later none is valid.
    assert table.direct("EUR", "USD", on=date(2025, 11, 16)) == 1.1625
    assert table.direct("EUR", "USD", on=date(2025, 11, 21)) is None
    assert table.direct("EUR", "USD", on=date(2025, 11, 13)) == 1.1598
    events = _events(database)
    with database.session() as session:
        again = import_reference_rates(
            session, actor="test", data=_read("eurofxref-hist.csv"), source="ECB"
        )
        xml = import_reference_rates(
            session, actor="test", data=_read("eurofxref-hist.xml"), source="ECB"
        )
    assert (again.stored, again.unchanged) == (0, 37)
    assert (xml.stored, xml.unchanged) == (0, 8)
    assert again.fx_version == xml.fx_version == version
    assert _events(database) == events


def test_a_corrected_rate_replaces_the_stored_one_and_is_audited(database: Database) -> None:
    with database.session() as session:
        import_reference_rates(session, actor="test", data=_read("eurofxref.csv"), source="ECB")
    events = _events(database)
    corrected = _read("eurofxref.csv").replace(b"1.1625", b"1.1630")
    with database.session() as session:
        result = import_reference_rates(
            session, actor="test", data=corrected, source="ECB", since=date(2025, 11, 1)
        )
        assert load_fx_table(session).direct("EUR", "USD", on=date(2025, 11, 14)) == 1.1630
    assert (result.stored, result.unchanged) == (1, 29)
    assert _events(database) == events + 1
