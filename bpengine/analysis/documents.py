"""Which documents and data each step reads, writes or checks.

From the model's data associations where a step has them; otherwise from the nouns in its
name (Indonesian procedure vocabulary first: KTP, KK, surat pengantar, SPPD, ...). Every
answer says which of the two sources it came from, so a finding can say how sure it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DOCUMENT_NOUNS", "DataUse", "data_use", "check_reads"]

# Canonical document name -> the ways a task name can mention it (lower case, regex stems).
DOCUMENT_NOUNS = {
    "KTP": (r"ktp", r"kartu tanda penduduk", r"identitas", r"identity", r"id card"),
    "KK": (r"kk", r"kartu keluarga"),
    "surat pengantar": (r"surat pengantar", r"pengantar", r"cover letter"),
    "surat usulan": (r"surat usulan", r"usulan"),
    "surat tugas": (r"surat tugas", r"\bst\b"),
    "SPD": (r"sppd", r"spd", r"surat perjalanan"),
    "SPJ": (r"spj", r"pertanggungjawaban", r"daftar pengeluaran", r"bukti perjalanan",
            r"kuitansi", r"kwitansi", r"receipts?", r"tiket", r"boarding pass"),
    "SPP": (r"spp\b", r"spp-ls"),
    "SPM": (r"spm\b",),
    "formulir": (r"formulir", r"form\b", r"formular", r"application form", r"permohonan",
                 r"application"),
    "berkas": (r"berkas", r"dokumen", r"documents?", r"persyaratan", r"kelengkapan",
               r"completeness", r"lampiran"),
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
    "izin": (r"izin usaha", r"siup", r"tdp", r"\bho\b", r"izin gangguan", r"izin lokasi",
             r"permit", r"pbg", r"imb", r"slf", r"sertifikat standar"),
    "laporan": (r"laporan", r"report", r"berita acara"),
    "foto": (r"pas foto", r"foto", r"photo"),
}
_PATTERNS = {doc: re.compile(r"\b(" + "|".join(alts) + r")", re.IGNORECASE)
             for doc, alts in DOCUMENT_NOUNS.items()}
# A step whose name has one of these verbs produces (writes) the documents it names.
_WRITE_RE = re.compile(
    r"\b(buat|membuat|pembuatan|susun|menyusun|penyusunan|isi|mengisi|pengisian|draf|draft|"
    r"konsep|revisi|perbaik|lengkapi|melengkapi|terbitkan|menerbitkan|penerbitan|cetak|"
    r"mencetak|input|entri|entry|rekam|merekam|unggah|upload|ajukan|mengajukan|pengajuan|"
    r"serahkan|terima|menerima|submit|receive|create|write|prepare|issue|fill|correct|"
    r"revise|amend|register|daftar|mendaftar|bayar|membayar|pay|compute|hitung|menghitung)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DataUse:
    """What one step does with data, and where we learnt it."""

    reads: frozenset
    writes: frozenset
    source: str  # "data associations", "task names" or "none"


@lru_cache(maxsize=4096)
def _nouns(name: str) -> frozenset:
    return frozenset(doc for doc, pat in _PATTERNS.items() if pat.search(name))


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


def check_reads(model, element_id: str) -> DataUse:
    """What an approval step checks: the documents it reads (nothing for other steps)."""
    if not model.approval(element_id).is_approval:
        return DataUse(frozenset(), frozenset(), "none")
    return data_use(model, element_id)
