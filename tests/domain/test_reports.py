"""The reports' pure parts: the score's weights, the ranking, and the fold over hand-written
events (the store's tests seed a whole month through the write path)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain.reports import Figures, Period, RecordFold, ranked
from console.domain.rules import Rules
from console.domain.scoring import Weights

WEIGHTS = Weights({"response": 30, "resolution": 35, "satisfaction": 35})
T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in the district
NOVEMBER = Period(datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))


def test_the_weights_in_resources_are_30_35_35_and_callbacks_are_visits() -> None:
    weights = Weights.load()
    assert weights.weights == {"response": 30, "resolution": 35, "satisfaction": 35}
    assert weights.visit_methods == {"callback"}


@pytest.mark.parametrize(("table", "message"), [
    ({}, "missing [departments]"),
    ({"departments": {"weights": {"response": 1}}}, "must give response, resolution"),
    ({"departments": {"weights": {"response": -1, "resolution": 1, "satisfaction": 1}}},
     "must be a number ≥ 0"),
    ({"departments": {"weights": {"response": 0, "resolution": 0, "satisfaction": 0}}},
     "must not all be 0"),
    ({"departments": {"weights": {"response": 1, "resolution": 1, "satisfaction": 1},
                      "visit_methods": ["phone"]}}, "visit_methods must list"),
    ({"departments": {"weights": {"response": 1, "resolution": 1, "satisfaction": 1},
                      "bonus": 3}}, "unknown key(s) bonus"),
])
def test_bad_weights_are_refused_by_name(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Weights.from_mapping(table)


def test_a_rate_without_a_denominator_is_left_out_of_the_score() -> None:
    assert WEIGHTS.score({"response": 1.0, "resolution": 0.5, "satisfaction": None}) == \
        pytest.approx(100 * (30 + 17.5) / 65)
    assert WEIGHTS.score({"response": None, "resolution": None, "satisfaction": None}) is None
    assert Figures().score(WEIGHTS) is None


def test_ranks_share_ties_and_leave_the_unscored_last() -> None:
    full = Figures(received=2, signed_on_time=2, resolved=1, resolved_on_time=1, visited=1,
                   satisfied=1)
    rows = ranked({"b": full, "a": Figures(**{**full.__dict__, "received": 4,
                                              "signed_on_time": 4}),
                   "c": Figures(), "d": Figures(received=1)}, WEIGHTS)
    assert [(r.code, r.rank) for r in rows] == [("a", 1), ("b", 1), ("d", 3), ("c", None)]
    assert rows[2].score == 0.0  # received one, signed none, nothing else to score


def fold_of(events: list[tuple[str, datetime, dict[str, Any]]], rules: Rules,
            period: Period = NOVEMBER) -> RecordFold:
    fold = RecordFold(rules, period)
    for name, at, data in events:
        fold.feed(name, at, "someone", {"id": "CH-1", **data})
    fold.finish()
    return fold


CREATED = {"source": "police", "request_type": "complaint", "category": "env.noise_construction",
           "priority": "P3", "sla_class": "standard", "location": {"street": "street.a"}}


def test_a_diverted_case_runs_the_polices_sign_limit_on_accept(rules: Rules) -> None:
    late = rules.sla.police_sign.value + 1
    fold = fold_of([("incident.created", T0, {**CREATED, "police": {"shared_id": "x"}}),
                    ("incident.accepted", T0 + timedelta(minutes=late), {})], rules)
    assert (fold.statistics.stages["accept"].on_time, fold.statistics.stages["accept"].late) \
        == (0, 1)
    fold = fold_of([("incident.created", T0, CREATED),
                    ("incident.accepted", T0 + timedelta(minutes=late), {})], rules)
    assert fold.statistics.stages["accept"].on_time == 1  # 30 minutes for the hotline's


def test_events_after_the_end_change_nothing_and_a_running_deadline_is_late_once(
        rules: Rules) -> None:
    assigned = [("incident.created", T0, {**CREATED, "source": "hotline"}),
                ("incident.accepted", T0 + timedelta(minutes=5), {}),
                ("incident.assigned", T0 + timedelta(minutes=10),
                 {"department": "environment", "co_handlers": []})]
    period = Period(T0 - timedelta(hours=1), T0 + timedelta(hours=6))
    open_at_end = fold_of(assigned, rules, period)
    signed_later = fold_of([*assigned, ("incident.signed", T0 + timedelta(hours=7), {})],
                           rules, period)
    for fold in (open_at_end, signed_later):
        assert fold.departments["environment"] == Figures(received=1)
        assert fold.statistics.stages["sign"].late == 1  # due 4 h after the assignment
        assert fold.statistics.overdue == 1
