"""Which documents and data each step reads, writes or checks.

From the model's data associations where a step has them; otherwise from the nouns in its
name (Indonesian procedure vocabulary first: KTP, KK, surat pengantar, SPPD, ...). Every
answer says which of the two sources it came from, so a finding can say how sure it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, update_wrapper

from ..i18n import N_
from .structure import structure_of

__all__ = [
    "DOCUMENT_NOUNS",
    "DataUse",
    "data_use",
    "document_kinds",
    "check_reads",
    "step_acts",
    "does_other_work",
    "is_transport",
    "examines",
    "makes",
    "executes",
    "issues",
]

# Canonical document name -> the ways a task name can mention it (lower case, regex stems).
DOCUMENT_NOUNS = {
    "KTP": (r"ktp", r"kartu tanda penduduk", r"identitas", r"identity", r"id card"),
    "KK": (r"kk\b", r"kartu keluarga"),
    "surat pengantar": (r"surat pengantar", r"pengantar", r"cover letter"),
    "surat usulan": (r"surat usulan", r"usulan"),
    "surat tugas": (r"surat tugas", r"\bst\b"),
    "SPD": (r"sppd", r"spd", r"surat perjalanan"),
    "SPJ": (
        r"spj",
        r"pertanggungjawaban",
        r"daftar pengeluaran",
        r"bukti perjalanan",
        r"kuitansi",
        r"kwitansi",
        r"receipts?",
        r"tiket",
        r"boarding pass",
    ),
    "SPP": (r"spp\b", r"spp-ls"),
    "SPM": (r"spm\b",),
    "formulir": (
        r"formulir",
        r"form\b",
        r"formular",
        r"application form",
        r"permohonan",
        r"application",
    ),
    "berkas": (
        r"berkas",
        r"dokumen",
        r"documents?",
        r"persyaratan",
        r"kelengkapan",
        r"completeness",
        r"lampiran",
    ),
    "surat keterangan": (r"surat keterangan", r"sk domisili", r"domisili"),
    "surat izin cuti": (r"surat izin cuti", r"izin cuti", r"sk cuti"),
    "saldo cuti": (r"saldo cuti", r"sisa cuti", r"hak cuti", r"riwayat cuti", r"leave balance"),
    "disposisi": (r"lembar disposisi", r"disposisi"),
    "surat masuk": (r"surat masuk", r"incoming letter"),
    "konsep surat": (r"konsep", r"draf", r"draft", r"surat balasan", r"jawaban"),
    "gambar teknis": (r"gambar", r"drawings?", r"rencana teknis", r"dokumen teknis"),
    "KKPR": (r"kkpr", r"tata ruang", r"zoning"),
    "NIB": (r"nib\b", r"nomor induk berusaha"),
    "NPWP": (r"npwp",),
    "akta": (r"akta", r"deed"),
    "retribusi": (r"retribusi", r"fees?", r"biaya", r"payment", r"pembayaran", r"bukti bayar"),
    "izin": (
        r"izin usaha",
        r"siup",
        r"tdp",
        r"\bho\b",
        r"izin gangguan",
        r"izin lokasi",
        r"permit",
        r"pbg",
        r"imb",
        r"slf",
        r"sertifikat standar",
    ),
    "laporan": (r"laporan", r"report", r"berita acara"),
    "foto": (r"pas foto", r"foto\b", r"photo"),
}
_PATTERNS = {
    doc: re.compile(r"\b(" + "|".join(alts) + r")", re.IGNORECASE)
    for doc, alts in DOCUMENT_NOUNS.items()
}
# A step whose name has one of these verbs produces (writes) the documents it names.
_WRITE_RE = re.compile(
    r"\b(buat|membuat|pembuatan|susun|menyusun|penyusunan|isi|mengisi|pengisian|draf|draft|"
    r"konsep|revisi|perbaik|lengkapi|melengkapi|terbitkan|menerbitkan|penerbitan|cetak|"
    r"mencetak|input|entri|entry|rekam|merekam|unggah|upload|ajukan|mengajukan|pengajuan|"
    r"serahkan|terima|menerima|submit|receive|create|write|prepare|issue|fill|correct|"
    r"revise|amend|register|daftar|mendaftar|bayar|membayar|pay|compute|hitung|menghitung)",
    re.IGNORECASE,
)


# What an approval step does: look at documents (check), put a name under them (sign) or
# instruct the next level (dispose). Only a check "reads" a document in the sense of the
# redundancy rules: a signature under a letter is not a second verification of it.
_CHECK_RE = re.compile(
    r"\b(periksa|memeriksa|pemeriksaan|verifikasi|memverifikasi|validasi|memvalidasi|cek|"
    r"mengecek|teliti|meneliti|telaah|menelaah|pertimbangan|pertimbangkan|nilai|menilai|baca|"
    r"membaca|review|check|verify|verification|validate|inspect|assess|examine|read)",
    re.IGNORECASE,
)
_SIGN_RE = re.compile(
    r"\b(tanda tangan|tandatangan|tanda tangani|menandatangani|ttd|paraf|memaraf|sahkan|"
    r"mengesahkan|pengesahan|setujui|menyetujui|persetujuan|legalisir|legalisasi|mengetahui|"
    r"sign|approve|endorse|countersign|authori[sz]e)",
    re.IGNORECASE,
)
_DISPOSE_RE = re.compile(
    r"\b(beri disposisi|memberi disposisi|mendisposisi|disposisikan|"
    r"dispose|instruct)",
    re.IGNORECASE,
)
# A real examination (reading a letter to pass it on is not one) and a real production
# of content (recording, copying or attaching is not one): the two halves of maker/checker.
_EXAMINE_RE = re.compile(
    r"\b(periksa|memeriksa|pemeriksaan|verifikasi|memverifikasi|validasi|memvalidasi|cek|"
    r"mengecek|teliti|meneliti|telaah|menelaah|review|check|verify|validate|inspect|examine)",
    re.IGNORECASE,
)
_MAKE_RE = re.compile(
    r"\b(buat|membuat|susun|menyusun|konsep|draf|draft|hitung|menghitung|isi|mengisi|input|"
    r"entri|rekam|prepare|compute|calculate|create|write|fill)",
    re.IGNORECASE,
)


# Carrying out a decision: paying, sending, filing, computing. Such a step needs what the
# earlier steps produced, signed or not.
_EXECUTE_RE = re.compile(
    r"\b(bayar|membayar|pembayaran|kirim|mengirim|arsip|mengarsipkan|hitung|menghitung|cetak|"
    r"catat|mencatat|pay|send|archive|compute|print|record|settle)",
    re.IGNORECASE,
)
# Issuing: the step brings a document into force (signing the permit, issuing the letter).
_ISSUE_RE = re.compile(
    r"\b(terbitkan|menerbitkan|penerbitan|keluarkan|mengeluarkan|issue|grant)", re.IGNORECASE
)


def executes(model, element_id: str) -> bool:
    """Whether a step pays, sends, files or computes something (not just checks or signs)."""
    return bool(_EXECUTE_RE.search(model.elements[element_id].name or ""))


def issues(model, element_id: str) -> bool:
    """Whether an approval brings a document into force: it writes one (by data
    association), its name says it issues one, or it signs the very document the
    procedure is named after (the lurah signing the *surat keterangan*)."""
    el = model.elements[element_id]
    if el.writes or _ISSUE_RE.search(el.name or ""):
        return True
    process = model.processes.get(el.process)
    product = _nouns((process.name if process else "") or model.name or "")
    return "sign" in step_acts(model, element_id) and bool(product & _nouns(el.name or ""))


def examines(model, element_id: str) -> bool:
    """Whether a step's name says it examines something (not merely reads it)."""
    return bool(_EXAMINE_RE.search(model.elements[element_id].name or ""))


