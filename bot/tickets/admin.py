"""Desk account administration.

    python -m bot.tickets.admin create-user NAME [--role admin|handler] [--office 科室] [--display-name 名称]
    python -m bot.tickets.admin set-password NAME
    python -m bot.tickets.admin migrate

The password is read from ``DESK_USER_PASSWORD`` if set, otherwise from stdin (first line) — never
from the command line, so it does not land in shell history or the process list.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from bot.db import get_engine, init_db, session_scope
from bot.db_startup import startup_lock
from bot.tickets import auth
from bot.tickets.enums import Role
from bot.tickets.passwords import WeakPasswordError, check_password


def _read_password() -> str:
    env = os.environ.get("DESK_USER_PASSWORD")
    if env:
        return env
    if sys.stdin.isatty():
        first = getpass.getpass("密码: ")
        if getpass.getpass("再次输入: ") != first:
            raise SystemExit("两次输入的密码不一致")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tickets.admin", description="Desk accounts")
    sub = parser.add_subparsers(dest="cmd", required=True)
    cu = sub.add_parser("create-user", help="create a handler or admin account")
    cu.add_argument("username")
    cu.add_argument("--role", choices=[r.value for r in Role], default=Role.handler.value)
    cu.add_argument("--office", default=None)
    cu.add_argument("--display-name", default="")
    sp = sub.add_parser("set-password", help="change an account's password")
    sp.add_argument("username")
    sub.add_parser("migrate", help="apply database migrations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    with startup_lock(get_engine()):
        init_db()
    if args.cmd == "migrate":
        print("database at head")
        return 0
    password = _read_password()
    try:
        check_password(password, user_inputs=(args.username,))
    except WeakPasswordError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with session_scope() as db:
        if args.cmd == "create-user":
            try:
                auth.create_user(
                    db,
                    args.username,
                    password,
                    role=Role(args.role),
                    display_name=args.display_name,
                    office=args.office,
                )
            except ValueError as exc:
                print(str(exc), file=sys.stderr)
                return 1
            print(f"created {args.username} ({args.role})")
        else:
            try:
                auth.set_password(db, args.username, password)
            except LookupError:
                print(f"no user {args.username}", file=sys.stderr)
                return 1
            print(f"password changed for {args.username}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
