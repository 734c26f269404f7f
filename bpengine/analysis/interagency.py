"""Between agencies: paper hand-overs, the applicant's trips and documents handed twice.

Rule family *paper-handover* and the inter-agency counts of ``analyze --metrics``. The
reforms that worked (OSS-RBA, one-roof services) won mostly here: a file carried from one
agency to another became data exchanged between their systems, and the applicant submitted
once. Each hand-over is classified paper or data by :mod:`bpengine.model.handover` (which
says why); the applicant's pool is the one whose name or lanes rank as the person served.

Rules
-----
``check_paper_handover``
    Graph pattern: a message flow between two pools that are both agencies (neither is the
    applicant), classified *paper*; or a paper hand-over from an agency to the applicant of
    a document the applicant then hands to another agency (the applicant as courier).
    Suggests *integrate*: exchange the data between the agencies' systems instead. Saving: the paper transfer time less the data transfer time
    (scenario ``handovers:``, else the stated defaults).
``check_once_only``
    Graph pattern: the same document (message name, else the sender's, read through the
    document vocabulary of :mod:`.documents`) handed by the applicant to two or more
    agencies. Suggests *integrate*: submitted once, the other agencies read it from the
    first (the once-only principle). Saving: the transfer times of the repeated hand-overs.
"""

from __future__ import annotations

from ..i18n import N_, _
from .cycle_time import lead_time
from .documents import _nouns
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import seniority

__all__ = [
    "applicant_pools",
    "handover_documents",
    "interagency_metrics",
    "transfer_days",
    "check_paper_handover",
    "check_once_only",
]


def applicant_pools(model) -> set[str]:
    """Pool ids of the person served: ranked 0 by name, or every lane of it ranked 0."""
    out = set()
    for pool in model.pools.values():
        lanes = [lane.name for lane in model.lanes.values() if lane.process == pool.process]
        if seniority(model, pool.name or pool.id) == 0 or (
            lanes and all(seniority(model, name) == 0 for name in lanes)
        ):
            out.add(pool.id)
    return out


def handover_documents(model, handover) -> frozenset:
    """The documents a hand-over carries: named by the message, else by its sender."""
    docs = _nouns(handover.name or "")
    if not docs and handover.sender is not None:
        docs = _nouns(model.elements[handover.sender].name or "")
    return docs


def transfer_days(model, scenario, handover) -> float:
    """Expected working days one hand-over takes (scenario ``handovers:`` or defaults)."""
    return Estimates(model, scenario).transfer_days(handover)


def _agencies(model):
    applicant = applicant_pools(model)
    return [
        h
        for h in model.handovers
        if h.between_pools
        and h.sender_pool not in applicant
        and h.receiver_pool not in applicant
        and (h.sender or h.receiver)
    ], applicant


def interagency_metrics(model, scenario=None, lead_days: float = 0.0) -> dict:
    """Counts between pools: hand-overs (paper/data), the applicant's trips, once-only.

    ``handovers`` counts the hand-overs one case passes through
    (:attr:`~bpengine.model.ProcessModel.case_handovers`), the number ``simulate`` and
    ``compare`` report too; ``transfer_share`` is their expected transfer time, each counted
    once (an upper bound where hand-overs sit on alternative branches), over ``lead_days``
    (the expected lead time, transfers included, :func:`~.cycle_time.lead_time`; at most 1;
    0 without it). ``agencies_visited``: the
    agencies the applicant exchanges paper with, or works at (a step in the applicant's
    lane of that agency's pool).
    """
    carried = model.case_handovers
    applicant = applicant_pools(model)
    between, _pairs = _agencies(model)
    visits = {
        h.receiver_pool
        for h in model.handovers
        if h.sender_pool in applicant and h.receiver_pool not in applicant and h.is_paper
    }
    visits |= {
        h.sender_pool
        for h in model.handovers
        if h.receiver_pool in applicant and h.sender_pool not in applicant and h.is_paper
    }
    if model.is_collaboration:  # the applicant's own steps at an agency's counter
        visits |= {
            pool.id
            for pool in model.pools.values()
            if pool.id not in applicant
            and any(
                e.process == pool.process and e.is_activity and seniority(model, e.lane) == 0
                for e in model.elements.values()
            )
        }
    transfer = sum(transfer_days(model, scenario, h) for h in carried)
    total = max(lead_days, transfer)  # one counted once where the other weighs by branch
    return {
        "handovers": len(carried),
        "paper_handovers": sum(1 for h in carried if h.is_paper),
        "data_handovers": sum(1 for h in carried if not h.is_paper),
        "handovers_between_agencies": len(between),
        "paper_handovers_between_agencies": sum(1 for h in between if h.is_paper),
        "agencies_visited": len(visits - {None}),
        "documents_to_several_agencies": len(_repeated_documents(model, applicant)),
        "transfer_days": round(transfer, 3),
        "transfer_share": round(transfer / total, 3) if total > 0 else 0.0,
    }


def _repeated_documents(model, applicant) -> dict[str, list]:
    """Document -> the applicant's hand-overs carrying it, when they go to 2+ agencies."""
    seen: dict[str, list] = {}
    for h in model.handovers:
        if h.sender_pool in applicant and h.receiver_pool not in applicant:
            for doc in handover_documents(model, h):
                seen.setdefault(doc, []).append(h)
    return {doc: hs for doc, hs in seen.items() if len({h.receiver_pool for h in hs}) > 1}


def _pool(model, pool_id) -> str:
    pool = model.pools.get(pool_id)
    return (pool.name or pool.id) if pool else "?"


