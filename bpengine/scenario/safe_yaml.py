"""YAML read safely and within limits: the one YAML parser for files that come from users.

PyYAML's ``safe_load`` builds no Python objects beyond plain data, but it still lets a
half-kilobyte file expand into a billion nodes through aliases (``&a`` / ``*a``), recurse
20,000 levels deep until the interpreter gives up, or build an integer of 5,000 digits that
Python then refuses to print. :func:`parse_yaml` uses a ``SafeLoader`` that counts, while it
composes the document, how many nodes it would have with every alias expanded
(:data:`~.limits.MAX_YAML_NODES`) and how deep it is (:data:`~.limits.MAX_YAML_DEPTH`),
refuses aliases that point into themselves, long integers
(:data:`~.limits.MAX_NUMBER_DIGITS`) and impossible dates, each with the line and column.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import BpengineError, ScenarioError
from ..i18n import _
from . import limits

__all__ = ["parse_yaml", "BoundedLoader"]


class _Refused(yaml.MarkedYAMLError):
    """A document refused for its size or shape, not for its syntax."""


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with limits on expanded size, depth, integers and dates."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes once aliases are expanded

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event: Any = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                raise _Refused(
                    None,
                    None,
                    _("the alias *{name} refers to the collection it is in (a loop)").format(
                        name=event.anchor
                    ),
                    event.start_mark,
                )
        self._depth += 1
        if self._depth > limits.MAX_YAML_DEPTH:
            raise _Refused(
                None,
                None,
                _(
                    "nested more than {limit} levels deep (the setting "
                    "bpengine.scenario.limits.MAX_YAML_DEPTH)"
                ).format(limit=limits.MAX_YAML_DEPTH),
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and id(node) not in self._sizes:
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                size += sum(
                    self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value
                )
            if size > limits.MAX_YAML_NODES:
                raise _Refused(
                    None,
                    None,
                    _(
                        "expands to more than {limit} values once its aliases (*name) are "
                        "resolved (the setting bpengine.scenario.limits.MAX_YAML_NODES)"
                    ).format(limit=limits.MAX_YAML_NODES),
                    node.start_mark,
                )
            self._sizes[id(node)] = size
        return node

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 (PyYAML's)
        # the scanner reads ahead over '[' and '{' before the composer sees one node, so
        # 100,000 of them would be scanned (and held) first: stop at the limit here
        if self.flow_level >= limits.MAX_YAML_DEPTH:
            raise _Refused(
                None,
                None,
                _(
                    "nested more than {limit} levels deep (the setting "
                    "bpengine.scenario.limits.MAX_YAML_DEPTH)"
                ).format(limit=limits.MAX_YAML_DEPTH),
                self.get_mark(),
            )
        super().fetch_flow_collection_start(TokenClass)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # PyYAML keeps the last of two equal keys: a second ``tasks:`` section would drop
        # the whole first one silently. Keys merged in with ``<<`` may be overridden.
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise _Refused(
                    None,
                    None,
                    _("duplicate key {key!r} (first on line {line})").format(
                        key=key, line=seen[key].start_mark.line + 1
                    ),
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = self.construct_scalar(node)
        digits = sum(ch.isdigit() for ch in text)
        if digits > limits.MAX_NUMBER_DIGITS:
            raise _Refused(
                None,
                None,
                _("a whole number of {digits} digits (at most {limit})").format(
                    digits=digits, limit=limits.MAX_NUMBER_DIGITS
                ),
                node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _Refused(
                None,
                None,
                _("{value!r} is not a date that exists ({why})").format(
                    value=limits.shorten(node.value, 40), why=exc
                ),
                node.start_mark,
            ) from None


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp)


def parse_yaml(
    text: str, name: object, error: type[BpengineError] = ScenarioError, *, inline: bool = False
) -> Any:
    """The plain data of the YAML document ``text``, read from file ``name``.

    ``inline``: ``text`` is a value given on the command line for key ``name``
    (``--set``), so a message quotes it instead of a line and column.

    Raises
    ------
    BpengineError
        ``error``, one line: ``name:line:column:`` and what is wrong (PyYAML's own words
        for a syntax error; the limit for a document too large, deep or odd).

    Examples
    --------
    >>> parse_yaml("lanes: {Lurah: {staff: 1}}", "s.yaml")
    {'lanes': {'Lurah': {'staff': 1}}}
    >>> parse_yaml("a: &a [1, 2]\\nb: [*a, *a]", "s.yaml")
    {'a': [1, 2], 'b': [[1, 2], [1, 2]]}
    >>> parse_yaml("[" * 100 + "]" * 100, "s.yaml")
    Traceback (most recent call last):
    bpengine.errors.ScenarioError: s.yaml:1:51: nested more than 50 levels deep (the setting bpengine.scenario.limits.MAX_YAML_DEPTH)
    """
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:  # one line: where, and what
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else str(name)
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if inline:
            raise error(
                _("{where}: {text} is not a YAML value: {what}").format(
                    where=name, text=limits.shorten(text), what=what[:200]
                )
            ) from None
        if isinstance(exc, _Refused):
            raise error(f"{where}: {what}") from None
        raise error(
            _("{where}: not valid YAML: {what}").format(where=where, what=what[:200])
        ) from None
    except RecursionError:  # a limit set higher than the stack allows
        raise error(_("{name}: nested too deeply").format(name=name)) from None
    finally:
        loader.dispose()
