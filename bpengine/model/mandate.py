"""Which steps a redesign must keep, and why we think so.

One place decides, for every consumer (the analyzer's guard, the redesigner, the report):
:func:`classify_mandate`. Analysts' real models carry no ``bpe:`` annotations, so the law's
requirements are inferred as well as read. The order of evidence is

1. the explicit ``bpe:mandatory`` attribute (``"true"`` or ``"false"``: an analyst's word
   beats any guess);
2. a legal act, read from the task name: a step that signs, ratifies, issues, registers,
   sets (menetapkan) or collects a payment creates or records rights and duties, so it
   may be parallelised or automated, never removed. A signature "mengetahui" (for
   acknowledgement) is no legal act: it records that someone saw the file;
3. a check guarding a later automated or irreversible step (a system step, a payment, an
   issue): once the case is past it nobody looks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import N_, _
from .approval import REQUEST_WORDS
from .graph import next_activities

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .elements import Element
    from .process_model import ProcessModel

__all__ = [
    "Mandate",
    "classify_mandate",
    "mandatory_steps",
    "legal_act",
    "legal_acts",
    "LEGAL_ACT_WORDS",
    "AUTOMATED_KINDS",
]

#: (what the act does, verbs, nouns): Indonesian first (as procedures are written), then
#: English. A verb names the act; a noun may name only the thing checked or asked for
#: ("Verifikasi bukti pembayaran"), so it counts only in a step that is no check or request.
LEGAL_ACT_WORDS = (
    (
        "signs",
        (
            "tanda tangani",
            "tandatangani",
            "menandatangani",
            "ttd",
            "sign",
            "signs",
            "signed",
            "countersign",
        ),
        ("tanda tangan", "tandatangan", "signing"),
    ),
    (
        "ratifies",
        (
            "sahkan",
            "mengesahkan",
            "disahkan",
            "legalisir",
            "melegalisir",
            "ratify",
            "ratifies",
            "ratified",
            "legalise",
            "legalize",
        ),
        ("pengesahan", "legalisasi", "ratification"),
    ),
    (
        "issues",
        ("terbitkan", "menerbitkan", "diterbitkan", "issue", "issues", "issued"),
        ("penerbitan",),
    ),
    (
        "registers",
        ("daftarkan", "mendaftarkan", "didaftarkan", "register", "registers", "registered"),
        ("pendaftaran", "registration"),
    ),
    (
        "records a decision",
        ("tetapkan", "menetapkan", "ditetapkan", "putuskan", "memutuskan", "decide", "decides"),
        ("penetapan", "decree"),
    ),
    (
        "collects or makes a payment",
        (
            "bayar",
            "membayar",
            "dibayar",
            "pungut",
            "memungut",
            "setor",
            "setorkan",
            "menyetor",
            "terima pembayaran",
            "menerima pembayaran",
            "pay",
            "pays",
            "levy",
            "levies",
            "collect payment",
            "receive payment",
        ),
        ("pembayaran", "pungutan", "payment"),
    ),
)
#: a step that starts with one of these examines or asks for what its nouns name
_CHECK_OR_REQUEST_RE = re.compile(
    r"^\s*("
    + "|".join(
        re.escape(w)
        for w in (
            "verifikasi",
            "memverifikasi",
            "periksa",
            "memeriksa",
            "pemeriksaan",
            "cek",
            "telaah",
            "validasi",
            "memvalidasi",
            "review",
            "check",
            "verify",
            "validate",
            *REQUEST_WORDS,
        )
    )
    + r")\b",
    re.IGNORECASE,
)
#: a noun right after one of these starts a clause of its own: "Periksa KK, tanda tangan
#: surat" signs (the noun used as a verb), "Verifikasi semua tanda tangan" does not
_CLAUSE_END_RE = re.compile(r"(^|[,;:]|\b(dan|lalu|serta|kemudian|and|then))\s*$", re.IGNORECASE)
#: these make a signature an acknowledgement ("I have seen it"), not a legal act
_ACKNOWLEDGE_RE = re.compile(r"\b(mengetahui|diketahui|acknowledge\w*)\b", re.IGNORECASE)


def _words_re(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b("
        + "|".join(
            re.escape(w).replace(r"\ ", r"\s*") for w in sorted(words, key=len, reverse=True)
        )
        + r")\b",
        re.IGNORECASE,
    )


_ACT_RE = {what: (_words_re(verbs), _words_re(nouns)) for what, verbs, nouns in LEGAL_ACT_WORDS}
#: steps a machine runs: past a check, a case reaches them with nobody looking again
AUTOMATED_KINDS = ("serviceTask", "scriptTask", "businessRuleTask", "sendTask")
#: legal acts that cannot be taken back once done
# the acts as a finding names them (translated where the sentence is built)
_ACT_WORDS = (
    N_("signs"),
    N_("ratifies"),
    N_("issues"),
    N_("registers"),
    N_("records a decision"),
    N_("collects or makes a payment"),
)
_IRREVERSIBLE = ("issues", "registers", "collects or makes a payment")


@dataclass(frozen=True)
class Mandate:
    """Whether a redesign must keep a step, saying why.

    ``required`` is the verdict; ``reason`` is ``attribute``, ``legal act``, ``guard`` or
    ``none``; ``evidence`` quotes what decided it (the attribute, the word, the step guarded);
    ``explanation`` says it in a sentence fit for a finding.
    """

    required: bool
    reason: str
    evidence: str = ""
    explanation: str = ""


def legal_acts(name: str) -> list[tuple[str, str]]:
    """Every ``(what the act does, the word)`` the step name names, in :data:`LEGAL_ACT_WORDS`
    order."""
    name = name or ""
    checks = bool(_CHECK_OR_REQUEST_RE.match(name))
    out = []
    for what, (verbs, nouns) in _ACT_RE.items():
        m = verbs.search(name) or next(
            (
                n
                for n in nouns.finditer(name)
                if not checks or _CLAUSE_END_RE.search(name[: n.start()])
            ),
            None,
        )
        if m and not (what == "signs" and _ACKNOWLEDGE_RE.search(name)):
            out.append((what, m.group(0)))
    return out


def legal_act(name: str) -> tuple[str, str] | None:
    """``(what the act does, the word)`` if the step name names a legal act, else ``None``.

    Examples
    --------
    >>> legal_act("Tanda tangani izin lokasi")
    ('signs', 'Tanda tangani')
    >>> legal_act("Terbitkan NPWP badan"), legal_act("Hitung nilai retribusi")
    (('issues', 'Terbitkan'), None)
    >>> legal_act("Verifikasi bukti pembayaran retribusi") is None   # checks a payment
    True
    >>> legal_act("Periksa KTP dan KK, tanda tangan surat pengantar")
    ('signs', 'tanda tangan')
    >>> legal_act("Periksa pengantar RT, tanda tangani 'mengetahui'") is None
    True
    """
    acts = legal_acts(name)
    return acts[0] if acts else None


def _next_steps(model: ProcessModel, element_id: str) -> list[str]:
    """The activities a case reaches next from ``element_id``, through gateways and events."""
    return sorted(next_activities(model, element_id) - {element_id})


def _guarded(model: ProcessModel, element_id: str) -> str | None:
    """The automated or irreversible step ``element_id`` (a check) is the last look before."""
    for n in _next_steps(model, element_id):
        nxt = model.elements[n]
        if model.approval(n).is_approval and nxt.kind not in AUTOMATED_KINDS:
            continue  # the step after looks at the case itself: this is not the last look
        if nxt.kind in AUTOMATED_KINDS or any(w in _IRREVERSIBLE for w, _ in legal_acts(nxt.name)):
            return n
    return None


def mandatory_steps(model: ProcessModel) -> list[str]:
    """The activities of ``model`` a redesign must keep, in document order.

    Every count of "mandatory steps" (the analyzer's metrics, the before/after table) is
    the length of this list, so it says what the redesigner does: the steps whose
    :meth:`~bpengine.model.ProcessModel.mandate` is required (marked, a legal act, or the
    last check before an act that cannot be undone), not only those marked
    ``bpe:mandatory``.
    """
    return [e.id for e in model.elements.values() if e.is_activity and model.mandate(e.id).required]


def classify_mandate(model: ProcessModel, element: Element) -> Mandate:
    """Whether ``element`` of ``model`` must stay in any redesign, and why.

    Examples
    --------
    >>> from bpengine.model import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...   id="d"><process id="p"><userTask id="t" name="Sahkan badan hukum"/></process>
    ...   </definitions>''')
    >>> classify_mandate(m, m.elements["t"]).evidence
    'Sahkan'
    """
    raw = dict(element.extensions).get("mandatory")
    if raw is not None and raw.strip().lower() in ("true", "false"):
        required = raw.strip().lower() == "true"
        return Mandate(
            required,
            "attribute",
            f"bpe:mandatory={raw.strip().lower()}",
            (
                _("{step} is marked mandatory (required by regulation)")
                if required
                else _('{step} is marked not mandatory (bpe:mandatory="false")')
            ).format(step=repr(element.label)),
        )
    if not element.is_activity:
        return Mandate(False, "none")
    act = legal_act(element.name)
    if act:
        what, word = act
        return Mandate(
            True,
            "legal act",
            word,
            _(
                "{step} {what} (the word {word}): a legal act, which a redesign may parallelise "
                'or automate but never removes unless the model says bpe:mandatory="false"'
            ).format(step=repr(element.label), what=_(what), word=repr(word)),
        )
    if model.approval(element.id).is_approval:
        guarded = _guarded(model, element.id)
        if guarded:
            g = model.elements[guarded]
            why = (
                _("a system step")
                if g.kind in AUTOMATED_KINDS
                else _("an act that cannot be undone")
            )
            return Mandate(
                True,
                "guard",
                guarded,
                _(
                    "{step} is the last check before {next} ({why}): past it nobody looks at the "
                    "case again"
                ).format(step=repr(element.label), next=repr(g.label), why=why),
            )
    return Mandate(False, "none")
