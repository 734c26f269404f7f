"""`one_stop`: two agencies' counters the applicant visits in turn become one counter.

The applicant hands the file in once, at the first agency's counter; the counter passes that
agency's answer on to the second agency (the answer's message flow now goes to where the
applicant's hand-over to the second agency went), so the applicant's catch of the answer and
second hand-over leave the applicant's path (bridged by a sequence flow). No message flow
dangles: the second hand-over goes with its sender, the answer stays attached at both ends.
The scenario carries across: the removed steps' entries and the second hand-over's transfer
entry go (the answer's own transfer time applies).
"""

from __future__ import annotations

from ..i18n import _
from ..model import ProcessModel
from .changes import Applied, Change
from .cleanup import refuse
from .editing import Draft
from .eliminate import names_of

__all__ = ["one_stop"]


def one_stop(model: ProcessModel, element_ids, *, finding: str | None = None) -> Applied:
    """Merge consecutive counters among ``element_ids`` into one counter.

    ``element_ids`` holds the applicant's hand-over to A, its catch of A's answer and its
    hand-over to B (as :func:`bpengine.analysis.one_stop.counter_visits` finds them).

    Raises
    ------
    ModelError
        When those steps are no such visit.
    """
    from ..analysis.one_stop import counter_visits

    ids = set(element_ids)
    visits = [v for v in counter_visits(model) if {v[1].receiver, v[2].sender} <= ids]
    if not visits:
        first = next(iter(element_ids), None)
        raise refuse(model, first, _("no two counters the applicant visits in turn here"))
    to_a, answer, to_b = visits[0]
    d = Draft(model)
    before = d.overlaps()
    d.index[answer.flow].set("targetRef", to_b.receiver)
    d.rerouted.add(answer.flow)
    for gone in (answer.receiver, to_b.sender):
        ins, outs = d.incoming(gone), d.outgoing(gone)
        if len(ins) != 1 or len(outs) != 1:
            raise refuse(model, gone, _("is not on one path: the counter cannot take it over"))
        d.retarget(ins[0], outs[0].get("targetRef"))
        d.remove_flow(outs[0])
        d.remove_node(gone)
    result = d.finish(before)
    a = model.pools[to_a.receiver_pool].name
    b = model.pools[to_b.receiver_pool].name
    return Applied(
        result,
        (
            Change(
                "one-stop",
                (answer.receiver, to_b.sender),
                f"one counter: the applicant hands the file in at {a}, which "
                f"passes its answer on to {b}; no second trip and queue." + d.tidy_note(),
                removed=tuple(d.removed),
                names=names_of(model, list(d.removed)),
                finding=finding,
                removed_lanes=tuple(d.dropped_lanes),
            ),
        ),
    )
