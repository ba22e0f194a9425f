"""The project's one ground distance: known figures, symmetry, and the edges of the formula."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.distance import EARTH_RADIUS_M, distance_m

LATS = st.floats(min_value=-90, max_value=90)
LONS = st.floats(min_value=-180, max_value=180)


def test_a_hundredth_of_a_degree_of_latitude_is_about_1112_m() -> None:
    assert distance_m(30.0, 104.0, 30.01, 104.0) == pytest.approx(1111.95, abs=0.1)


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_latitude() -> None:
    at_equator = distance_m(0.0, 104.0, 0.0, 105.0)
    at_sixty = distance_m(60.0, 104.0, 60.0, 105.0)
    assert at_equator == pytest.approx(math.radians(1) * EARTH_RADIUS_M)
    assert at_sixty == pytest.approx(at_equator / 2, rel=1e-3)


def test_half_way_round_the_earth_is_pi_radii() -> None:
    assert distance_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert distance_m(90.0, 0.0, -90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    # Antipodes, where rounding could leave asin's domain.
    assert distance_m(30.6, 104.1, -30.6, -75.9) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_from_the_equator_to_a_pole_is_a_quarter_circle_from_anywhere() -> None:
    for lon in (-170.0, 0.0, 104.1):
        assert distance_m(0.0, lon, 90.0, 0.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_M)


@given(LATS, LONS, LATS, LONS)
def test_symmetric_non_negative_and_bounded(lat1: float, lon1: float, lat2: float,
                                             lon2: float) -> None:
    there = distance_m(lat1, lon1, lat2, lon2)
    assert there == pytest.approx(distance_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0.0 <= there <= math.pi * EARTH_RADIUS_M + 1e-6
    assert distance_m(lat1, lon1, lat1, lon1) == 0.0


@given(LATS, LONS, LATS, LONS, LATS, LONS)
def test_no_detour_is_shorter_than_the_straight_line(lat1: float, lon1: float, lat2: float,
                                                     lon2: float, lat3: float, lon3: float) -> None:
    direct = distance_m(lat1, lon1, lat3, lon3)
    detour = distance_m(lat1, lon1, lat2, lon2) + distance_m(lat2, lon2, lat3, lon3)
    # Near antipodes asin is ill-conditioned: a rounding of h costs centimetres, not metres.
    assert direct <= detour + 1.0
