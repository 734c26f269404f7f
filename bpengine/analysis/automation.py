"""Automate: rule-based work a system can do.

Reforms such as OSS-RBA won much of their time by letting a system do what follows a rule:
calculate a fee, look up or retype data another system already holds, check a file against
a list, give a number, print a standard letter. Such a step becomes a service task on a
system lane; where its result sets money or rights (a fee, a permit), a person still
checks the result, so the step after it must be a check, or one is added.
"""

from __future__ import annotations

import re

from ..i18n import N_, _
from ..model.mandate import AUTOMATED_KINDS, legal_acts
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import structure_of

__all__ = ["check_automate", "RULE_BASED_WORDS", "MONEY_WORDS", "rule_based", "sets_money"]

#: (what the step does, word stems), Indonesian first
_WHAT = (
    N_("calculates"),
    N_("retypes or enters data"),
    N_("looks up data"),
    N_("checks completeness against a list"),
    N_("numbers or records"),
    N_("prints a standard letter"),
)
RULE_BASED_WORDS = (
    ("calculates", ("hitung", "menghitung", "perhitungan", "kalkulasi", "calculate", "compute")),
    (
        "retypes or enters data",
        (
            "ketik ulang",
            "input data",
            "entri data",
            "rekam data",
            "input",
            "entri",
            "retype",
            "enter data",
            "data entry",
        ),
    ),
    (
        "looks up data",
        (
            "saldo",
            "riwayat",
            "cari data",
            "cocokkan",
            "mencocokkan",
            "bandingkan",
            "look up",
            "lookup",
            "compare",
            "match",
        ),
    ),
    ("checks completeness against a list", ("kelengkapan", "completeness")),
    (
        "numbers or records",
        (
            "beri nomor",
            "penomoran",
            "agendakan",
            "catat di buku agenda",
            "catat",
            "mencatat",
            "number",
            "record",
        ),
    ),
    ("prints a standard letter", ("cetak", "mencetak", "print")),
)
#: words of a result that sets money or rights: a person checks what the system computed
MONEY_WORDS = (
    "retribusi",
    "biaya",
    "tarif",
    "pajak",
    "uang",
    "bayar",
    "pembayaran",
    "denda",
    "fee",
    "tax",
    "charge",
    "payment",
    "fine",
)
_RULE_RE = [
    (
        what,
        re.compile(
            r"\b(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b",
            re.IGNORECASE,
        ),
    )
    for what, words in RULE_BASED_WORDS
]
_MONEY_RE = re.compile(r"\b(" + "|".join(MONEY_WORDS) + r")\w*", re.IGNORECASE)
#: judgement, not a rule: a step naming one of these is left to people
_JUDGEMENT_RE = re.compile(
    r"\b(kaji|kajian|tinjau|tinjauan|rapat|sidang|menilai|penilaian|"
    r"pertimbangan|disposisi|konsep|review|assess|judge)\w*",
    re.IGNORECASE,
)
#: paper and hands: a step naming one of these moves or marks paper, which no system does
_PHYSICAL_RE = re.compile(
    r"\b(cap|stempel|gandakan|fotokopi|serahkan|kirim|antar|bawa|"
    r"stamp|deliver|hand)\b",
    re.IGNORECASE,
)
#: the checks a rule can do; other checks are judgement
_RULE_CHECKS = ("checks completeness against a list", "looks up data")


def rule_based(name: str) -> tuple[str, str] | None:
    """``(what the step does, the word)`` if its name names rule-based work, else ``None``.

    Examples
    --------
    >>> rule_based("Hitung nilai retribusi PBG")
    ('calculates', 'Hitung')
    >>> rule_based("Sidang konsultasi: kaji gambar") is None
    True
    """
    if not name or _JUDGEMENT_RE.search(name) or _PHYSICAL_RE.search(name):
        return None
    for what, pattern in _RULE_RE:
        m = pattern.search(name)
        if m:
            return what, m.group(0)
    return None


def sets_money(model, element_id: str) -> bool:
    """Whether the step's result sets money or rights (a fee, a permit, a registration)."""
    el = model.elements[element_id]
    names = " ".join([el.name or "", *el.writes])
    return bool(
        _MONEY_RE.search(names)
        or any(w in ("issues", "registers", "records a decision") for w, _ in legal_acts(el.name))
    )


@rule("automate")
def check_automate(model, scenario=None) -> list:
    """Flag rule-based steps a system could do (calculate, retype, look up, number, print).

    Graph pattern: a user, manual or plain task, no signature, whose name names rule-based
    work (:data:`RULE_BASED_WORDS`) and no judgement (review, hearing, draft). Suggests
    *automate*: a service task on a system lane; where the result sets money or rights, the
    step after it must check it (it already does when it is an approval) or a check is
    added. Saving: the step's working time, and its handoff wait when the system lane
    takes the case over from a person.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    found = []
    for el in model.elements.values():
        if el.kind not in ("userTask", "manualTask", "task") or el.kind in AUTOMATED_KINDS:
            continue
        hit = rule_based(el.name)
        if hit is None or any(w == "signs" for w, _ in legal_acts(el.name)):
            continue
        what, word = hit
        if model.approval(el.id).is_approval and what not in _RULE_CHECKS:
            continue  # a check that weighs the case: judgement, not a rule
        after, _ends = st.next_activities(el.id)
        checked = any(model.approval(a).is_approval for a in after)
        money = sets_money(model, el.id)
        keep = ""
        if money:
            keep = " " + (
                _(
                    "Its result sets money or rights, so a person still checks it: the "
                    "step after it does."
                )
                if checked
                else _(
                    "Its result sets money or rights, so a person still checks it: a "
                    "check of the result is added."
                )
            )
        minutes = est.task_minutes(el.id)
        # the check kept costs a fifth of the work (reading a result, not producing it)
        saved_minutes = minutes * (0.8 if money and not checked else 1.0)
        days = est.days(saved_minutes) + est.batch_wait_days(el.id)
        explanation = (
            _(
                "{step} ({lane}) {what} (the word {word}): work a rule decides, which a system does "
                "in seconds, every time the same way, at any hour. Make it a service task on a "
                "system lane."
            ).format(
                step=repr(el.label), lane=el.lane or _("no lane"), what=_(what), word=repr(word)
            )
            + keep
        )
        found.append(
            make_finding(
                model,
                check_automate.id,
                (el.id,),
                explanation,
                "automate",
                severity="note",
                targets=(el.id,),
                saving=est.saving(days, saved_minutes / 60.0),
            )
        )
    return found
