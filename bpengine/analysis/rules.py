"""The rule list and :func:`analyze`, which runs it.

Rules are plain functions ``check_x(model, scenario) -> list[Finding]``, each declared with
its id by :func:`~bpengine.analysis.finding.rule`, listed explicitly in :data:`RULES` (never
discovered by file name); each module's docstring and each
function's docstring states the graph pattern it detects.
"""

from __future__ import annotations

import gc
import os

from ..errors import BpengineError
from ..i18n import _
from ..model import ProcessModel
from ..model import load as load_model
from .approval_chains import check_same_role_approvals, check_signoff_chain
from .automation import check_automate
from .bottleneck import check_bottleneck
from .consistency import Findings, reconcile
from .fast_lane import check_fast_lane
from .guard import apply_guard
from .handoffs import check_ping_pong
from .interagency import check_once_only, check_paper_handover
from .one_stop import check_one_stop
from .redundant_checks import check_dominated_approval, check_reverification
from .resubmission import check_resubmission
from .rework import check_knockout_order, check_rework_loop
from .rubber_stamp import check_rubber_stamp

__all__ = ["RULES", "RULE_IDS", "analyze", "resolve_inputs"]

#: The rules, in the order findings are reported (each declares its id: :func:`~.finding.rule`).
RULES = [
    check_same_role_approvals,
    check_signoff_chain,
    check_rubber_stamp,
    check_dominated_approval,
    check_reverification,
    check_resubmission,
    check_ping_pong,
    check_rework_loop,
    check_knockout_order,
    check_paper_handover,
    check_once_only,
    check_one_stop,
    check_automate,
    check_bottleneck,
    check_fast_lane,
]
RULE_IDS = tuple(r.id for r in RULES)


def resolve_inputs(model, scenario=None):
    """Accept a model or a path, and a scenario object, a path, a mapping or ``None``.

    ``None`` is the sidecar ``x.scenario.yaml`` beside the model's file, as for
    :func:`bpengine.simulate`, or else no scenario; an empty mapping ``{}`` is no scenario
    even when a sidecar exists. Without a scenario the analyzer's stated defaults apply.

    Raises
    ------
    BpengineError
        When ``model`` is neither a :class:`ProcessModel` nor a readable BPMN source.
    """
    if isinstance(model, (str, os.PathLike, bytes)):
        model = load_model(model)
    if not isinstance(model, ProcessModel):
        raise BpengineError(
            _("analyze() needs a ProcessModel or a BPMN path, not {got}").format(
                got=type(model).__name__
            )
        )
    if scenario is None:  # as every entry point: the model's sidecar scenario, if it has one
        from ..scenario.loading import sidecar_path

        scenario = sidecar_path(model.file) if model.file != "<bytes>" else None
    if isinstance(scenario, dict) and not scenario:
        return model, None  # no numbers given: the analyzer's stated defaults
    if isinstance(scenario, (str, os.PathLike, dict)):
        from ..scenario import load_scenario  # the scenario layer is optional here

        scenario = load_scenario(scenario, model=model)
    return model, scenario


def analyze(model, *, scenario=None, rules=None, cycle_days: float | None = None) -> Findings:
    """Run every rule on ``model`` and return the findings, guarded.

    Parameters
    ----------
    model : ProcessModel or path
    scenario : Scenario, path, dict or None
        Durations and branch probabilities for the savings. ``None``: the sidecar
        ``x.scenario.yaml`` beside the model's file, as for :func:`bpengine.simulate`;
        without one (or with ``{}``) the documented defaults of
        :mod:`bpengine.analysis.estimates` are used.
    rules : iterable of str, optional
        Rule ids to run (default: all of :data:`RULE_IDS`).
    cycle_days : float, optional
        The mean cycle time (working days) as simulated or measured: savings are then
        capped by the share of it their steps take, not only by the analytic estimate.

    Returns
    -------
    Findings
        A list of Finding, in :data:`RULES` order, then in document order of the first
        element; no two contradict, each saving is capped by what its steps add to the
        expected lead time, and ``.total`` is their combined saving (overlap counted once).

    Raises
    ------
    BpengineError
        For an unknown rule id or an unreadable model/scenario.

    Examples
    --------
    >>> from bpengine import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...  <process id="p"><startEvent id="s"/><userTask id="a" name="Paraf Kasi"/>
    ...  <userTask id="b" name="Tanda tangan Lurah"/><userTask id="c" name="Arsipkan"/>
    ...  <endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    ...  <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    ...  <sequenceFlow id="f3" sourceRef="b" targetRef="c"/>
    ...  <sequenceFlow id="f4" sourceRef="c" targetRef="e"/></process></definitions>''')
    >>> sorted({f.rule for f in analyze(m)})
    ['rubber-stamp']
    """
    model, scenario = resolve_inputs(model, scenario)
    wanted = RULE_IDS if rules is None else tuple(rules)
    unknown = [r for r in wanted if r not in RULE_IDS]
    if unknown:
        raise BpengineError(
            _("unknown rule {unknown!r}; rules are: {rules}").format(
                unknown=unknown[0], rules=", ".join(RULE_IDS)
            )
        )
    position = {e: i for i, e in enumerate(model.elements)}
    findings = []
    # The rules build many small acyclic containers; pausing the cyclic collector keeps
    # it from rescanning them (a third of the time on a 10,000-element model).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for check in RULES:
            if check.id in wanted:
                found = check(model, scenario)
                found.sort(key=lambda f: [position.get(e, 0) for e in f.elements])
                findings.extend(found)
        # one consistent view: no contradictions, savings capped, the total counts overlap once
        return reconcile(model, apply_guard(model, findings), scenario, cycle_days)
    finally:
        if collecting:
            gc.enable()
