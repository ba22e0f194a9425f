"""Fixtures shared by every test folder.

This file is also loaded when `tests/domain` runs in the environment without Qt, so it imports
nothing but the standard library and pytest; Qt fixtures live in the GUI test folders.
"""

import os

# Any folder's test may make a QApplication (a report's PDF in tests/store): offscreen, as the
# GUI folders' own conftests say, when a folder runs alone. A test that wants a screen says so.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:
    from argon2 import PasswordHasher
except ImportError:  # the environment without Qt has no store either
    pass
else:
    from console.store import accounts

    # Argon2id at its cheapest: the suite creates and logs in thousands of accounts, and the
    # production parameters (64 MiB, three passes) made hashing most of a hub test's set-up.
    # What a test checks of a login does not depend on the cost; tests/store/test_accounts.py
    # checks the production parameters themselves.
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
