"""The examples run: the embedding script, and the inbox web app driven over real HTTP."""
from __future__ import annotations

import importlib.util
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from bpengine import Engine, load

ROOT = Path(__file__).resolve().parents[2]


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_embedding_script_walks_the_leave_procedure(capsys):
    assert _example("embed").main([]) == "completed"
    out = capsys.readouterr().out
    assert "Atasan Langsung: Beri pertimbangan" in out and "audit:" in out


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def inbox_server(tmp_path):
    app_module = _example("inbox_app")
    engine = Engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    app = app_module.InboxApp(engine, load(ROOT / "processes" / "surat-keterangan-domisili.bpmn"))
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", engine
    server.shutdown()
    server.server_close()
    engine.db.dispose()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _post(url: str, fields: dict) -> tuple[str, str]:
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as response:
        return response.geturl(), response.read().decode("utf-8")


def test_an_agency_inbox_approves_a_residence_certificate_over_http(inbox_server):
    base, engine = inbox_server
    home = _get(base + "/")
    assert "Pemohon" in home and "Mulai perkara baru" in home
    case_url, page = _post(base + "/start", {"actor": "loket"})
    assert "/case/" in case_url and "running" in page
    for _ in range(40):
        links = re.findall(r'href="/task/([0-9a-f-]+)"', page)
        if not links:
            break
        task = engine.task(links[0])
        inbox = _get(base + "/inbox?lane=" + urllib.parse.quote(task.lane))
        assert f"/task/{task.id}" in inbox
        form = _get(f"{base}/task/{task.id}")
        assert "Setujui" in form and "Tolak" in form
        case_url, page = _post(f"{base}/task/{task.id}",
                               {"actor": f"petugas {task.lane}", "keputusan": "setuju",
                                "catatan": "ok"})
    assert "<b>completed</b>" in page
    case = engine.get(case_url.rsplit("/", 1)[1])
    assert case.status == "completed" and case.data["lengkap"] is True
    assert {h.action for h in engine.history(case.id)} >= {"start", "complete", "end"}


def test_a_mistake_in_the_inbox_is_a_400_page_not_a_crash(inbox_server):
    base, _engine = inbox_server
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(base + "/task/no-such-task", {"actor": "x", "keputusan": "setuju"})
    assert info.value.code == 400
    assert "no task" in info.value.read().decode()
    assert "Pemohon" in _get(base + "/")


def test_the_collaboration_example_crosses_two_pools(capsys):
    assert _example("messages").main([]) == "completed"
    out = capsys.readouterr().out
    assert "Camat              Terbitkan SKPWNI" in out
    assert "message S_kec      message 'Berkas pindah' from within the case" in out


def test_the_readme_messages_snippet_runs(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Messages between agencies", 1)[1]
    code, printed = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == printed


def test_the_readme_jobs_snippet_runs(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Jobs: failures stay on their case", 1)[1]
    code, printed = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == printed


def test_the_readme_queries_snippet_runs(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Queries for apps", 1)[1]
    code, printed = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == printed


def test_the_readme_assignment_snippet_runs(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Assignment: candidates, delegation, due dates", 1)[1]
    code, printed = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == printed
