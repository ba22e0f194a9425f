"""The police 110 command center as a peer of the hub's ``/police`` (docs/police-interface.md).

Three parts, one module each:

- :mod:`~console.sim.police.journal` — the police center's durable record (SQLite): every
  hand-off from the hub is written to it and committed *before* it is acknowledged (a repeated
  ``id`` is acknowledged again and applied once: the journal's primary key decides), and its own
  messages wait in its outbox until the hub acknowledges them.
- :mod:`~console.sim.police.peer` — the link: an asyncio websockets client of ``/police`` that
  logs in with the console's ``hello``, sends the outbox in order, again after every reconnect,
  reconnects forever with exponential backoff and full jitter, and takes the world clock from
  ``welcome``. Only one message per case is in flight at a time (the oldest not yet
  acknowledged), so a case's messages are applied in order even when the hub asks for one again
  later (``unavailable``).
- :mod:`~console.sim.police.center` — the simulator's policy on top of the link: it diverts
  non-police cases to the center at a rate per hour of world time, sometimes sends an update on
  one, and answers each escalation — acknowledged after a while (a share rejected, with a cause),
  completed later. What it diverts is drawn from its own seeded random stream: the same seed, the
  same cases. ``main.py simulate-police`` runs it
  (:func:`~console.sim.police.center.simulate_police`).
"""
