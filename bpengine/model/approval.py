"""Which steps are approvals, and why we think so.

One place decides, for every consumer: the analyzer's rules, the simulator's batching and
the report all ask :func:`classify`. The order of evidence is

1. the explicit ``bpe:approval`` attribute (an analyst's word beats any guess);
2. structure: a user or manual task followed by a decision gateway with an approve/reject
   outcome;
3. vocabulary: Indonesian and English verbs of checking and signing in the task name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .elements import Element
    from .process_model import ProcessModel

__all__ = ["Approval", "classify", "APPROVAL_WORDS", "REJECT_WORDS", "REQUEST_WORDS"]

# Word stems: Indonesian first (as procedures are written), then English.
APPROVAL_WORDS = (
    "verifikasi",
    "memverifikasi",
    "periksa",
    "pemeriksaan",
    "memeriksa",
    "paraf",
    "memaraf",
    "tanda tangan",
    "tandatangan",
    "menandatangani",
    "ttd",
    "setujui",
    "persetujuan",
    "menyetujui",
    "sahkan",
    "pengesahan",
    "mengesahkan",
    "validasi",
    "memvalidasi",
    "disposisi",
    "mendisposisi",
    "rekomendasi",
    "legalisir",
    "legalisasi",
    "pertimbangan",
    "mengetahui",
    "cek",
    "telaah",
    "review",
    "approve",
    "approval",
    "verify",
    "verification",
    "check",
    "sign",
    "authorize",
    "authorise",
    "endorse",
    "validate",
    "countersign",
)
REJECT_WORDS = (
    "tolak",
    "ditolak",
    "tidak",
    "kurang",
    "revisi",
    "perbaiki",
    "perbaikan",
    "kembalikan",
    "dikembalikan",
    "salah",
    "belum",
    "reject",
    "rejected",
    "deny",
    "denied",
    "no",
    "not",
    "incomplete",
    "revise",
    "return",
    "false",
    "!",
)
# A name that starts by asking for, attaching or handing in something names a request,
# even when the thing asked for is an approval ("Minta persetujuan atasan").
REQUEST_WORDS = (
    "minta",
    "meminta",
    "mohon",
    "memohon",
    "ajukan",
    "mengajukan",
    "lampirkan",
    "melampirkan",
    "serahkan",
    "menyerahkan",
    "kirim",
    "mengirim",
    "terima",
    "menerima",
    "request",
    "submit",
    "ask",
    "attach",
    "send",
    "receive",
    "hand in",
)
_REQUEST_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(w) for w in REQUEST_WORDS) + r")\b", re.IGNORECASE
)
_APPROVAL_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(APPROVAL_WORDS, key=len, reverse=True)) + r")",
    re.IGNORECASE,
)
_REJECT_RE = re.compile(
    r"(\b(" + "|".join(re.escape(w) for w in REJECT_WORDS if w != "!") + r")\b|!|==\s*false)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Approval:
    """The classification of one element.

    ``is_approval`` is the verdict; ``reason`` is ``attribute``, ``decision`` or
    ``vocabulary`` (or ``none``); ``evidence`` quotes what decided it.
    """

    is_approval: bool
    reason: str
    evidence: str = ""


def _decision_after(model: ProcessModel, element: Element) -> str | None:
    """The id of an XOR/OR gateway right after ``element`` that has a reject-like branch."""
    for fid in element.outgoing:
        nxt = model.elements[model.flows[fid].target]
        if nxt.kind not in ("exclusiveGateway", "inclusiveGateway") or len(nxt.outgoing) < 2:
            continue
        for out in nxt.outgoing:
            flow = model.flows[out]
            text = " ".join(filter(None, (flow.name, flow.condition)))
            if _REJECT_RE.search(text):
                return nxt.id
    return None


def classify(model: ProcessModel, element: Element) -> Approval:
    """Classify one flow node of ``model`` as approval or not, saying why.

    Examples
    --------
    >>> from bpengine.model import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...   id="d"><process id="p"><userTask id="t" name="Paraf Kasi"/></process></definitions>''')
    >>> classify(m, m.elements["t"])
    Approval(is_approval=True, reason='vocabulary', evidence='paraf')
    """
    if element.approval is not None:
        return Approval(
            element.approval, "attribute", f"bpe:approval={str(element.approval).lower()}"
        )
    if element.kind not in ("userTask", "manualTask", "task"):
        return Approval(False, "none")
    gateway = _decision_after(model, element)
    if gateway and element.kind in ("userTask", "manualTask"):
        return Approval(True, "decision", f"followed by decision {gateway}")
    request = _REQUEST_RE.match(element.name or "")
    if request:
        return Approval(False, "vocabulary", f"request: {request.group(1).lower()}")
    match = _APPROVAL_RE.search(element.name or "")
    if match:
        return Approval(True, "vocabulary", match.group(1).lower())
    return Approval(False, "none")