def _relays(model, applicant) -> list:
    """Paper hand-overs from an agency to the applicant whose documents the applicant then
    hands to another agency: the applicant is only the courier between the two."""
    given = [
        h
        for h in model.handovers
        if h.sender_pool in applicant and h.receiver_pool not in applicant
    ]
    out = []
    for h in model.handovers:
        if not (h.is_paper and h.receiver_pool in applicant and h.sender_pool not in applicant):
            continue
        docs = handover_documents(model, h)
        onward = [
            g
            for g in given
            if g.receiver_pool != h.sender_pool and docs & handover_documents(model, g)
        ]
        if docs and onward:
            out.append((h, sorted(docs & handover_documents(model, onward[0])), onward[0]))
    return out


@rule("paper-handover")
def check_paper_handover(model, scenario=None) -> list:
    """Flag each paper hand-over between two agencies.

    Graph pattern: a message flow between two pools, neither the applicant's, classified
    *paper* by :mod:`bpengine.model.handover`. Suggests *integrate*; the saving is the paper
    transfer time less the data transfer time.
    """
    between, applicant = _agencies(model)
    est, found = Estimates(model, scenario), []
    full = lead_time(model, scenario)[0] if model.case_handovers else 0.0
    for h in between:
        if not h.is_paper:
            continue
        ends = tuple(e for e in (h.sender, h.receiver) if e is not None)
        saved = _saved(model, scenario, full, [h], ends)
        what = repr(h.name) if h.name else _("The file")
        explanation = _(
            "{what} goes on paper from {sender} to {receiver} (message flow {flow}; paper "
            "because {reason}: {evidence}). Someone carries it across town and it waits in the "
            "next agency's in-tray; exchanged as data between the two agencies' systems it "
            "arrives in seconds, as OSS-RBA did between Kemenkumham, DJP and the Pemda."
        ).format(
            what=what,
            sender=_pool(model, h.sender_pool),
            receiver=_pool(model, h.receiver_pool),
            flow=h.flow,
            reason=_(h.reason),
            evidence=h.evidence,
        )
        found.append(
            make_finding(
                model,
                check_paper_handover.id,
                ends,
                explanation,
                "integrate",
                targets=ends,
                saving=est.saving(max(saved, 0.0), 0.0),
            )
        )
    for h, docs, onward in _relays(model, applicant):
        ends = tuple(e for e in (h.sender, h.receiver) if e is not None)
        saved = _saved(model, scenario, full, [h], ends)
        explanation = _(
            "{sender} hands the {documents} to the applicant on paper (message flow {flow}), "
            "only for the applicant to carry it to {receiver} (message flow {onward}). The "
            "applicant is the courier between two agencies; sent as data from one to the "
            "other, as OSS-RBA passes the NIB and NPWP, the trip and its wait disappear."
        ).format(
            sender=_pool(model, h.sender_pool),
            documents=", ".join(docs),
            flow=h.flow,
            receiver=_pool(model, onward.receiver_pool),
            onward=onward.flow,
        )
        found.append(
            make_finding(
                model,
                check_paper_handover.id,
                ends,
                explanation,
                "integrate",
                targets=ends,
                data=tuple(docs),
                data_source="message names",
                saving=est.saving(max(saved, 0.0), 0.0),
            )
        )
    return found


def _saved(model, scenario, full, hs, ends) -> float:
    """Lead time the case gains when hand-overs ``hs`` (on steps ``ends``) become data:
    what the critical path loses without their transfer, less the data transfer time."""
    paper = sum(transfer_days(model, scenario, h) for h in hs if h.is_paper)
    if paper <= 0:
        return 0.0
    data = sum(transfer_days(model, scenario, _as_data(h)) for h in hs if h.is_paper)
    gone = full - lead_time(model, scenario, without=ends)[0]
    return max(gone, 0.0) * (1.0 - data / paper)


def _as_data(h):
    from dataclasses import replace

    return replace(h, kind="data", flow=f"{h.flow}#data")


# why a hand-over counts as paper (bpengine.model.handover), as a finding says it
_REASONS = (N_("attribute"), N_("vocabulary"), N_("structure"), N_("assumed"))


@rule("once-only")
def check_once_only(model, scenario=None) -> list:
    """Flag a document the applicant hands to several agencies.

    Graph pattern: message flows from the applicant's pool to two or more other pools that
    carry the same document (by message name, else the sender's). Suggests *integrate*; the
    saving is the transfer time of the repeated paper hand-overs.
    """
    applicant = applicant_pools(model)
    est, found = Estimates(model, scenario), []
    groups: dict[tuple, tuple[list, list]] = {}
    for doc, hs in sorted(_repeated_documents(model, applicant).items()):
        ends = tuple(dict.fromkeys(e for h in hs for e in (h.sender, h.receiver) if e))
        if ends:
            docs, flows = groups.setdefault(ends, ([], []))
            docs.append(doc)
            flows.extend(h for h in hs if h not in flows)
    full = lead_time(model, scenario)[0] if groups and model.case_handovers else 0.0
    for ends, (docs, hs) in groups.items():
        agencies = list(dict.fromkeys(_pool(model, h.receiver_pool) for h in hs))
        repeated = sorted(hs, key=lambda h: h.flow)[1:]
        later = tuple(e for h in repeated for e in (h.sender, h.receiver) if e)
        saved = _saved(model, scenario, full, repeated, later)
        explanation = _(
            "The applicant hands the {documents} to {n} agencies ({agencies}), one trip each. "
            "Under the once-only principle it is submitted once and the other agencies read it "
            "from the first one's record."
        ).format(documents=", ".join(docs), n=len(agencies), agencies=", ".join(agencies))
        found.append(
            make_finding(
                model,
                check_once_only.id,
                ends,
                explanation,
                "integrate",
                severity="note",
                targets=ends,
                data=tuple(docs),
                data_source="message names",
                saving=est.saving(saved, 0.0),
            )
        )
    return found
