"""Checks that another check already covers: dominated approvals and re-verification.

Both compare what approvals read (see :mod:`.documents`) along the flow:

- **dominated-approval**: a later approval of equal or higher authority that every case
  passes checks the same data again, unchanged since -> the earlier check adds nothing;
- **reverification**: by the time an approval runs, every path from the start has
  already checked the same document and nothing has written it since -> the later check
  repeats work (remove it, or reuse the earlier result).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import networkx as nx

from ..i18n import _, ngettext
from .documents import check_reads, data_use, does_other_work, step_acts
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import seniority, structure_of

__all__ = [
    "check_dominated_approval",
    "check_reverification",
    "available_checks",
    "earlier_checkers",
]

#: How far up the post-dominator tree a later check is looked for (flow nodes).
MAX_DOMINATOR_WALK = 400


def _writes_between(model, st, a: str, b: str) -> set:
    """Data written by any node on a path from ``a`` to ``b`` (both excluded)."""
    written, seen = set(), {a, b}
    todo = deque(st.graph.successors(a))
    while todo:
        n = todo.popleft()
        if n in seen:
            continue
        seen.add(n)
        written |= data_use(model, n).writes
        todo.extend(st.graph.successors(n))
    return written


@rule("dominated-approval")
def check_dominated_approval(model, scenario=None) -> list:
    """Flag an approval whose check a later, no less senior approval repeats on every path.

    Graph pattern: approvals ``a`` and ``b`` reading a common document ``d``, ``b``
    post-dominates ``a`` (every case that passes ``a`` reaches ``b``), no node on a path
    from ``a`` to ``b`` writes ``d``, and the authority of ``b``'s lane (``bpe:rank``, else
    guessed from its name) is at least ``a``'s, or they share a lane. Suggests
    *eliminate* ``a``: ``b`` sees the same document anyway.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, found = model.elements, []
    for a in st.approvals:
        reads_a = check_reads(model, a)
        if not reads_a.reads:
            continue
        node, steps = a, 0
        while node in st.post_dominator and steps < MAX_DOMINATOR_WALK:
            node, steps = st.post_dominator[node], steps + 1
            if node == a:
                break
            if node not in st.approval_set:
                continue
            shared = reads_a.reads & check_reads(model, node).reads
            if not shared:
                continue
            ra, rb = seniority(model, els[a].lane), seniority(model, els[node].lane)
            if els[a].lane != els[node].lane and (ra is None or rb is None or rb < ra):
                break
            shared -= _writes_between(model, st, a, node)
            if shared:
                docs = sorted(shared)
                b = node
                explanation = ngettext(
                    "{step} ({lane}) checks {documents}, and every case then reaches {later} "
                    "({later_lane}), an equal or higher authority that checks the same "
                    "document with nothing changed in between. The earlier check catches "
                    "nothing the later one would miss (data read from {source}).",
                    "{step} ({lane}) checks {documents}, and every case then reaches {later} "
                    "({later_lane}), an equal or higher authority that checks the same "
                    "documents with nothing changed in between. The earlier check catches "
                    "nothing the later one would miss (data read from {source}).",
                    len(docs),
                ).format(
                    step=repr(els[a].label),
                    lane=els[a].lane or _("no lane"),
                    documents=", ".join(docs),
                    later=repr(els[b].label),
                    later_lane=els[b].lane or _("no lane"),
                    source=_(reads_a.source),
                )
                found.append(
                    make_finding(
                        model,
                        check_dominated_approval.id,
                        (a, b),
                        explanation,
                        "eliminate",
                        targets=(a,),
                        saving=est.saving_of_removal([a]),
                        data=docs,
                        data_source=reads_a.source,
                    )
                )
            break
    return found


def _available_bits(model):
    """(documents, node -> bitmask of documents available on arrival), computed once."""
    st = structure_of(model)
    memo = st.memo("available")
    if memo:
        return memo["docs"], memo["into"]
    g = st.graph
    docs = sorted({d for a in st.approvals for d in check_reads(model, a).reads})
    bit = {d: 1 << i for i, d in enumerate(docs)}
    full = (1 << len(docs)) - 1

    def mask(names) -> int:
        return sum(bit[d] for d in names if d in bit)

    order = list(nx.topological_sort(st.forward_graph))
    pos = {n: i for i, n in enumerate(order)}
    preds = [[pos[p] for p in g.predecessors(n)] for n in order]
    gen = [mask(check_reads(model, n).reads) if n in st.approval_set else 0 for n in order]
    keep = [full & ~mask(data_use(model, n).writes) for n in order]
    out, into = [full] * len(order), [0] * len(order)
    changed = True
    while changed:  # one pass in flow order, a second (or third) to settle loop entries
        changed = False
        for i, ps in enumerate(preds):
            value = full if ps else 0
            for p in ps:
                value &= out[p]
            into[i] = value
            new = (value & keep[i]) | gen[i]
            if new != out[i]:
                out[i], changed = new, True
    memo["docs"], memo["into"] = docs, dict(zip(order, into, strict=True))
    return memo["docs"], memo["into"]


