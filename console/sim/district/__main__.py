"""``python -m console.sim.district``: write the demo district's geography files."""

from console.sim.district.generator import main

raise SystemExit(main())
