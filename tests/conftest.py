"""Fixtures shared by every test folder.

This file is also loaded when `tests/domain` runs in the environment without Qt, so it imports
nothing but the standard library and pytest; Qt fixtures live in the GUI test folders.
"""
