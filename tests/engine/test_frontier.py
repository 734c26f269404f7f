"""engine.frontier: pruning a case's tree never loses or trips over what is still needed."""

from __future__ import annotations

from pathlib import Path

from bpengine import Engine

QA = Path(__file__).resolve().parents[1] / "data" / "qa"


def _finish(engine, case_id, lane, data=None, only=None):
    for task in engine.get(case_id).tasks:
        if task.lane == lane and task.kind == "user" and (only is None or task.element_id in only):
            engine.complete(task.id, data or {}, actor="ani")
            return task.element_id
    raise AssertionError(f"nothing ready in {lane}: {engine.get(case_id).tasks}")


def test_an_embedded_subprocess_ending_inside_a_pool_is_pruned_once():
    # Completing the last step of an embedded subprocess inside a collaboration's pool:
    # pruning the pool dropped the finished subprocess, then the loop over subprocesses
    # tried to drop it again (KeyError out of Engine.complete, the step not saved)
    engine = Engine()
    engine.register("Task_mutakhirkan_kk_asal", lambda data: {"kk_asal_dimutakhirkan": True})
    definition = engine.deploy(QA / "pindah-datang-antar-kabupaten.bpmn")
    case = engine.start(definition.key, {}, actor="loket")
    form = {"nik": "3273010101900001", "kabupaten_tujuan": "Kota Bandung", "wajib_ktp": True}
    _finish(engine, case.id, "Pemohon", form)
    assert _finish(engine, case.id, "Petugas Pelayanan Dukcapil Asal") == "Task_verifikasi_kk_asal"
    assert _finish(engine, case.id, "Petugas Pelayanan Dukcapil Asal") == "Task_konsep_skpwni"
    _finish(engine, case.id, "Kepala Bidang Pelayanan Pendaftaran Penduduk")
    _finish(engine, case.id, "Kepala Dinas Dukcapil Asal")
    _finish(engine, case.id, "Petugas Pelayanan Dukcapil Asal")
    _finish(engine, case.id, "Petugas Pelayanan Dukcapil Tujuan", {"lengkap": True})
    _finish(engine, case.id, "Operator SIAK dan Perekaman KTP-el")
    _finish(engine, case.id, "Kepala Dinas Dukcapil Tujuan")
    operator = "Operator SIAK dan Perekaman KTP-el"
    assert _finish(engine, case.id, operator) == "Task_rekam_biometrik"
    _finish(engine, case.id, operator, {"blangko_tersedia": True})
    assert _finish(engine, case.id, operator) == "Task_cetak_ktp_el"
    assert _finish(engine, case.id, "Petugas Pelayanan Dukcapil Tujuan") == "Task_serahkan_dokumen"
    finished = engine.get(case.id)
    assert finished.status == "completed", finished.tasks
    assert finished.data["kk_asal_dimutakhirkan"] is True