def available_checks(model) -> dict[str, frozenset]:
    """Documents checked on every path from the start and not written since, per node.

    A forward must-analysis (like available expressions): the value at a node is what is
    known to be verified when a token arrives there.
    """
    docs, into = _available_bits(model)
    return {n: frozenset(d for i, d in enumerate(docs) if v >> i & 1) for n, v in into.items()}


def earlier_checkers(model, node: str, docs) -> list[str]:
    """Approvals upstream of ``node`` that checked any of ``docs`` with no write since.

    A forward may-analysis over the acyclic part of the flow, one bit per approval,
    computed once per model.
    """
    st = structure_of(model)
    memo = st.memo("checkers")
    if not memo:
        index = {a: i for i, a in enumerate(st.approvals)}
        g = st.forward_graph
        flow: dict[str, Any] = {}
        for n in nx.topological_sort(g):
            into: dict[str, int] = {}
            for p in g.predecessors(n):
                for d, b in flow[p].items():
                    into[d] = into.get(d, 0) | b
            if n in index:
                memo[n] = into
            writes = data_use(model, n).writes
            out = {d: b for d, b in into.items() if d not in writes} if writes else into
            if n in index and check_reads(model, n).reads:
                out = dict(out)
                for d in check_reads(model, n).reads:
                    out[d] = out.get(d, 0) | (1 << index[n])
            flow[n] = out
        memo["__order__"] = st.approvals
    bits = 0
    for d in docs:
        bits |= memo.get(node, {}).get(d, 0)
    order, found = memo["__order__"], []
    while bits:  # walk the set bits only: there may be thousands of approvals
        low = bits & -bits
        found.append(order[low.bit_length() - 1])
        bits ^= low
    return found


@rule("reverification")
def check_reverification(model, scenario=None) -> list:
    """Flag an approval that re-checks documents already verified on every path before it.

    Graph pattern: approval ``c`` reads document ``d``; on every path from the start to
    ``c`` some approval has read ``d`` and no node since has written it (the
    :func:`available_checks` analysis). Suggests *eliminate* ``c`` (or let it reuse the
    earlier result); when ``c`` also checks something new or does other work (pays,
    drafts, sends, signs, disposes), suggests *relocate-check*: keep the step, take the repeated check off
    it and move what is new up front. Only checking steps count (see
    :func:`~bpengine.analysis.documents.check_reads`): a signature is not a verification.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, found = model.elements, []
    known, into = _available_bits(model) if st.approvals else ([], {})
    for c in st.approvals:
        use = check_reads(model, c)
        bits = into.get(c, 0)
        again = {d for i, d in enumerate(known) if bits >> i & 1} & use.reads
        if not again:
            continue
        earlier = earlier_checkers(model, c, again)
        docs = sorted(again)
        no_lane = _("no lane")
        who = ", ".join(f"{els[a].label!r} ({els[a].lane or no_lane})" for a in earlier[-3:])
        if len(earlier) > 3:
            n = len(earlier) - 3
            who = ngettext("{n} earlier check and ", "{n} earlier checks and ", n).format(n=n) + who
        explanation = ngettext(
            "By the time a case reaches {step} ({lane}), {documents} has already been "
            "checked on every path by {who}, and nothing has changed it since. Checking again "
            "repeats work the applicant already waited for; rely on the earlier check (data "
            "read from {source}).",
            "By the time a case reaches {step} ({lane}), {documents} have already been "
            "checked on every path by {who}, and nothing has changed them since. Checking "
            "again repeats work the applicant already waited for; rely on the earlier check "
            "(data read from {source}).",
            len(docs),
        ).format(
            step=repr(els[c].label),
            lane=els[c].lane or _("no lane"),
            documents=", ".join(docs),
            who=who,
            source=_(use.source),
        )
        pure = step_acts(model, c) <= {"check"} and not does_other_work(model, c)
        if again == use.reads and pure:
            suggestion, targets, saving = "eliminate", (c,), est.saving_of_removal([c])
        else:  # the step checks something new or does other work: only the repeat goes
            rest = ", ".join(sorted(use.reads - again)) or _("its other work")
            explanation += " " + _(
                "Keep the step for what is new to it ({rest}), and move "
                "that check up front to where the documents are first "
                "examined."
            ).format(rest=rest)
            suggestion, targets = "relocate-check", (c,)
            saving = est.saving(
                0.0, est.task_minutes(c) / 60.0 * len(again) / max(len(use.reads), 1)
            )
        found.append(
            make_finding(
                model,
                check_reverification.id,
                (*earlier, c),
                explanation,
                suggestion,
                targets=targets,
                saving=saving,
                data=docs,
                data_source=use.source,
            )
        )
    return found
