"""The inline GTIN check and cached code lookups agree with python-stdnum and pycountry."""

from __future__ import annotations

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from catalog.products.validation import clean_country, clean_currency, clean_gtin


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_inline_check_digit_matches_stdnum(body: str) -> None:
    right = ean.calc_check_digit(body)
    assert clean_gtin(body + right) == body + right
    wrong = str((int(right) + 1) % 10)
    with pytest.raises(ValueError, match="check digit"):
        clean_gtin(body + wrong)


def test_non_ascii_digits_are_still_refused() -> None:
    # "٤" is a Unicode digit: str.isdigit accepts it, a GTIN must not.
    with pytest.raises(ValueError, match="check digit is wrong"):
        clean_gtin("٤" * 13)


@pytest.mark.parametrize("code", ["VN", "vn", "XX", "ZZ", "DE"])
def test_country_cache_matches_pycountry(code: str) -> None:
    known = pycountry.countries.get(alpha_2=code.upper()) is not None
    for _ in range(2):  # the second call is served from the cache
        if known:
            assert clean_country(code) == code.upper()
        else:
            with pytest.raises(ValueError, match="alpha-2"):
                clean_country(code)


@pytest.mark.parametrize("code", ["EUR", "usd", "XYZ"])
def test_currency_cache_matches_pycountry(code: str) -> None:
    known = pycountry.currencies.get(alpha_3=code.upper()) is not None
    for _ in range(2):
        if known:
            assert clean_currency(code) == code.upper()
        else:
            with pytest.raises(ValueError, match="ISO 4217"):
                clean_currency(code)
