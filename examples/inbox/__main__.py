"""``python -m examples.inbox``: ``serve`` the inbox, or ``adduser`` to the users file."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
import threading

from bpengine import BpengineError, Engine

from .app import create_app
from .users import UserFileError, Users

__all__ = ["main"]


def _worker(engine: Engine, every: float, stop: threading.Event) -> None:
    """Fire due timers and run pending service tasks every ``every`` seconds."""
    while not stop.wait(every):
        try:
            engine.tick()
            engine.work()
        except BpengineError as exc:  # a database outage: say so, keep trying
            logging.getLogger("inbox").warning("worker: %s", exc)


def _lane_zone(text: str) -> str:
    if "=" not in text or not text.split("=", 1)[0].strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give LANE=ZONE, e.g. Kantor=Asia/Makassar")
    return text


def serve(args) -> None:
    users = Users.load(args.users)
    if not len(users):
        sys.exit(
            f"{args.users}: no users; add one with "
            f"`python -m examples.inbox adduser {args.users} NAME --groups ...`"
        )
    secret = os.environ.get("INBOX_SECRET_KEY")
    if not secret:
        secret = secrets.token_hex(32)
        print("INBOX_SECRET_KEY is not set: using a random key, sessions end on restart")
    zones = dict(item.split("=", 1) for item in args.lane_timezone)
    engine = Engine(
        args.db, migrate=args.migrate or None, timezone=args.timezone, lane_timezones=zones
    )
    app = create_app(
        engine, args.models, users, secret_key=secret, secure_cookies=args.secure_cookies
    )
    stop = threading.Event()
    if args.tick:
        threading.Thread(target=_worker, args=(engine, args.tick, stop), daemon=True).start()
    print(
        f"serving {', '.join(app.config['MODELS'])} for {len(users)} users on "
        f"http://{args.host}:{args.port}/ (database {engine!r})"
    )
    try:
        app.run(host=args.host, port=args.port, threaded=True)
    finally:
        stop.set()
        engine.close()


def adduser(args) -> None:
    users = Users.load(args.users)
    password = os.environ.get("INBOX_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    user = users.add(
        args.name, password, groups, name=args.full_name or args.name, admin=args.admin
    )
    users.save()
    print(
        f"{args.users}: {user.id} ({user.name}) works in "
        f"{', '.join(user.groups) or 'no group'}" + (", administrator" if user.admin else "")
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m examples.inbox", description="An agency inbox on bpengine."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the inbox")
    run.add_argument("models", nargs="+", help="BPMN files of the procedures served")
    run.add_argument("--users", default="inbox-users.json", help="users file (JSON)")
    run.add_argument(
        "--db",
        default="sqlite:///inbox.db",
        help="database URL: sqlite:///file.db or postgresql+psycopg://user@host/db",
    )
    run.add_argument(
        "--migrate",
        action="store_true",
        help="upgrade the database schema first (PostgreSQL; SQLite always does)",
    )
    run.add_argument(
        "--timezone",
        default="Asia/Jakarta",
        help="the agency's time zone (IANA name; default Asia/Jakarta, WIB)",
    )
    run.add_argument(
        "--lane-timezone",
        action="append",
        default=[],
        metavar="LANE=ZONE",
        type=_lane_zone,
        help='an office in another zone, e.g. "Kantor Wilayah Makassar=Asia/Makassar" (repeatable)',
    )
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--tick", type=float, default=30.0, help="seconds between timer/service sweeps (0: none)"
    )
    run.add_argument("--secure-cookies", action="store_true", help="behind HTTPS")
    run.set_defaults(run=serve)
    add = commands.add_parser(
        "adduser", help="add or replace a user (password asked, or from INBOX_PASSWORD)"
    )
    add.add_argument("users", help="users file (JSON), created when missing")
    add.add_argument("name", help="login name")
    add.add_argument(
        "--groups", "--lanes", default="", help="comma-separated lane and candidate group names"
    )
    add.add_argument("--full-name", default="")
    add.add_argument("--admin", action="store_true", help="sees all cases and incidents")
    add.set_defaults(run=adduser)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (BpengineError, UserFileError, ValueError) as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
