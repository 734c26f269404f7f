"""`move_staff`: a what-if on the scenario: one person moves from one lane to another.

The model does not change; the change log says who moves, and
:func:`~bpengine.redesign.transform_scenario` adds the person to one lane's staff and takes
them from the other's, so the simulation of the candidate shows the effect.
"""

from __future__ import annotations

from ..i18n import _
from ..model import ProcessModel
from .changes import Applied, Change
from .editing import refuse

__all__ = ["move_staff"]


def move_staff(
    model: ProcessModel,
    from_lane: str,
    to_lane: str,
    people: int = 1,
    *,
    finding: str | None = None,
) -> Applied:
    """Record that ``people`` move from lane ``from_lane`` to lane ``to_lane`` (names).

    Returns ``model`` itself with the change: staff live in the scenario, which the change
    rewrites.

    Raises
    ------
    ModelError
        A lane name the model does not have, the same lane twice, or fewer than one person.

    Examples
    --------
    >>> from bpengine import load
    >>> from bpengine.redesign import transform_scenario
    >>> m = load("processes/perjalanan-dinas.bpmn")
    >>> _, (change,) = move_staff(m, "Kepala Bidang Pengusul", "Pejabat Pembuat Komitmen (PPK)")
    >>> out = transform_scenario({"lanes": {"Kepala Bidang Pengusul": {"staff": 4}}}, change)
    >>> out["lanes"]["Kepala Bidang Pengusul"], out["lanes"]["Pejabat Pembuat Komitmen (PPK)"]
    ({'staff': 3}, {'staff': 2})
    """
    names = {lane.name for lane in model.lanes.values()}
    for lane in (from_lane, to_lane):
        if lane not in names:
            raise refuse(
                model,
                None,
                _("no lane named {lane} (lanes: {lanes})").format(
                    lane=repr(lane), lanes=", ".join(sorted(names))
                ),
            )
    if from_lane == to_lane or people < 1:
        raise refuse(
            model, None, _("a staff move needs two different lanes and one person or more")
        )
    return Applied(
        model,
        (
            Change(
                "move-staff",
                (),
                (
                    f"{people} {'person moves' if people == 1 else 'people move'} from {from_lane!r} to "
                    f"{to_lane!r} (a what-if on the scenario's staff; the procedure is unchanged)."
                ),
                finding=finding,
                staff=((to_lane, people), (from_lane, -people)),
            ),
        ),
    )
