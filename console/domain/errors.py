"""Why the domain refuses a command, in words a dispatcher understands.

A refusal carries a protocol error code (DESIGN §5), an English template with named parameters and
the parameters themselves: the console translates the template and then fills it in, so the same
refusal reads naturally in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

ErrorCode = Literal["invalid", "forbidden", "not_found", "conflict", "unavailable", "rate_limited"]


class Refused(Exception):
    """A command the rules do not allow, with the reason.

    Args:
        code: the protocol error code.
        template: English text with ``{name}`` placeholders, the translation key.
        params: values for the placeholders.
    """

    def __init__(self, code: ErrorCode, template: str, /, **params: Any) -> None:
        self.code: ErrorCode = code
        self.template = template
        self.params: Mapping[str, Any] = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "template": self.template,
            "params": dict(self.params),
        }


def template(text: str) -> str:
    """Mark a sentence that becomes a refusal's template elsewhere (a reason a function
    returns), so the translation catalogue (tools/refusal_catalogue.py) lists it."""
    return text
