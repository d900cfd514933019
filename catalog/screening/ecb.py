"""European Central Bank euro reference rates: read the published files into the FX table.

The ECB publishes "1 EUR = rate CUR" each TARGET working day, as
- CSV, daily (`eurofxref.csv`: `Date, USD, JPY, …,` then `17 November 2025, 1.1594, …,`)
  or historical (`eurofxref-hist.csv`: ISO dates, `N/A` where a currency was not quoted),
  both with a trailing comma on every line;
- XML (`eurofxref-daily.xml`, `eurofxref-hist.xml`): a `gesmes:Envelope` whose
  `Cube/Cube time=…` elements hold `Cube currency=… rate=…`;
- either zipped (`eurofxref.zip`, `eurofxref-hist.zip`), as the download links serve them.

A rate is stored as currency EUR, quote CUR, the published figure unchanged (the FX
table's "one unit of currency is worth rate units of quote"), valid from its day for
`VALID_DAYS`: a weekend or holiday uses the last published rate, and a later rate wins.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from sqlmodel import Session

from catalog.access import audit
from catalog.core.errors import Unprocessable
from catalog.screening.fx import fx_version, load_fx_table, store_rates

BASE = "EUR"
# The longest ECB gap is Easter (Good Friday to Easter Monday): a week covers it with room.
VALID_DAYS = 7
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SLUG = "bad-rates-file"


@dataclass(frozen=True, slots=True)
class ReferenceRate:
    """On `day`, 1 EUR was worth `rate` units of `currency`."""

    day: date
    currency: str
    rate: float


@dataclass(frozen=True, slots=True)
class RatesImport:
    """What an import read, and how many rates it stored new or changed."""

    read: int
    stored: int
    unchanged: int
    first_day: date | None
    last_day: date | None
    fx_version: int


def parse_reference_rates(data: bytes) -> list[ReferenceRate]:
    """Every rate in an ECB CSV, XML or ZIP file; a malformed file is a 422."""
    data = _unzipped(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable("the rates file is not UTF-8 text", slug=_SLUG) from exc
    rates = list(_xml_rates(text) if text.lstrip().startswith("<") else _csv_rates(text))
    if not rates:
        raise Unprocessable("the file holds no exchange rates", slug=_SLUG)
    return rates


def _unzipped(data: bytes) -> bytes:
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith((".csv", ".xml"))]
            if len(members) != 1 or members[0].file_size > MAX_UNZIPPED_BYTES:
                raise Unprocessable("the ZIP must hold one CSV or XML rates file", slug=_SLUG)
            return archive.read(members[0])
    except zipfile.BadZipFile as exc:
        raise Unprocessable("the ZIP file is damaged", slug=_SLUG) from exc


def _csv_rates(text: str) -> Iterator[ReferenceRate]:
    rows = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = [cell.strip() for cell in next(rows, [])]
    if not header or header[0] != "Date":
        raise Unprocessable("an ECB CSV starts with a `Date, USD, …` header", slug=_SLUG)
    currencies = header[1:]
    for line, row in enumerate(rows, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        day = _day(cells[0], line=line)
        for currency, cell in zip(currencies, cells[1:], strict=False):
            if currency and cell and cell != "N/A":
                yield _rate(day, currency, cell, line=line)


def _xml_rates(text: str) -> Iterator[ReferenceRate]:
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise Unprocessable(f"the XML cannot be read: {exc}", slug=_SLUG) from exc
    for cube in _cubes(root):
        if "time" not in cube.attrib:
            continue
        day = _day(cube.attrib["time"], line=None)
        for child in _cubes(cube):
            currency, rate = child.attrib.get("currency"), child.attrib.get("rate")
            if currency is None or rate is None:
                raise Unprocessable(f"a Cube of {day} lacks currency or rate", slug=_SLUG)
            yield _rate(day, currency, rate, line=None)


def _cubes(parent: Element) -> Iterable[Element]:
    # Namespaces differ between the ECB's files over the years: match the local name only.
    return (e for e in parent.iter() if e is not parent and e.tag.rsplit("}", 1)[-1] == "Cube")


def _where(line: int | None) -> str:
    return f"line {line}: " if line is not None else ""


def _day(text: str, *, line: int | None) -> date:
    for layout in ("%Y-%m-%d", "%d %B %Y"):  # historical and XML files, then the daily CSV
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise Unprocessable(f"{_where(line)}{text!r} is not a date", slug=_SLUG)


def _rate(day: date, currency: str, text: str, *, line: int | None) -> ReferenceRate:
    code = currency.strip().upper()
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not _CURRENCY.match(code) or code == BASE or not (math.isfinite(rate) and rate > 0):
        raise Unprocessable(f"{_where(line)}{currency} {text!r} on {day} is not a rate", slug=_SLUG)
    return ReferenceRate(day=day, currency=code, rate=rate)


def import_reference_rates(
    session: Session, *, actor: str, data: bytes, source: str, since: date | None = None
) -> RatesImport:
    """Store the file's rates (from `since`) that are new or changed; audited; flush only."""
    rates = [r for r in parse_reference_rates(data) if since is None or r.day >= since]
    stored = {
        (quote, p.start): p
        for (currency, quote), periods in load_fx_table(session).periods.items()
        if currency == BASE
        for p in periods
    }
    changed = []
    for r in rates:
        start, end = r.day, r.day + timedelta(days=VALID_DAYS - 1)
        same = stored.get((r.currency, start))
        if same and same.end == end and math.isclose(same.rate, r.rate, rel_tol=1e-12):
            continue
        changed.append(
            {"currency": BASE, "quote": r.currency, "rate": r.rate}
            | {"valid_from": start, "valid_to": end}
        )
    if changed:
        store_rates(session, rates=changed, source=source)
    days = sorted({r.day for r in rates})
    result = RatesImport(
        read=len(rates),
        stored=len(changed),
        unchanged=len(rates) - len(changed),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        fx_version=fx_version(session),
    )
    if changed:
        audit.append_event(
            session,
            actor=actor,
            action="fx_rates.import",
            entity_type="fx_rate",
            entity_id=str(result.fx_version),
            change={
                "source": source,
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "stored": result.stored,
                "unchanged": result.unchanged,
                "first_day": str(result.first_day),
                "last_day": str(result.last_day),
            },
        )
    return result
