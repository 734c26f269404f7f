"""Who works in which group: the engine's own, audited membership store.

An application that passes ``groups=`` on every call (it knows its users from its own login
system) can go on doing so: an explicit ``groups=`` always wins. One that would rather keep
memberships with the cases adds them here (:meth:`MembershipOperations.add_member`,
``bpengine group add``), and :meth:`~bpengine.Engine.inbox`, ``claim``, ``complete`` and
``delegate`` then look up the actor's groups when ``groups=`` is not given. A group is a lane
name or a Camunda candidate group alike.

The store is an append-only log (``bpe_memberships``, migration 0008): each add or remove
is one row with who did it and when, never changed or deleted; a user's groups are those
whose latest row for them is an ``add``. Until the log has any row the engine does not
know anyone's groups and behaves as before (a task offered to its lane is everyone's); once
it has one, it knows every user's: someone never added is in no group.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select

from ..errors import BpengineError
from ..i18n import N_, _
from .core import EngineCore
from .schema import MembershipRow
from .store import utc

__all__ = ["MembershipOperations", "MembershipChange", "stored_groups", "known_groups"]


@dataclass(frozen=True)
class MembershipChange:
    """One row of the membership log: ``actor`` added ``user`` to (or removed them from)
    ``group`` at ``at`` (``action``: ``"add"`` or ``"remove"``)."""

    user: str
    group: str
    action: str
    actor: str
    at: _dt.datetime


_WHAT = (N_("user"), N_("group"))  # the names _name refuses, in the user's language


def _name(value, what: str) -> str:
    """A user or group name as stored: text, trimmed, no comma (task rows list candidates
    between commas), at most 200 characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or "," in text or len(text) > MembershipRow.user_id.type.length:
        raise BpengineError(
            _("{what} {value!r}: give a name of 1 to 200 characters without a comma").format(
                what=_(what), value=value
            )
        )
    return text


def _current(rows) -> dict[tuple[str, str], bool]:
    """(user, group) -> member now, from log rows in the order written."""
    state: dict[tuple[str, str], bool] = {}
    for user, group, action in rows:
        state[(user, group)] = action == "add"
    return state


# Built once (complete() asks on every step): constructing it costs more than running it.
_ACTOR_ROWS = (
    select(MembershipRow.user_id, MembershipRow.group_name, MembershipRow.action)
    .where(
        or_(
            MembershipRow.user_id == bindparam("actor"),
            MembershipRow.id
            == select(MembershipRow.id).order_by(MembershipRow.id).limit(1).scalar_subquery(),
        )
    )
    .order_by(MembershipRow.id)
)


def stored_groups(session, actor: str | None) -> tuple[str, ...] | None:
    """``actor``'s groups from the store, or None while the store is empty (groups unknown).

    One query: the actor's rows, and the log's first row (any row says the store is in use).
    """
    if not actor:
        return None
    rows = session.connection().execute(_ACTOR_ROWS, {"actor": actor}).all()
    if not rows:
        return None
    mine = [r for r in rows if r[0] == actor]
    return tuple(sorted(g for (_u, g), member in _current(mine).items() if member))


def known_groups(session, actor: str | None, groups: Iterable[str] | None):
    """The groups to check ``actor`` against: ``groups`` when given (explicit wins), else the
    store's (None: unknown)."""
    if groups is not None:
        return groups
    return stored_groups(session, actor)


class MembershipOperations(EngineCore):
    """Group membership calls of :class:`~bpengine.engine.Engine`."""

    def add_member(self, user: str, group: str, *, actor: str = "") -> bool:
        """Put ``user`` in ``group`` (a lane or candidate group); False if already there.

        Audited in the membership log with ``actor``. Raises BpengineError for an empty
        name or one with a comma.
        """
        return self._change(user, group, "add", actor)

    def remove_member(self, user: str, group: str, *, actor: str = "") -> bool:
        """Take ``user`` out of ``group``; False if they were not in it. Audited."""
        return self._change(user, group, "remove", actor)

    def _change(self, user: str, group: str, action: str, actor: str) -> bool:
        user, group = _name(user, "user"), _name(group, "group")
        now = self._now()
        with self._transaction(now) as session:
            rows = session.execute(
                select(MembershipRow.user_id, MembershipRow.group_name, MembershipRow.action)
                .where(MembershipRow.user_id == user, MembershipRow.group_name == group)
                .order_by(MembershipRow.id)
            ).all()
            member = _current(rows).get((user, group), False)
            if member == (action == "add"):
                return False
            session.add(
                MembershipRow(
                    user_id=user, group_name=group, action=action, actor=actor or "", at=now
                )
            )
            return True

    def groups_of(self, user: str) -> tuple[str, ...]:
        """The groups ``user`` is in now, sorted (empty: none, or the store is not used)."""
        with self._transaction(self._now()) as session:
            return stored_groups(session, _name(user, "user")) or ()

    def members(self, group: str | None = None) -> dict[str, tuple[str, ...]]:
        """Group -> its users now, sorted by group (only ``group``'s when given)."""
        with self._transaction(self._now()) as session:
            query = select(MembershipRow.user_id, MembershipRow.group_name, MembershipRow.action)
            if group is not None:
                query = query.where(MembershipRow.group_name == _name(group, "group"))
            found: dict[str, list[str]] = {}
            for (user, name), member in _current(
                session.execute(query.order_by(MembershipRow.id))
            ).items():
                if member:
                    found.setdefault(name, []).append(user)
            return {name: tuple(sorted(found[name])) for name in sorted(found)}

    def membership_history(
        self, *, user: str | None = None, group: str | None = None
    ) -> list[MembershipChange]:
        """The membership log, oldest first (of one user and/or group)."""
        with self._transaction(self._now()) as session:
            query = select(MembershipRow).order_by(MembershipRow.id)
            if user is not None:
                query = query.where(MembershipRow.user_id == _name(user, "user"))
            if group is not None:
                query = query.where(MembershipRow.group_name == _name(group, "group"))
            return [
                MembershipChange(r.user_id, r.group_name, r.action, r.actor, utc(r.at))
                for r in session.scalars(query)
            ]
