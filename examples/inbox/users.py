"""The inbox's staff: who they are, their password hashes, the groups they work in.

Users live in a JSON file the agency keeps (``python -m examples.inbox adduser ...`` writes
it)::

    {"users": {"ani": {"name": "Ani Lestari", "password": "scrypt:32768:8:1$...",
                       "groups": ["Ketua RT", "loket"], "admin": false}}}

Passwords are stored only as scrypt hashes (Werkzeug's ``generate_password_hash``, which
calls :func:`hashlib.scrypt` with a random salt); a login compares in constant time and
spends the same work on an unknown name, so timing does not tell which names exist.
A user's ``groups`` are lane names and Camunda candidate groups alike: the engine offers a
task without candidates to its lane, read as a group. ``admin`` users see every case, the
incidents page, and may retry and reassign; nobody completes a task not offered to them.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

__all__ = ["User", "Users", "hash_password", "UserFileError"]

# Failed logins per name before that name is refused for LOCKOUT seconds: slows guessing
# without letting a stranger lock an officer out for long.
MAX_FAILURES = 5
LOCKOUT = 300.0
MAX_TRACKED = 10_000  # names with recent failures kept in memory at most (then pruned)


class UserFileError(ValueError):
    """The users file cannot be read: one line naming the file and what is wrong."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` for the users file."""
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    return generate_password_hash(password, method="scrypt")


@dataclass(frozen=True)
class User:
    """One officer: login ``id``, display ``name``, the ``groups`` (lanes, candidate groups)
    they work in."""

    id: str
    name: str
    password: str = field(repr=False)
    groups: tuple[str, ...] = ()
    admin: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "password": self.password,
            "groups": list(self.groups),
            "admin": self.admin,
        }


# Checked against when the name is unknown, so an unknown name costs as much as a known one.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class Users:
    """The users of one inbox, read from (and written to) a JSON file."""

    def __init__(self, users: dict[str, User] | None = None, path: Path | None = None):
        self._users = dict(users or {})
        self.path = path
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | os.PathLike) -> Users:
        """Read a users file; a missing file is an empty set of users."""
        path = Path(path)
        if not path.exists():
            return cls({}, path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = raw["users"]
            users = {}
            for uid, entry in entries.items():
                groups = entry.get("groups", entry.get("lanes", []))  # "lanes": older files
                if not isinstance(groups, list) or not all(isinstance(x, str) for x in groups):
                    raise UserFileError(f"{path}: user {uid!r}: groups must be a list of names")
                if not str(entry.get("password", "")).startswith(("scrypt:", "pbkdf2:")):
                    raise UserFileError(
                        f"{path}: user {uid!r}: password must be a scrypt or "
                        "pbkdf2 hash (use `adduser`), never plain text"
                    )
                users[uid] = User(
                    uid,
                    str(entry.get("name") or uid),
                    entry["password"],
                    tuple(groups),
                    bool(entry.get("admin", False)),
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            if isinstance(exc, UserFileError):
                raise
            raise UserFileError(f"{path}: not a users file ({type(exc).__name__}: {exc})") from None
        return cls(users, path)

    def save(self) -> None:
        """Write the users file (readable by its owner only: it holds password hashes)."""
        if self.path is None:
            raise ValueError("these users were not read from a file")
        text = json.dumps(
            {"users": {u.id: u.to_dict() for u in self._users.values()}},
            indent=2,
            ensure_ascii=False,
        )
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(tmp, self.path)

    def add(
        self, uid: str, password: str, groups=(), *, name: str = "", admin: bool = False
    ) -> User:
        """Add or replace a user (the password is hashed here)."""
        uid = uid.strip()
        if not uid or not uid.isprintable() or len(uid) > 64:
            raise ValueError(f"user name {uid!r}: 1-64 printable characters")
        user = User(uid, name or uid, hash_password(password), tuple(groups), admin)
        self._users[uid] = user
        return user

    def get(self, uid: str | None) -> User | None:
        return self._users.get(uid) if uid else None

    def __iter__(self):
        return iter(sorted(self._users.values(), key=lambda u: u.id))

    def __len__(self) -> int:
        return len(self._users)

    def locked(self, uid: str) -> bool:
        """Whether ``uid`` failed to log in too often lately (refused for a while)."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(uid[:64], []) if now - t < LOCKOUT]
            if recent:
                self._failures[uid[:64]] = recent
            else:
                self._failures.pop(uid[:64], None)
            return len(recent) >= MAX_FAILURES

    def authenticate(self, uid: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (and the failure is counted)."""
        user = self._users.get(uid)
        ok = check_password_hash(user.password if user else _DUMMY_HASH, password)
        if user is not None and ok:
            with self._lock:
                self._failures.pop(uid, None)
            return user
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:  # names made up by a guesser: forget old ones
                self._failures = {
                    k: v for k, v in self._failures.items() if v and now - v[-1] < LOCKOUT
                }
            self._failures.setdefault(uid[:64], []).append(now)
        return None
