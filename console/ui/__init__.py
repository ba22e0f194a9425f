"""Shared Qt helpers for views and map: the app-wide message bus, naming and translation of
domain codes, formatting.

Layered below ``console.map`` and above ``console.comms``: views and map both import it, it
imports neither. Modules:

- :mod:`console.ui.message` — the message bus any part of the console reports to the user on;
- :mod:`console.ui.names` — names of domain codes and places in the user's language;
- :mod:`console.ui.text` — countdowns, distances and refused commands as text;
- :mod:`console.ui.context` — the logged-in user as the domain's actor and context.
"""
