"""An agency inbox on bpengine's public API: list tasks per role, open one, approve or reject.

Standard library only (wsgiref); SQLite file; one process model. Run::

    python examples/inbox_app.py processes/surat-keterangan-domisili.bpmn --db inbox.db

then open http://127.0.0.1:8000/. "Setujui" sets every yes/no the next decision reads
(``lengkap``, ``sah_kecamatan``, ...) to true, "Tolak" to false; a note is kept in the case
data and the audit trail.
"""
from __future__ import annotations

import argparse
import html
import json
from collections import deque
from urllib.parse import parse_qs, quote
from wsgiref.simple_server import make_server

from bpengine import BpengineError, Engine, load
from bpengine.expressions import compile_expression

__all__ = ["InboxApp", "decision_names", "main"]

PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.3em .8em;
text-align:left}}.error{{color:#a00}}</style></head><body><p><a href="/">Kotak masuk</a></p>
<h1>{title}</h1>{body}</body></html>"""


def decision_names(model, element_id: str) -> list[str]:
    """Case-data names read by the decisions right after ``element_id`` (up to the next task)."""
    names, seen = [], {element_id}
    queue = deque(f.target for f in model.flows.values() if f.source == element_id)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        element = model.elements.get(node)
        if element is None or element.is_activity:
            continue
        for flow in model.flows.values():
            if flow.source != node:
                continue
            if flow.condition:
                for name in sorted(compile_expression(flow.condition).names):
                    if name not in names:
                        names.append(name)
            queue.append(flow.target)
    return names


class InboxApp:
    """The WSGI application: ``InboxApp(engine, model)`` is callable by any WSGI server."""

    def __init__(self, engine: Engine, model):
        self.engine, self.model = engine, model
        self.key = engine.deploy(model).key
        self.lanes = sorted({lane.name for lane in model.lanes.values()})

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        form = {}
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[-1] for k, v in
                    parse_qs(environ["wsgi.input"].read(size).decode("utf-8")).items()}
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path == "/" and method == "GET":
                return self._page(start_response, "Kotak masuk", self.home())
            if path == "/inbox" and method == "GET":
                lane = query.get("lane", "")
                return self._page(start_response, f"Tugas {lane}", self.inbox(lane))
            if path == "/start" and method == "POST":
                case = self.engine.start(self.key, {}, actor=form.get("actor", "loket"))
                return self._redirect(start_response, f"/case/{case.id}")
            if path.startswith("/task/") and method == "GET":
                task = self.engine.task(path.rsplit("/", 1)[1])
                return self._page(start_response, task.name, self.task_page(task))
            if path.startswith("/task/") and method == "POST":
                task = self.engine.task(path.rsplit("/", 1)[1])
                return self._redirect(start_response, self.decide(task, form))
            if path.startswith("/case/") and method == "GET":
                case = self.engine.get(path.rsplit("/", 1)[1])
                return self._page(start_response, f"Perkara {case.id[:8]}", self.case_page(case))
        except BpengineError as exc:  # the user's mistake: say so, keep the app running
            return self._page(start_response, "Tidak bisa", f'<p class="error">'
                              f"{html.escape(str(exc))}</p>", "400 Bad Request")
        return self._page(start_response, "Tidak ada", "", "404 Not Found")

    def home(self) -> str:
        counts = {lane: len(self.engine.inbox(lane=lane)) for lane in self.lanes}
        rows = "".join(f'<tr><td><a href="/inbox?lane={quote(lane)}">{html.escape(lane)}</a>'
                       f"</td><td>{n}</td></tr>" for lane, n in counts.items())
        return (f"<table><tr><th>Peran</th><th>Tugas siap</th></tr>{rows}</table>"
                '<form method="post" action="/start"><input name="actor" value="loket">'
                f'<button>Mulai perkara baru: {html.escape(self.model.name)}</button></form>')

    def inbox(self, lane: str) -> str:
        rows = "".join(
            f'<tr><td><a href="/task/{t.id}">{html.escape(t.name)}</a></td>'
            f"<td>{t.created_at:%d-%m-%Y %H:%M}</td><td>{html.escape(t.assignee or '')}</td></tr>"
            for t in self.engine.inbox(lane=lane))
        return f"<table><tr><th>Tugas</th><th>Sejak</th><th>Diklaim</th></tr>{rows}</table>"

    def task_page(self, task) -> str:
        case = self.engine.get(task.case_id)
        names = decision_names(self.model, task.element_id)
        asks = ", ".join(names) or "tidak ada keputusan"
        return (f"<p>Peran: {html.escape(task.lane or '-')} &middot; status {task.state}</p>"
                f"<pre>{html.escape(json.dumps(case.data, indent=2, ensure_ascii=False))}</pre>"
                f'<form method="post"><p>Keputusan: {html.escape(asks)}</p>'
                '<p><label>Nama <input name="actor" required></label></p>'
                '<p><label>Catatan <input name="catatan"></label></p>'
                '<button name="keputusan" value="setuju">Setujui</button> '
                '<button name="keputusan" value="tolak">Tolak</button></form>')

    def decide(self, task, form) -> str:
        approve = form.get("keputusan") == "setuju"
        data = {name: approve for name in decision_names(self.model, task.element_id)}
        if form.get("catatan"):
            data["catatan"] = form["catatan"]
        case = self.engine.complete(task.id, data, actor=form.get("actor", ""),
                                    lane=task.lane)
        return f"/case/{case.id}"

    def case_page(self, case) -> str:
        tasks = "".join(f'<li><a href="/task/{t.id}">{html.escape(t.name)}</a> '
                        f"({html.escape(t.lane or '-')})</li>" for t in case.tasks
                        if t.kind == "user")
        history = "".join(f"<tr><td>{h.at:%d-%m-%Y %H:%M}</td><td>{h.action}</td>"
                          f"<td>{html.escape(h.actor)}</td><td>{h.element_id or ''}</td></tr>"
                          for h in self.engine.history(case.id))
        return (f"<p>Status: <b>{case.status}</b></p><ul>{tasks}</ul>"
                f"<table><tr><th>Waktu</th><th>Aksi</th><th>Oleh</th><th>Langkah</th></tr>"
                f"{history}</table>")

    @staticmethod
    def _page(start_response, title, body, status="200 OK"):
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [PAGE.format(title=html.escape(title), body=body).encode("utf-8")]

    @staticmethod
    def _redirect(start_response, location):
        start_response("303 See Other", [("Location", location)])
        return [b""]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="An agency inbox on bpengine.")
    parser.add_argument("model", help="BPMN file of the procedure")
    parser.add_argument("--db", default="inbox.db", help="SQLite file (default inbox.db)")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    app = InboxApp(Engine(f"sqlite:///{args.db}"), load(args.model))
    with make_server("127.0.0.1", args.port, app) as server:
        print(f"serving {args.model} on http://127.0.0.1:{server.server_port}/")
        server.serve_forever()


if __name__ == "__main__":
    main()
