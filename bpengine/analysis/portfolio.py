"""Across procedures: the papers every procedure asks for again, and the offices they share.

An agency's procedures were digitised one at a time, so each one asks the citizen for its
own copy of the KTP and the KK and checks them at its own desk. Looking at all the models
of an agency together shows what no single model can:

- the **documents each procedure demands**: read by its steps and brought by the
  applicant (written in the applicant's lane) or by nobody inside the procedure (it comes
  from outside), named by their canonical kind (:func:`~.documents.document_kinds`), so
  "Fotokopi KTP" and "KTP pemohon" are one ``KTP``;
- the **offices and steps the procedures share**: a lane name that appears in several
  models, and steps of the same office doing the same act on the same documents;
- **candidates** for the once-only principle (a document demanded by several procedures
  is submitted once and shared) and for one shared service (an office that checks the
  same papers for several procedures does it once, at one desk);
- **totals per office**: procedures, steps, approvals and working time per case.

Everything is derived from :mod:`.documents` (what a step reads, writes and does) and
:class:`~.estimates.Estimates` (how long it takes); nothing is re-parsed.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from ..i18n import N_, _
from .documents import check_reads, data_use, document_kinds, step_acts
from .estimates import Estimates
from .structure import is_customer_lane

__all__ = [
    "VERSION_OVERLAP",
    "DocumentDemand",
    "OfficeTotals",
    "SharedStep",
    "Candidate",
    "Portfolio",
    "portfolio",
    "demanded_documents",
]

# A kind as generic as "the file" says nothing about which paper is asked for twice, and
# each procedure's own application form is not the same paper as another's.
_GENERIC = frozenset({"berkas", "formulir"})
#: Two models sharing at least this share of the activity ids of the smaller one are
#: versions of one procedure (before and after a reform): they count once in what
#: procedures share.
VERSION_OVERLAP = 0.5


@dataclass(frozen=True)
class DocumentDemand:
    """One document kind and the procedures that demand it.

    Attributes
    ----------
    document : str
        Canonical kind (``KTP``, ``KK``, ``akta``...) or the data object's own name.
    procedures : tuple of str
        Names of the procedures that demand it, in input order.
    names : tuple of str
        How the models call it (data object names or task-name nouns).
    submissions : int
        Steps in the applicant's lane that hand it in, over all procedures.
    checks : int
        Approval steps that check it, over all procedures.
    offices : tuple of str
        The offices (lanes) whose steps check it.
    """

    document: str
    procedures: tuple[str, ...]
    names: tuple[str, ...]
    submissions: int
    checks: int
    offices: tuple[str, ...]


@dataclass(frozen=True)
class OfficeTotals:
    """What one office (lane name) does over all procedures, per case of each."""

    office: str
    procedures: tuple[str, ...]
    steps: int
    approvals: int
    checks: int  # approval steps that check a demanded document
    minutes_per_case: float  # each step once, durations from the scenario or defaults
    applicant: bool  # the applicant's lane: time the citizen spends, not an office's


@dataclass(frozen=True)
class SharedStep:
    """Steps of one office doing the same act on the same documents in several procedures."""

    office: str
    acts: tuple[str, ...]
    documents: tuple[str, ...]
    steps: tuple[tuple[str, str, str], ...]  # (procedure, element id, step name)

    @property
    def procedures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for p, _, _ in self.steps))


@dataclass(frozen=True)
class Candidate:
    """A change that only a view across procedures can suggest.

    ``kind`` is ``once-only`` (one submission of ``subject`` serves every procedure
    listed) or ``shared-service`` (one desk of office ``subject`` for them all).
    """

    kind: str
    subject: str
    procedures: tuple[str, ...]
    explanation: str
    steps_saved: int  # applicant hand-ins or office checks that the change makes redundant


@dataclass(frozen=True)
class Portfolio:
    """The view across procedures returned by :func:`portfolio`."""

    procedures: tuple[dict, ...]  # name, file, steps, approvals, lanes, documents demanded
    documents: tuple[DocumentDemand, ...]
    offices: tuple[OfficeTotals, ...]
    shared_steps: tuple[SharedStep, ...]
    candidates: tuple[Candidate, ...]
    versions: tuple[tuple[str, ...], ...] = ()  # models that are versions of one procedure

    def distinct(self, names) -> int:
        """How many different procedures ``names`` are (versions of one count once)."""
        group = {n: i for i, g in enumerate(self.versions) for n in g}
        return len({group.get(n, n) for n in names})

    @property
    def repeated_documents(self) -> tuple[DocumentDemand, ...]:
        """The documents demanded by more than one procedure."""
        return tuple(d for d in self.documents if self.distinct(d.procedures) > 1)

    def to_dict(self) -> dict:
        return {
            "procedures": list(self.procedures),
            "documents": [asdict(d) for d in self.documents],
            "offices": [asdict(o) for o in self.offices],
            "shared_steps": [
                dict(asdict(s), procedures=list(s.procedures)) for s in self.shared_steps
            ],
            "candidates": [asdict(c) for c in self.candidates],
            "versions": [list(v) for v in self.versions],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def _office_key(lane: str) -> str:
    """Lane names compared without case and spacing differences."""
    return re.sub(r"\s+", " ", lane).strip().casefold()


def demanded_documents(model) -> dict[str, dict]:
    """The documents one procedure demands, by canonical kind.

    Returns
    -------
    dict
        kind -> ``{"names", "submissions", "checks", "checkers"}``: how the model calls
        it, the applicant's steps that hand it in, the approval steps that check it (ids)
        and their lanes. A kind counts as demanded when a step reads it and either the
        applicant writes it or no step of the procedure does.
    """
    read: defaultdict[str, set[str]] = defaultdict(set)
    written: defaultdict[str, set[str]] = defaultdict(set)
    names: defaultdict[str, set[str]] = defaultdict(set)
    submitted: defaultdict[str, list[str]] = defaultdict(list)
    checked: defaultdict[str, list[str]] = defaultdict(list)
    for el in model.elements.values():
        if not el.is_activity:
            continue
        use, applicant = data_use(model, el.id), is_customer_lane(model, el.lane)
        for raw in use.reads:
            for kind in document_kinds(raw):
                read[kind].add(el.id)
                names[kind].add(raw)
        for raw in use.writes:
            for kind in document_kinds(raw):
                written[kind].add(el.id)
                names[kind].add(raw)
                if applicant:
                    submitted[kind].append(el.id)
        for raw in check_reads(model, el.id).reads:
            for kind in document_kinds(raw):
                if el.id not in checked[kind]:
                    checked[kind].append(el.id)
    out = {}
    for kind in sorted(set(read) | set(submitted), key=str.casefold):
        if kind in _GENERIC:
            continue
        outside = kind in read and not written[kind]
        if not (submitted[kind] and kind in read) and not outside:
            continue
        out[kind] = {
            "names": sorted(names[kind]),
            "submissions": submitted[kind],
            "checks": checked[kind],
            "checkers": list(
                dict.fromkeys(
                    model.elements[c].lane for c in checked[kind] if model.elements[c].lane
                )
            ),
        }
    return out


def portfolio(models, scenarios=None) -> Portfolio:
    """Look across procedures: documents demanded, offices shared, once-only candidates.

    Parameters
    ----------
    models : sequence of ProcessModel
        The procedures of one agency (or of several that serve the same citizens).
    scenarios : sequence of Scenario or None, optional
        One per model (``None`` for stated defaults); used for working time per step.

    Returns
    -------
    Portfolio

    Examples
    --------
    >>> from bpengine import load
    >>> xml = '''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...   <process id="p" name="{0}"><laneSet><lane id="l" name="Pemohon"><flowNodeRef>{0}1
    ...   </flowNodeRef></lane><lane id="k" name="Petugas"><flowNodeRef>{0}2</flowNodeRef>
    ...   </lane></laneSet><userTask id="{0}1" name="Serahkan fotokopi KTP"/>
    ...   <userTask id="{0}2" name="Verifikasi KTP"/><sequenceFlow id="f" sourceRef="{0}1"
    ...   targetRef="{0}2"/></process></definitions>'''
    >>> view = portfolio([load(xml.format(n).encode()) for n in ("A", "B")])
    >>> [(d.document, d.procedures, d.submissions, d.checks) for d in view.repeated_documents]
    [('KTP', ('A', 'B'), 2, 2)]
    """
    models = list(models)
    scenarios = list(scenarios) if scenarios is not None else [None] * len(models)
    demand: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {"procedures": [], "names": set(), "submissions": 0, "checks": 0, "offices": []}
    )
    office: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "name": None,
            "procedures": [],
            "steps": 0,
            "approvals": 0,
            "checks": 0,
            "minutes": 0.0,
            "applicant": False,
        }
    )
    signature: defaultdict[
        tuple[str, tuple[str, ...], tuple[str, ...]], list[tuple[str, str, str]]
    ] = defaultdict(list)
    procedures = []
    for model, scenario in zip(models, scenarios, strict=True):
        est, name = Estimates(model, scenario), model.name
        docs = demanded_documents(model)
        for kind, d in docs.items():
            row = demand[kind]
            row["procedures"].append(name)
            row["names"] |= set(d["names"])
            row["submissions"] += len(d["submissions"])
            row["checks"] += len(d["checks"])
            row["offices"] += [o for o in d["checkers"] if o not in row["offices"]]
        checks = {c for d in docs.values() for c in d["checks"]}
        for el in model.elements.values():
            if not el.is_activity or not el.lane:
                continue
            o = office[_office_key(el.lane)]
            o["name"] = o["name"] or el.lane
            if name not in o["procedures"]:
                o["procedures"].append(name)
            o["steps"] += 1
            o["approvals"] += model.approval(el.id).is_approval
            o["checks"] += el.id in checks
            o["minutes"] += est.task_minutes(el.id)
            o["applicant"] = o["applicant"] or is_customer_lane(model, el.lane)
            use = data_use(model, el.id)
            kinds = {k for raw in use.reads | use.writes for k in document_kinds(raw)}
            acts = step_acts(model, el.id)
            if kinds - _GENERIC and (acts or use.writes):
                key = (
                    _office_key(el.lane),
                    tuple(sorted(acts)),
                    tuple(sorted(kinds - _GENERIC, key=str.casefold)),
                )
                signature[key].append((name, el.id, el.name or el.id))
        procedures.append(
            {
                "name": name,
                "file": model.file,
                "steps": sum(1 for e in model.elements.values() if e.is_activity),
                "approvals": len(model.approvals),
                "lanes": sorted({e.lane for e in model.elements.values() if e.lane}),
                "documents": sorted(docs, key=str.casefold),
            }
        )
    versions = _versions(models)
    group = {n: i for i, g in enumerate(versions) for n in g}

    def distinct(names):
        return len({group.get(n, n) for n in names})

    documents = tuple(
        sorted(
            (
                DocumentDemand(
                    k,
                    tuple(v["procedures"]),
                    tuple(sorted(v["names"])),
                    v["submissions"],
                    v["checks"],
                    tuple(v["offices"]),
                )
                for k, v in demand.items()
            ),
            key=lambda d: (
                -distinct(d.procedures),
                -d.checks - d.submissions,
                d.document.casefold(),
            ),
        )
    )
    offices = tuple(
        sorted(
            (
                OfficeTotals(
                    v["name"],
                    tuple(v["procedures"]),
                    v["steps"],
                    v["approvals"],
                    v["checks"],
                    round(v["minutes"], 1),
                    v["applicant"],
                )
                for v in office.values()
            ),
            key=lambda o: (-distinct(o.procedures), -o.steps, o.office.casefold()),
        )
    )
    shared = tuple(
        sorted(
            (
                SharedStep(office[k[0]]["name"], k[1], k[2], tuple(s))
                for k, s in signature.items()
                if distinct({p for p, _, _ in s}) > 1
            ),
            key=lambda s: (-distinct(s.procedures), s.office.casefold(), s.documents),
        )
    )
    return Portfolio(
        tuple(procedures),
        documents,
        offices,
        shared,
        _candidates(documents, offices, shared, distinct),
        versions,
    )


def _versions(models) -> tuple[tuple[str, ...], ...]:
    """Groups of models whose activity ids overlap by :data:`VERSION_OVERLAP` or more
    (of the smaller model's)."""
    ids = [{e.id for e in m.elements.values() if e.is_activity} for m in models]
    parent = list(range(len(models)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(models)):
        for j in range(i + 1, len(models)):
            small = min(len(ids[i]), len(ids[j]))
            if small and len(ids[i] & ids[j]) / small >= VERSION_OVERLAP:
                parent[root(j)] = root(i)
    groups = defaultdict(list)
    for i, m in enumerate(models):
        groups[root(i)].append(m.name)
    return tuple(tuple(g) for g in groups.values() if len(g) > 1)


_ACTS = {
    ("check",): N_("checks"),
    ("sign",): N_("signs"),
    ("check", "sign"): N_("checks and signs"),
    ("dispose",): N_("disposes"),
    ("check", "dispose"): N_("checks and disposes"),
}


def _candidates(documents, offices, shared, distinct) -> tuple[Candidate, ...]:
    out = []
    for d in documents:
        if distinct(d.procedures) < 2:
            continue
        redundant = max(d.submissions - 1, 0) + max(d.checks - 1, 0)
        out.append(
            Candidate(
                "once-only",
                d.document,
                d.procedures,
                _(
                    "{n} procedures demand {document} ({submissions} hand-ins by the applicant, "
                    "{checks} checks by {offices} offices). Ask for it once, keep it on record and "
                    "let every procedure read the record (or the issuing registry) instead of a "
                    "new copy."
                ).format(
                    n=distinct(d.procedures),
                    document=d.document,
                    submissions=d.submissions,
                    checks=d.checks,
                    offices=len(d.offices),
                ),
                redundant,
            )
        )
    for o in offices:
        if distinct(o.procedures) < 2 or o.applicant:
            continue
        same = [s for s in shared if s.office == o.office]
        repeated = sum(len(s.steps) - 1 for s in same)
        what = (
            "; ".join(
                _("{acts} {documents} in {n} procedures").format(
                    acts=_(_ACTS.get(s.acts, N_("handles"))),
                    documents=", ".join(s.documents),
                    n=len(s.procedures),
                )
                for s in same
            )
            if same
            else _("different steps in each")
        )
        out.append(
            Candidate(
                "shared-service",
                o.office,
                o.procedures,
                _(
                    "{office} works in {n} procedures ({steps} steps, {approvals} approvals): "
                    "{what}. One desk for all of them serves the applicant once."
                ).format(
                    office=o.office,
                    n=distinct(o.procedures),
                    steps=o.steps,
                    approvals=o.approvals,
                    what=what,
                ),
                repeated,
            )
        )
    return tuple(
        sorted(
            out,
            key=lambda c: (-c.steps_saved, -distinct(c.procedures), c.kind, c.subject.casefold()),
        )
    )
