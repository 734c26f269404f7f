"""`integrate`: a paper hand-over between agencies becomes a data exchange.

What OSS-RBA did between Kemenkumham, DJP and the Pemda: the deed, the tax number and the
permits stopped travelling as paper carried by the applicant or a courier and went from one
agency's system to the other's. The transformation keeps every step and every message flow
(the model stays valid, its diagram untouched, no catch without a thrower); it marks the
message flow ``bpe:handover="data"`` so every consumer reads it as data: the simulator moves
it in its data transfer time (seconds, ``handovers: data``), analysis counts it as data and
no longer flags it. The scenario carries across: an entry for the flow's paper transfer is
dropped, so the data time applies.
"""
from __future__ import annotations

from ..model import ProcessModel
from .changes import Change
from .cleanup import refuse
from .editing import Draft
from .eliminate import names_of

__all__ = ["integrate", "integrated_flows"]


def integrated_flows(model: ProcessModel, element_ids) -> tuple[str, ...]:
    """The paper message flows between two pools whose both ends are among ``element_ids``
    (or whose one resolved end is, for a black-box pool)."""
    ids = set(element_ids)
    out = []
    for h in model.handovers:
        ends = {e for e in (h.sender, h.receiver) if e is not None}
        if h.is_paper and h.between_pools and ends and ends <= ids:
            out.append(h.flow)
    return tuple(out)


def integrate(model: ProcessModel, element_ids, *, log: list | None = None,
              finding: str | None = None) -> ProcessModel:
    """Turn the paper hand-overs between ``element_ids`` into data exchanges.

    Raises
    ------
    ModelError
        When no paper hand-over between two pools joins those elements.

    Examples
    --------
    >>> import pathlib
    >>> from bpengine import load
    >>> m = load(pathlib.Path(__file__).parents[2] / "tests/data/collab/tiga-instansi.bpmn")
    >>> new = integrate(m, ["Throw_serahkan", "Start_terima"])
    >>> new.handover("Msg_berkas").kind, new.handover("Msg_berkas").reason
    ('data', 'attribute')
    """
    flows = integrated_flows(model, element_ids)
    if not flows:
        first = next(iter(element_ids), None)
        raise refuse(model, first, "no paper hand-over between two pools joins these steps")
    d = Draft(model)
    for fid in flows:
        d.set_extension(fid, "handover", "data")
    result = d.finish()
    for fid in flows:
        h = model.handover(fid)
        what = f"{h.name!r}" if h.name else f"message flow {fid}"
        _log = log.append if log is not None else None
        if _log:
            _log(Change("integrate", (fid,),
                        f"{what} passes as data between the systems instead of on paper: it "
                        "arrives in seconds, not after a trip across town.",
                        names=names_of(model, [e for e in (h.sender, h.receiver) if e]),
                        finding=finding))
    return result
