"""``python -m console``: the command line of ``main.py``, for an installed package (and the
demo's own child processes, which need no ``main.py`` beside the code)."""

from __future__ import annotations

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], "python -m console"))
