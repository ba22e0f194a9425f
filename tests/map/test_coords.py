"""WGS-84 ↔ GCJ-02: the published transform's reference values, its inverse, its array form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.map.coords import outside_china, to_gcj02, to_gcj02_arrays, to_wgs84


def test_the_forward_transform_matches_the_published_reference() -> None:
    # Tiananmen, the value every implementation of the transform is checked against.
    lat, lon = to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)


def test_the_inverse_matches_a_published_value() -> None:
    lat, lon = to_wgs84(45.0, 123.0)
    assert lat == pytest.approx(44.99804071, abs=1e-6)
    assert lon == pytest.approx(122.99395597, abs=1e-6)


def test_in_chengdu_the_shift_is_a_few_hundred_metres() -> None:
    lat, lon = to_gcj02(30.66, 104.10)
    assert 100 < abs(lat - 30.66) * 111_000 < 600
    assert 100 < abs(lon - 104.10) * 96_000 < 600


@given(st.floats(18.0, 53.0), st.floats(74.0, 134.0))
def test_the_inverse_undoes_the_transform_to_a_millimetre(lat: float, lon: float) -> None:
    back = to_wgs84(*to_gcj02(lat, lon))
    assert back == pytest.approx((lat, lon), abs=1e-8)


def test_outside_china_nothing_moves() -> None:
    assert outside_china(48.85, 2.35)
    assert to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert to_wgs84(48.85, 2.35) == (48.85, 2.35)


def test_the_array_form_equals_the_point_form() -> None:
    rng = np.random.default_rng(3)
    lat = np.concatenate([30.6 + rng.random(50) * 0.2, [48.85]])
    lon = np.concatenate([104.0 + rng.random(50) * 0.2, [2.35]])
    shifted_lat, shifted_lon = to_gcj02_arrays(lat, lon)
    for k in range(len(lat)):
        assert (shifted_lat[k], shifted_lon[k]) == pytest.approx(to_gcj02(lat[k], lon[k]),
                                                                 abs=1e-12)