def makes(model, element_id: str) -> bool:
    """Whether a step's name says it produces content another person could check."""
    return bool(_MAKE_RE.search(model.elements[element_id].name or ""))


# Work other than checking: a step that also does this cannot simply be dropped.
_WORK_RE = re.compile(
    r"\b(bayar|membayar|kirim|mengirim|hitung|menghitung|arsip|nomor|cap|register|cetak|"
    r"terbitkan|menerbitkan|buat|membuat|susun|input|entri|rekam|pay|send|archive|issue|"
    r"compute|draft|prepare|print)",
    re.IGNORECASE,
)
# A step that only moves the file on: the applicant or a messenger carrying it.
_TRANSPORT_RE = re.compile(
    r"\b(bawa|membawa|antar|mengantar|datang|kirim|mengirim|serahkan|menyerahkan|teruskan|"
    r"meneruskan|ambil|mengambil|carry|bring|deliver|forward|send|take)",
    re.IGNORECASE,
)


# Where a finding learnt what a step reads: said in the finding's words (see DataUse).
_SOURCE_WORDS = (N_("data associations"), N_("task names"), N_("none"))


@dataclass(frozen=True)
class DataUse:
    """What one step does with data, and where we learnt it."""

    reads: frozenset
    writes: frozenset
    source: str  # "data associations", "task names" or "none"


