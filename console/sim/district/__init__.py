"""The demo district's geography, generated from a seed: streets, communities, cells, addresses.

No real boundaries are available offline, so the geometry is made up — but laid out inside the
district's real extent (30.62–30.74 N, 104.06–104.20 E), with its 14 real sub-districts (街道)
roughly where they lie, inner-city grids denser than the outskirts, and roads, estates, patrol
checkpoints and cameras named the way Chengdu names them. ``python -m console.sim.district`` writes
(:mod:`~console.sim.district.generator`):

- ``streets.geojson``, ``communities.geojson``, ``grid_cells.geojson`` — what
  ``console.domain.geography.Geography.from_files`` reads;
- ``gazetteer.json`` — addresses (road + house number, residential estates) for geocoding at intake;
- ``checkpoints.json`` — electronic patrol checkpoints (电子巡更点), a few per community;
- ``cameras.json`` — cameras at road junctions and squares.

How the geometry is made (every step draws from one ``random.Random(seed)``, so the same seed gives
the same bytes):

1. an irregular district outline around hand-placed anchor points;
2. 1,500 grid-cell seeds, denser towards the old town in the south-west, moved by two rounds of
   Lloyd relaxation; their Voronoi edges and the outline are noded together on a 1e-5° grid and
   polygonized, so neighbouring cells share exactly the same vertices, before and after rounding;
3. cells are grouped into streets by growing regions from 14 street seeds over the graph of cells
   that share an edge, then each street's cells into communities the same way — so every street
   and community is one connected polygon and the three levels nest exactly.

Work happens in a local kilometre frame (Voronoi cells are round there, not stretched by the
longitude scale) and is converted to degrees only for the output.

The parts: :mod:`~console.sim.district.places` (the names and where things lie, as data),
:mod:`~console.sim.district.areas` (the outline, cells, communities and streets, steps 1–3),
:mod:`~console.sim.district.roads` (roads, addresses, estates, checkpoints, cameras) and
:mod:`~console.sim.district.generator` (the whole, its files and its command line).
"""
