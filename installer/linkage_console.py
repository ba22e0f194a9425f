"""The desktop build's entry script (``installer/console.spec``): the executable
``linkage-console``.

With no subcommand it opens the console's login (``main.py console``); every subcommand of
``main.py`` works as well (``linkage-console console --hub ws://… --user NAME``, ``demo``,
``admin …``). The console starts helpers as ``sys.executable -m MODULE …`` (the hub client's
process, the demo's simulators); in this build ``sys.executable`` is this program, so
``-m MODULE`` is run here as the interpreter would run it.
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys


def _main() -> int:
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "-m":
        sys.argv = [sys.executable, *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    from console.cli import SUBCOMMANDS, main

    flags = 0
    while flags < len(argv) and argv[flags] in ("-v", "--verbose"):
        flags += 1
    rest = argv[flags:]
    if not rest or rest[0] not in (*SUBCOMMANDS, "-h", "--help"):
        argv = [*argv[:flags], "console", *rest]
    return main(argv, "linkage-console")


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_main())
