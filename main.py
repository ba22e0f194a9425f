#!/usr/bin/env python3
"""Linkage Console — the command line, read like a table of contents.

    python main.py                     the embedded default (the demo district on this machine)
    python main.py admin init-db --db URL
    python main.py admin create-user NAME --role ROLE [--role ROLE …] --db URL
    python main.py admin set-password NAME --db URL / unlock NAME --db URL
    python main.py admin audit --db URL [--since 1h] [--user NAME] [--action PREFIX] [--verify]

Every subcommand lives in ``console/cli``; this file only parses and hands over.
"""

from __future__ import annotations

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
