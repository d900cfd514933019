"""Golden cases and properties of text normalisation and model-number recognition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.text.homoglyphs import confusables_table
from matchers.text.normalize import compact, is_size, model_numbers, normalize, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sony Turntable - PSLX350H", "sony turntable pslx350h"),
        ("  NIKE   Air\tZoom  ", "nike air zoom"),
        ("Nestlé Café", "nestle cafe"),
        ("Levi's 501", "levis 501"),
        ("Dunkin' Donuts, M&M's; AT&T", "dunkin donuts m&ms at&t"),
        ("blu-ray wi-fi", "blu ray wi fi"),
        ("ＮＩＫＥ", "nike"),  # fullwidth forms (NFKC)
        ("Gu\u200bcci", "gucci"),  # zero-width space dropped, not a separator
        ("Guccі", "gucci"),  # Cyrillic і
        ("Pума", "pyma"),  # Cyrillic у, м, а read as Latin y, m, a
        ("ΑDIDΑS", "adidas"),  # Greek capital alpha
        ("N1ke", "nike"),
        ("ad1das", "adidas"),
        ("g00gle", "google"),
        ("Adid@s", "adidas"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("", ""),
        ("!!! --- ...", ""),
    ],
)
def test_normalize_golden(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sony Turntable - PSLX350H", ["pslx350h"]),
        ("Bose Acoustimass 5 Series III Speaker System - AM53BK", ["am53bk"]),
        ("Nike Air Zoom Pegasus 40 DV3853-001", ["dv3853001"]),
        ("Sony PS-LX350H", ["pslx350h"]),
        ("Eau de parfum 100 ml", ["100ml"]),
        ("Eau de parfum 100ml", ["100ml"]),
        ("Kodak Black Ink Cartridge 10B 1163641", ["1163641"]),
        ("33-1/3 and 45 RPM speeds", []),
        ("iPhone 4 case", []),
        ("running shoe", []),
        # a count written as one word is a quantity, not a part number
        ("Bell O High-Speed HDMI Cable with Ethernet 2-Meter", []),
        ("Inland Pro iPhone and iPod 3-in-1 Charging Kit", []),
        ("Avery Index Maker Dividers 5-Tab White", []),
        ("Discgear 50-Disc Browser", []),
        ("GoPro GP1-EYEN mount, HD-6870 card", ["gp1eyen", "hd6870"]),
    ],
)
def test_model_numbers_golden(text: str, expected: list[str]) -> None:
    assert model_numbers(text) == expected


def test_model_numbers_are_single_tokens() -> None:
    assert tokens("Nike DV3853-001 100 ml") == ["nike", "dv3853-001", "100ml"]
    assert compact("dv3853-001") == "dv3853001"


def test_digits_in_model_numbers_are_not_read_as_letters() -> None:
    # "am53bk" does not read as any brand, so its digits stay digits.
    assert normalize("AM53BK") == "am53bk"
    assert normalize("3M tape") == "3m tape"


def test_sizes() -> None:
    assert is_size("100ml")
    assert is_size("32gb")
    assert not is_size("am53bk")


def test_confusables_table_is_the_tr39_data() -> None:
    table = confusables_table()
    assert table[ord("і")] == "i"  # Cyrillic small byelorussian-ukrainian i
    assert table[ord("ο")] == "o"  # Greek omicron
    assert table[ord("а")] == "a"  # Cyrillic a
    assert len(table) > 1000
    assert all(not chr(c).isascii() for c in table)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("abcdeiklmnos0134@-./ 'АаЕеІіОоРрСсΑαΟο\u200b"),
        max_size=40,
    )
)
def test_normalize_is_idempotent_on_disguised_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once
