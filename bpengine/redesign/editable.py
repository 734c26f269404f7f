"""`Editable`: what the clean-up and tidy steps need from the draft they work on.

:class:`~bpengine.redesign.editing.Draft` holds the tree and the basic edits; the clean-up
after a change (:mod:`.cleanup`) and the removal of debris (:mod:`.tidy`) are kept in their
own modules as groups of methods. Each group subclasses this protocol, so every name it uses
from the draft is declared once here and the type checker refuses a draft without one.
The protocol comes last in the draft's method order: the real methods always win.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lxml import etree

    from ..model import ProcessModel

__all__ = ["Editable"]


class Editable(Protocol):
    """The tree, the index and the node and flow edits of a draft (implemented by ``Draft``)."""

    model: ProcessModel
    root: etree._Element
    index: dict[str, Any]
    removed: list[str]
    flow_merges: list[tuple[str, str]]

    def incoming(self, ident: str) -> list[Any]: ...

    def outgoing(self, ident: str) -> list[Any]: ...

    def boundary_events(self, ident: str) -> list[Any]: ...

    def retarget(self, flow: Any, target: str) -> None: ...

    def set_condition(self, flow: Any, condition: str | None) -> None: ...

    @staticmethod
    def condition(flow: Any) -> str | None: ...

    def remove_flow(self, flow: Any) -> None: ...

    def remove_node(self, ident: str) -> None: ...

    def _drop_di(self, ident: str | None) -> None: ...

    def collapse_gateways(self) -> None: ...  # cleanup.py, used by tidy.py
