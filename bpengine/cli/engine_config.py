"""How the `case` commands configure their engine: the calendar and the offices' time zones.

Due dates (``camunda:dueDate="P2D"``) and timer durations count working time only when the
engine has a calendar; offices outside WIB count their own office hours in their own zone.
The library takes both (``Engine(calendar=..., timezone=..., lane_timezones=...)``); these
options give them to the commands that move cases::

    bpengine case complete TASK --scenario cuti.scenario.yaml --tz Asia/Jakarta \\
        --lane-tz "Kantor Wilayah Makassar=Asia/Makassar" --db sqlite:///try.db

``--scenario`` (or $BPENGINE_SCENARIO) lends its ``calendar:`` (office hours, holidays,
``timezone``) and its lanes' ``timezone``; ``--tz`` (or $BPENGINE_TZ) is the engine's zone
(default: the scenario's, else WIB); ``--lane-tz LANE=ZONE`` (repeatable) a lane's own, over
the scenario's. A lane zone for a lane neither the file nor any deployed process has is refused
before ``case start FILE`` deploys it, and at any start.
"""

from __future__ import annotations

import functools

import click

from ..engine.assignment import zone
from ..errors import BpengineError
from ..i18n import N_, _
from ..scenario import load_scenario

__all__ = ["engine_options", "engine_settings", "label_lane_zones"]

_META = "bpengine.engine_settings"


def engine_options(f):
    """Add ``--scenario``, ``--tz`` and ``--lane-tz`` to a command; :func:`engine_settings`
    reads them back where the command opens its engine."""

    @functools.wraps(f)  # keeps click's parameter list: options stack as usual
    def wrapper(*args, **kwargs):
        settings = _settings(kwargs.pop("scenario"), kwargs.pop("tz"), kwargs.pop("lane_tz"))
        click.get_current_context().meta[_META] = settings
        return f(*args, **kwargs)

    for option in (
        click.option(
            "--lane-tz",
            "lane_tz",
            multiple=True,
            metavar="LANE=ZONE",
            help=N_(
                'A lane\'s own time zone, e.g. "Kantor Wilayah Makassar=Asia/Makassar" '
                "(WITA): its due dates count its office hours (repeatable; over the "
                "scenario's lanes.X.timezone)."
            ),
        ),
        click.option(
            "--tz",
            "tz",
            metavar="ZONE",
            envvar="BPENGINE_TZ",
            show_envvar=True,
            help=N_(
                "Time zone of the calendar's office hours and of due dates (IANA name; "
                "default: the scenario's calendar.timezone, else Asia/Jakarta, WIB)."
            ),
        ),
        click.option(
            "-s",
            "--scenario",
            "scenario",
            type=click.Path(dir_okay=False),
            envvar="BPENGINE_SCENARIO",
            show_envvar=True,
            help=N_(
                "Scenario YAML whose calendar (office hours, holidays, time zones of the "
                "calendar and lanes) due dates and timer durations count in; without it "
                "they count calendar time."
            ),
        ),
    ):
        wrapper = option(wrapper)
    return wrapper


def _settings(scenario, tz, lane_tz) -> dict:
    settings: dict = {}
    if scenario:  # the whole scenario: its calendar and its zones
        settings["calendar"] = load_scenario(scenario)
    if tz:
        settings["timezone"] = _zone(tz, "--tz")
    lanes = {}
    for pair in lane_tz:
        lane, sep, name = pair.rpartition("=")
        if not sep or not lane.strip() or not name.strip():
            raise click.BadParameter(
                _("{pair} is not LANE=ZONE").format(pair=repr(pair)), param_hint="--lane-tz"
            )
        lanes[lane.strip()] = _zone(name.strip(), f"--lane-tz {pair!r}")
    if lanes:
        settings["lane_timezones"] = lanes
    return settings


def _zone(name: str, option: str):
    try:
        return zone(name)
    except BpengineError as exc:
        raise BpengineError(f"{option}: {exc}") from None


def label_lane_zones(engine) -> None:
    """Let the engine name ``--lane-tz`` when it refuses a lane given there."""
    for lane, origin in engine.lane_zone_origins.items():
        if origin == "lane_timezones":
            engine.lane_zone_origins[lane] = f"--lane-tz {lane!r}"


def engine_settings() -> dict:
    """The ``Engine`` keyword arguments the current command was given (none: defaults)."""
    ctx = click.get_current_context(silent=True)
    return dict(ctx.meta.get(_META, {})) if ctx is not None else {}
