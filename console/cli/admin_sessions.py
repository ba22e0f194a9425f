"""``main.py admin disable-user | enable-user | reset-password | sessions | revoke``.

Each change is written with its audit entry (``admin.*``, and ``session.revoked`` for each
session it ends) in one transaction, with the operating-system user as the actor and
``admin-cli`` as the client. The hubs see the change within ``session_check_s`` and close the
connections it ends (console/hub/expiry.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from console.store.db import Database

CLIENT = "admin-cli"


def os_user() -> str:
    """Who runs the command, as the operating system knows them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "unknown"


def run_session_action(args: argparse.Namespace, db: Database) -> int:
    from console.hub.config import HubConfig
    from console.store.accounts import Accounts
    from console.store.sessions import REVOKED, AmbiguousSession, By, short
    from console.store.store import utc_now

    accounts, now = Accounts(db), utc_now()
    by = By(os_user(), CLIENT)
    action = args.admin_command
    if action in ("disable-user", "enable-user"):
        if not accounts.set_active(args.name, action == "enable-user", now=now, by=by):
            return _no_user(action, args.name)
        print(f"enabled {args.name}" if action == "enable-user" else
              f"disabled {args.name}; its sessions are ended")
        return 0
    if action == "reset-password":
        password = accounts.reset_password(args.name, now=now, by=by)
        if password is None:
            return _no_user(action, args.name)
        print(f"new password for {args.name} (shown once; hand it over in person):\n"
              f"{password}\nthe account is unlocked and its sessions are ended")
        return 0
    if action == "sessions":
        live = accounts.sessions.live(now=now, idle=HubConfig().session_idle,
                                      username=args.user)
        print(f"{'ID':<12}  {'USER':<16}  {'STARTED':<20}  {'LAST USED':<20}  "
              f"{'ADDRESS':<15}  CLIENT")
        for info in live:
            print(f"{short(info.id):<12}  {info.username:<16}  {_time(info.created_at):<20}  "
                  f"{_time(info.last_used_at):<20}  {info.address or '-':<15}  "
                  f"{info.client or '-'}")
        print(f"{len(live)} live session{'' if len(live) == 1 else 's'}")
        return 0
    # revoke
    if args.user is not None:
        found = accounts.revoke_sessions(args.user, now=now, by=by)
        if found is None:
            return _no_user(action, args.user)
        print(f"ended {found} session{'' if found == 1 else 's'} of {args.user}")
        return 0
    try:
        ended = accounts.sessions.end_prefix(args.session, now=now, reason=REVOKED, by=by,
                                             action="admin.revoke")
    except AmbiguousSession as error:
        print(f"revoke: {error}; nothing was ended", file=sys.stderr)
        return 1
    if ended is None:
        print(f"revoke: no live session starts with {args.session}", file=sys.stderr)
        return 1
    print(f"ended session {short(ended)}")
    return 0


def _time(moment: object) -> str:
    from datetime import UTC, datetime

    assert isinstance(moment, datetime)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _no_user(action: str, name: str) -> int:
    print(f"{action}: there is no user {name}; nothing was changed", file=sys.stderr)
    return 1
