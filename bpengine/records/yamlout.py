"""Write a scenario mapping as YAML with a comment on each number (SCENARIO.md's layout).

Each leaf mapping (a task's duration, a lane's staff, a gateway's probabilities) goes on
one line in flow style with its comment after it; list comments (``key + ("#",)``) go on
lines of their own above the key. The output is read back by
:func:`bpengine.load_scenario` like any hand-written scenario.
"""

from __future__ import annotations

import yaml

__all__ = ["emit"]

_ORDER = (
    "calendar",
    "start",
    "service_standard",
    "arrivals",
    "lanes",
    "handovers",
    "tasks",
    "gateways",
    "events",
    "data",
)


def _flow(value) -> str:
    text = yaml.safe_dump(
        [value], default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False
    ).strip()
    return text[1:-1]


def _key(key) -> str:
    return _flow(str(key))


def _leaf(value) -> bool:
    """Written on one line: not a mapping, or a mapping of scalars and short lists."""
    if not isinstance(value, dict):
        return True
    return (
        all(
            not isinstance(v, dict) or all(not isinstance(w, dict) for w in v.values())
            for v in value.values()
        )
        and len(_flow(value)) <= 100
    )


def emit(doc: dict, comments: dict, header: list[str]) -> str:
    """The YAML text of ``doc`` with ``comments[path]`` after (or above) each key."""
    lines = [f"# {h}" for h in header]

    def comment(path):
        text = comments.get(path)
        return f"   # {text}" if text else ""

    def walk(mapping, path, indent):
        pad = "  " * indent
        keys = list(mapping)
        if not path:
            keys = [k for k in _ORDER if k in mapping] + [k for k in keys if k not in _ORDER]
        for key in keys:
            value = mapping[key]
            here = (*path, key)
            for line in comments.get((*here, "#"), ()):
                lines.append(f"{pad}# {line}")
            if (
                isinstance(value, dict)
                and value
                and not (indent >= 2 and _leaf(value))
                and not (here in comments and _leaf(value))
            ):
                lines.append(f"{pad}{_key(key)}:{comment(here)}")
                walk(value, here, indent + 1)
            else:
                lines.append(f"{pad}{_key(key)}: {_flow(value)}{comment(here)}")

    walk(doc, (), 0)
    return "\n".join(lines) + "\n"
