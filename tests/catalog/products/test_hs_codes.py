"""HS 2022 codes from the shipped nomenclature table."""

from __future__ import annotations

import pytest

from catalog.products.hs_codes import hs2022_codes, known_hs_code


def test_the_table_holds_chapters_headings_and_subheadings() -> None:
    codes = hs2022_codes()
    by_length = {n: sum(1 for c in codes if len(c) == n) for n in (2, 4, 6)}
    assert by_length == {2: 96, 4: 1228, 6: 5612}
    assert {"64", "6404", "640411", "851713", "851714"} <= codes
    assert "851712" not in codes  # mobile phones: split into 851713 / 851714 by HS 2022
    # Comtrade's "not specified according to kind" is a reporting code, not HS.
    assert not {"99", "9999", "999999"} & codes


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("640411", True),
        ("6404.11", True),
        ("64041100", True),  # EU CN extension of a real subheading
        ("6404110090", True),  # US HTS-style 10 digits
        ("6404", True),
        ("64", True),
        ("640490", False),  # 6404 has no .90 in HS 2022
        ("999999", False),
        ("000000", False),
        ("77", False),  # chapter 77 is reserved
        ("64041", False),
        ("６４０４１１", False),  # full-width digits
        ("abcdef", False),
        ("", False),
    ],
)
def test_known_hs_code(code: str, known: bool) -> None:
    assert known_hs_code(code) is known
