"""The password policy an administrator's new or changed password must meet.

It guards the doors people use to set passwords (``main.py admin create-user`` and
``set-password``); the store's own API takes any non-empty password, so the demo's shared
``demo`` password and test fixtures still work (docs/security.md "Logins").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from console.domain.resources import RESOURCES

COMMON_PASSWORDS = RESOURCES / "common-passwords.txt"


class WeakPassword(ValueError):
    """A password the policy refuses; ``template`` and ``params`` say why, translatably."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template.format(**params))
        self.template = template
        self.params = params


@functools.cache
def common_passwords(path: Path = COMMON_PASSWORDS) -> frozenset[str]:
    """The shipped list of passwords every guesser tries first, case-folded."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines
                     if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class PasswordPolicy:
    """At least ``min_length`` characters, at most ``max_length``; not the user's name nor
    containing it, not one character repeated, and not on the common-password list."""

    min_length: int = 10
    max_length: int = 256
    common: frozenset[str] = field(default_factory=common_passwords, repr=False)

    def check(self, username: str, password: str) -> None:
        """Raises:
            WeakPassword: the password breaks one of the rules.
        """
        if len(password) < self.min_length:
            raise WeakPassword("A password needs at least {min} characters.",
                               min=self.min_length)
        if len(password) > self.max_length:
            raise WeakPassword("A password has at most {max} characters.", max=self.max_length)
        folded, name = password.casefold(), username.strip().casefold()
        if name and (folded == name or (len(name) >= 3 and name in folded)):
            raise WeakPassword("A password must not contain the user name.")
        if len(set(folded)) == 1:
            raise WeakPassword("A password must not be one character repeated.")
        if folded in self.common:
            raise WeakPassword("That password is on the list of common passwords; choose "
                               "another.")