@lru_cache(maxsize=4096)
def _nouns(name: str) -> frozenset:
    return frozenset(doc for doc, pat in _PATTERNS.items() if pat.search(name))


def document_kinds(name: str) -> frozenset:
    """The canonical documents (keys of :data:`DOCUMENT_NOUNS`) a name mentions.

    Two procedures that call the same paper "Fotokopi KTP" and "KTP pemohon" both
    demand a ``KTP``; a name that mentions none of them is its own kind.

    Examples
    --------
    >>> sorted(document_kinds("Fotokopi KTP")), sorted(document_kinds("KTP pemohon"))
    (['KTP'], ['KTP'])
    >>> sorted(document_kinds("Bukti hak atas tanah"))
    ['Bukti hak atas tanah']
    """
    return _nouns(name) or frozenset([name.strip()])


def _memoised(fn):
    """Cache a per-element fact on the model's :class:`~.structure.Structure`."""

    def wrapper(model, element_id):
        cache = structure_of(model).memo(fn.__name__)
        if element_id not in cache:
            cache[element_id] = fn(model, element_id)
        return cache[element_id]

    return update_wrapper(wrapper, fn)


@_memoised
def data_use(model, element_id: str) -> DataUse:
    """Documents read and written by a step (see module doc for the two sources).

    Examples
    --------
    >>> from bpengine.model import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...   id="d"><process id="p"><userTask id="t" name="Verifikasi KTP dan KK"/>
    ...   </process></definitions>''')
    >>> u = data_use(m, "t"); sorted(u.reads), sorted(u.writes), u.source
    (['KK', 'KTP'], [], 'task names')
    """
    el = model.elements[element_id]
    if el.reads or el.writes:
        return DataUse(frozenset(el.reads), frozenset(el.writes), "data associations")
    nouns = _nouns(el.name or "")
    if not nouns:
        return DataUse(frozenset(), frozenset(), "none")
    approval = model.approval(element_id).is_approval
    writes = nouns if (_WRITE_RE.search(el.name or "") and not approval) else frozenset()
    return DataUse(nouns, writes, "task names")


@_memoised
def step_acts(model, element_id: str) -> frozenset:
    """What a step does by its name: any of ``check``, ``sign``, ``dispose``.

    Examples
    --------
    >>> from bpengine.model import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ...   id="d"><process id="p"><userTask id="t" name="Periksa dan tanda tangani SPD"/>
    ...   </process></definitions>''')
    >>> sorted(step_acts(m, "t"))
    ['check', 'sign']
    """
    name = model.elements[element_id].name or ""
    acts = set()
    if _CHECK_RE.search(name):
        acts.add("check")
    if _SIGN_RE.search(name):
        acts.add("sign")
    if _DISPOSE_RE.search(name):
        acts.add("dispose")
    return frozenset(acts)


def does_other_work(model, element_id: str) -> bool:
    """Whether a step also produces, pays, sends or files something besides checking."""
    return bool(_WORK_RE.search(model.elements[element_id].name or ""))


@_memoised
def is_transport(model, element_id: str) -> bool:
    """A non-approval step that only carries the file on and writes nothing."""
    el = model.elements[element_id]
    if not el.is_task or model.approval(element_id).is_approval or el.writes:
        return False
    name = el.name or ""
    return bool(_TRANSPORT_RE.search(name)) and not _WRITE_RE.search(_TRANSPORT_RE.sub("", name))


@_memoised
def check_reads(model, element_id: str) -> DataUse:
    """What an approval step checks: the documents it reads.

    Nothing for steps that are not approvals, and nothing for an approval that only signs
    or disposes: a signature under a letter is not a second verification of it, even when
    a data association shows the letter going in. An approval named by no act at all
    counts as a check when a decision follows it or the model marks it ``bpe:approval``.
    """
    verdict = model.approval(element_id)
    if not verdict.is_approval:
        return DataUse(frozenset(), frozenset(), "none")
    use = data_use(model, element_id)
    acts = step_acts(model, element_id)
    if "check" in acts or (not acts and verdict.reason in ("decision", "attribute")):
        return use
    return DataUse(frozenset(), use.writes, use.source)
