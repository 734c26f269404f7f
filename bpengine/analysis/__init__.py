"""Analysis: metrics, soundness and the approval steps that add nothing.

>>> from bpengine import load, analyze                      # doctest: +SKIP
>>> findings = analyze(load("processes/cuti-asn.bpmn"))     # doctest: +SKIP

Rules are plain functions ``check_x(model, scenario) -> list[Finding]``, each declared with
its id by :func:`rule` and listed in :data:`RULES`; the redesigns a finding may suggest are
declared in :mod:`.suggestions`; :func:`analyze` runs them, applies the guard (mandatory steps, legal acts
read from the step names and maker/checker steps are only ever parallelised or automated)
and reconciles the findings into one consistent view (:mod:`.consistency`). :func:`metrics` and :func:`soundness`
describe the model itself.
"""

from .cycle_time import CycleTime, cycle_time
from .documents import data_use
from .finding import SUGGESTIONS, Finding, Rule, Saving, finding_id, make_finding, rule
from .metrics import Metrics, metrics
from .output import findings_json, findings_sarif, findings_table
from .rules import RULE_IDS, RULES, analyze
from .soundness import DEFAULT_MAX_STATES, SoundnessReport, Violation, soundness
from .suggestions import Suggestion

__all__ = [
    "CycleTime",
    "DEFAULT_MAX_STATES",
    "Finding",
    "Metrics",
    "RULES",
    "RULE_IDS",
    "Rule",
    "SUGGESTIONS",
    "Saving",
    "SoundnessReport",
    "Suggestion",
    "Violation",
    "analyze",
    "cycle_time",
    "data_use",
    "finding_id",
    "findings_json",
    "findings_sarif",
    "findings_table",
    "make_finding",
    "metrics",
    "rule",
    "soundness",
]
