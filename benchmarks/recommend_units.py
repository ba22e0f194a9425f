#!/usr/bin/env python3
"""Ranking units for an incident by its response plan: how long over a whole district's feed?

    python benchmarks/recommend_units.py [--units 23000] [--runs 20]

No Qt, no hub: a :class:`~console.map.feeds.UnitFeed` of ``--units`` units (one in ten of a
type other than grid worker, two in three available, one in eighty with the skills gas_leak
and mediation) spread over 8 km around a point, then :func:`console.map.recommend.recommend`
for a few categories whose plans differ (several types; one type; a skill few units carry),
and the old nearest-by-distance list for comparison. Prints the median and worst of ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.domain.model import Event, UnitType
from console.domain.response import ResponsePlans
from console.domain.units import Position, registered
from console.map.feeds import Datum, UnitFeed
from console.map.nearest import TravelTimes, nearest_available
from console.map.recommend import recommend

HERE = (30.6675, 104.0925)
T0 = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=23_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    kinds = list(UnitType)
    units = [registered(Event("unit.registered", T0, "admin", {
        "unit": f"U{n}", "name": f"U{n}",
        "type": kinds[n % 8].value if n % 10 == 0 else "grid_worker",
        "status": "available" if n % 3 else "busy",
        "skills": ["gas_leak", "mediation"] if n % 80 == 0 else []}))
        for n in range(args.units)]
    feed = UnitFeed()
    feed.reset({u.id: u for u in units},
               {u.id: Position(HERE[0] + float(rng.uniform(0, 8_000)) / 111_195, HERE[1],
                               0.0, 0.0, T0) for u in units}, Datum())
    by_id = {u.id: u for u in units}
    plans, times = ResponsePlans.load(), TravelTimes.load()
    cases = {category: partial(recommend, feed, *HERE, times, plans.plan_for(category),
                               lambda uid: by_id[uid].skills)
             for category in ("safety.gas_leak", "city.garbage_collection",
                              "env.noise_residential")}
    cases["nearest by distance"] = partial(nearest_available, feed, *HERE, times)
    print(f"{args.units} units, {args.runs} runs each")
    for name, run in cases.items():
        took = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run()
            took.append(time.perf_counter() - start)
        print(f"  {name:26} median {statistics.median(took) * 1000:6.2f} ms   "
              f"worst {max(took) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
