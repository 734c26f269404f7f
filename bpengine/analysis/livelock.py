"""Livelocks: loops made only of gateways, found on the flow graph.

A loop of gateways (and throw or link events) has no task or catch event inside: nothing in
it can change the case data its way out reads, so when that condition is false on arrival
the case loops for ever with no task to show. The token game of :mod:`.soundness` sees a
way out (the condition may hold) and cannot tell; the graph can. The engine stops such a
case at run time (:data:`bpengine.engine.runtime.MAX_GATEWAY_PASSES`); this finds the loop
before any case runs. The graph walk itself lives with the model
(:func:`bpengine.model.graph.gateway_loops`), so ``validate`` warns about the same loops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import _
from ..model.graph import gateway_loops

if TYPE_CHECKING:
    from ..model import ProcessModel

__all__ = ["gateway_loops", "livelocks"]


def livelocks(model: ProcessModel) -> list[tuple[list[str], str]]:
    """Each gateway loop of :func:`gateway_loops` with a sentence naming its gateways."""
    out = []
    for loop in gateway_loops(model):
        names = ", ".join(repr(model.elements[n].label) for n in loop)
        out.append(
            (
                loop,
                _(
                    "a loop made only of gateways ({steps}) has no task or catch event "
                    "inside: when its way out is false the case loops there for ever "
                    "with nothing to do"
                ).format(steps=names),
            )
        )
    return out
