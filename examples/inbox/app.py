"""The agency inbox as a Flask application on bpengine's public API.

``create_app(engine, models, users, secret_key=...)`` deploys the models and returns a WSGI
app: log in, an inbox per person (assigned to me, offered to me by name) and per group (a
candidate group, or a lane), due dates and overdue counts, a task page with its form, claim /
unclaim / delegate / resolve / complete, start a case, the case list with totals, a case page
with its history, and the incidents page with a retry button.

Who may do what is decided here, on the server, on every request (:func:`may_work`); the
engine checks again with the user's groups (candidates, claims, delegation) and its errors
map to HTTP:
``NotFound`` 404, ``Forbidden`` 403, ``ConflictError``/``TaskNotReady`` 409, ``FormError``
422 with the field named next to it, ``StorageError`` 503, any other ``BpengineError`` 400.
Anything else is logged with its traceback on the server and answered with a plain 500 page.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from pathlib import Path

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from bpengine import (
    BpengineError,
    ConflictError,
    Engine,
    Forbidden,
    FormError,
    NotFound,
    ProcessModel,
    StorageError,
    TaskNotReady,
    load,
)

from . import guard
from .forms import PREFIX, decision_fields, submitted_data, task_fields
from .users import Users

__all__ = ["create_app", "may_act", "may_see", "may_work"]
HERE = Path(__file__).resolve().parent
log = logging.getLogger("inbox")

_STATUS = (
    (NotFound, 404),
    (Forbidden, 403),
    (ConflictError, 409),
    (TaskNotReady, 409),
    (FormError, 422),
    (StorageError, 503),
)
_CASE_STATUSES = ("running", "completed", "cancelled", "failed")


def may_work(user, task) -> bool:
    """Whether ``task`` is ``user``'s to work on: assigned to them, or offered to them (a
    candidate user, one of their candidate groups, or -- without candidates -- their lane).
    Its state and someone else's claim are the engine's to refuse (409, 403)."""
    if task.assignee == user.id:
        return True
    if task.candidate_users or task.candidate_groups:
        return user.id in task.candidate_users or bool(
            set(task.candidate_groups) & set(user.groups)
        )
    return task.lane is not None and task.lane in user.groups


def may_see(user, task) -> bool:
    """Whether ``user`` may open ``task``: theirs to work on, theirs as its owner (they
    delegated it), or an admin."""
    return user.admin or may_work(user, task) or task.owner == user.id


def may_act(user, task) -> bool:
    """Whether ``user`` may complete (or, delegated to them, resolve) ``task`` now."""
    if task.kind != "user" or task.state != "ready":
        return False
    return task.assignee == user.id or (task.assignee is None and may_work(user, task))


def _start_lanes(model: ProcessModel) -> set:
    """Lanes of the plain start events: whoever works there opens new cases."""
    return {
        e.lane for e in model.elements.values() if e.kind == "startEvent" and not e.event and e.lane
    }


def _start_event(model: ProcessModel) -> str | None:
    return next(
        (
            e.id
            for e in model.elements.values()
            if e.kind == "startEvent" and not e.event and not e.scope
        ),
        None,
    )


def create_app(
    engine: Engine,
    models,
    users: Users,
    *,
    secret_key: str | bytes,
    handlers: dict | None = None,
    max_body: int = 64 * 1024,
    page_size: int = 20,
    secure_cookies: bool = False,
    timezone: _dt.tzinfo | None = None,
) -> Flask:
    """The inbox app over ``engine``, serving ``models`` (paths or ProcessModels).

    Parameters
    ----------
    users : Users
        Who may log in, and their groups (lanes, candidate groups).
    secret_key : str or bytes
        Signs the session cookies (at least 32 characters; keep it out of the code).
    handlers : dict, optional
        Service task id or name -> handler, registered on the engine.
    max_body : int
        Largest request body in bytes (413 above it, before reading).
    secure_cookies : bool
        Send the session cookie over HTTPS only (set it behind TLS).
    timezone : datetime.tzinfo, optional
        Where times are shown (default: the engine's). Due dates are shown in their office's
        zone when the engine has one for the task's lane (``lane_timezones``).
    """
    if len(secret_key) < 32:
        raise ValueError("secret_key: at least 32 characters (secrets.token_hex(32))")
    app = Flask(
        __name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static")
    )
    app.config.update(
        SECRET_KEY=secret_key,
        MAX_CONTENT_LENGTH=max_body,
        MAX_FORM_MEMORY_SIZE=max_body,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="inbox_session",
        PERMANENT_SESSION_LIFETIME=_dt.timedelta(hours=8),
        USERS=users,
        ENGINE=engine,
        PAGE_SIZE=page_size,
    )
    for name, handler in (handlers or {}).items():
        engine.register(name, handler)
    loaded = {}
    for source in models:
        model = source if isinstance(source, ProcessModel) else load(source)
        loaded[engine.deploy(model).key] = model
    app.config["MODELS"] = loaded
    guard.install(app)
    shown = timezone or getattr(engine, "timezone", None) or _dt.timezone.utc
    app.jinja_env.filters["when"] = lambda t: (
        t.astimezone(shown).strftime("%d-%m-%Y %H:%M") if t else ""
    )
    app.jinja_env.filters["due"] = lambda t: _due(t, shown)
    app.context_processor(lambda: {"now": engine.clock()})  # to mark overdue tasks
    _routes(app, engine, users, loaded)
    _errors(app)
    return app


def _pages() -> tuple[int, int]:
    """``offset`` and ``limit`` from the query string (400 when they are not numbers)."""
    try:
        offset = int(request.args.get("offset", 0))
        limit = int(request.args.get("limit", g.page_size))
    except ValueError:
        abort(400, "offset and limit are whole numbers")
    if offset < 0 or not 1 <= limit <= 100:
        abort(400, "offset must be >= 0 and limit between 1 and 100")
    return offset, limit


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home")


def _routes(app: Flask, engine: Engine, users: Users, models: dict) -> None:
    @app.before_request
    def _context():
        g.page_size = app.config["PAGE_SIZE"]

    def model_of(key):
        return models.get(key)

    def visible_task(task_id):
        task = engine.task(task_id)
        if not may_see(g.user, task):
            abort(403, f"task {task.id} is not offered to you (lane {task.lane!r})")
        return task

    def may_see_case(case) -> bool:
        if g.user.admin or case.started_by == g.user.id:
            return True
        tasks = engine.find_tasks(case_id=case.id, state=None, limit=None).items
        return any(may_see(g.user, t) for t in tasks)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return render_template("login.html", next=request.args.get("next", ""))
        uid, password = g.form.get("user", ""), g.form.get("password", "")
        if users.locked(uid):
            return render_template(
                "login.html",
                next=g.form.get("next", ""),
                error="Terlalu banyak percobaan; coba lagi nanti.",
            ), 429
        user = users.authenticate(uid, password)
        if user is None:
            return render_template(
                "login.html",
                next=g.form.get("next", ""),
                error="Nama pengguna atau kata sandi salah.",
            ), 401
        session.clear()  # a fresh session (and CSRF token) for the logged-in user
        session["user"], session.permanent = user.id, True
        return redirect(_safe_next(g.form.get("next")), code=303)

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"), code=303)

    @app.get("/")
    @guard.login_required
    def home():
        mine = engine.find_tasks(assignee=g.user.id, limit=g.page_size)
        offered = [
            t
            for t in engine.find_tasks(candidate_user=g.user.id, limit=None).items
            if t.assignee is None
        ]  # offered to me by name, not yet claimed
        groups = [
            (
                group,
                engine.find_tasks(candidate_group=group, limit=1).total,
                engine.find_tasks(candidate_group=group, overdue=True, limit=1).total,
            )
            for group in g.user.groups
        ]
        startable = [
            (key, m, decision_fields(m, _start_event(m), {}))
            for key, m in models.items()
            if not _start_lanes(m) or _start_lanes(m) & set(g.user.groups)
        ]
        return render_template(
            "home.html",
            mine=mine,
            offered=offered,
            groups=groups,
            startable=startable,
            prefix=PREFIX,
        )

    @app.get("/inbox")
    @guard.login_required
    def group_inbox():
        group = request.args.get("group", "")
        if group not in g.user.groups:
            abort(403, f"group {group!r} is not one of yours")
        offset, limit = _pages()
        overdue = request.args.get("overdue") == "1"
        page = engine.find_tasks(candidate_group=group, overdue=overdue, offset=offset, limit=limit)
        return render_template("inbox.html", group=group, page=page, overdue=overdue)

    @app.get("/task/<task_id>")
    @guard.login_required
    def task_page(task_id, errors=None, values=None, status=200):
        task = visible_task(task_id)
        case = engine.get(task.case_id)
        fields, declared = task_fields(engine, model_of(case.key), task, case.data)
        holders = [u for u in users if may_work(u, task)] if g.user.admin else []
        colleagues = (
            [u for u in users if u.id != g.user.id]
            if task.assignee == g.user.id and task.delegation != "pending"
            else []
        )
        return render_template(
            "task.html",
            task=task,
            case=case,
            fields=fields,
            declared=declared,
            errors=errors or {},
            values=values or {},
            prefix=PREFIX,
            holders=holders,
            colleagues=colleagues,
            may_act=may_act(g.user, task),
            data=json.dumps(case.data, indent=2, ensure_ascii=False, sort_keys=True),
        ), status

    @app.post("/task/<task_id>/complete")
    @guard.login_required
    def complete(task_id):
        task = visible_task(task_id)
        if not may_work(g.user, task):
            raise Forbidden(f"task {task.id} is not offered to you")
        case = engine.get(task.case_id)
        fields, declared = task_fields(engine, model_of(case.key), task, case.data)
        try:
            data = submitted_data(fields, declared, g.form, f"task {task.id}")
            if task.delegation == "pending":  # the delegate's part: back to the owner
                engine.resolve(task.id, data, actor=g.user.id)
                return redirect(url_for("home"), code=303)
            # Offered to the user was checked above; the engine checks it again.
            case = engine.complete(task.id, data, actor=g.user.id, groups=g.user.groups)
        except FormError as exc:
            values = {k[len(PREFIX) :]: v for k, v in g.form.items() if k.startswith(PREFIX)}
            return task_page(task_id, errors={exc.field or "": str(exc)}, values=values, status=422)
        return redirect(url_for("case_page", case_id=case.id), code=303)

    @app.post("/task/<task_id>/claim")
    @guard.login_required
    def claim(task_id):
        task = visible_task(task_id)
        if not may_work(g.user, task):
            raise Forbidden(f"task {task.id} is not offered to you")
        engine.claim(task.id, g.user.id, groups=g.user.groups)
        return redirect(url_for("task_page", task_id=task.id), code=303)

    @app.post("/task/<task_id>/unclaim")
    @guard.login_required
    def unclaim(task_id):
        task = visible_task(task_id)
        if task.assignee != g.user.id and not g.user.admin:
            raise Forbidden(f"task {task.id} is not claimed by you")
        engine.unclaim(task.id, g.user.id)
        return redirect(url_for("task_page", task_id=task.id), code=303)

    @app.post("/task/<task_id>/delegate")
    @guard.login_required
    def delegate(task_id):
        task = visible_task(task_id)
        target = users.get(g.form.get("to", ""))
        if target is None:
            abort(422, "delegate to a user of this inbox")
        engine.delegate(task.id, target.id, actor=g.user.id)  # the engine checks who may
        return redirect(url_for("task_page", task_id=task.id), code=303)

    @app.post("/task/<task_id>/reassign")
    @guard.admin_required
    def reassign(task_id):
        task = engine.task(task_id)
        target = users.get(g.form.get("to", ""))
        if target is None or not may_work(target, task):
            abort(422, "give the task to a user it is offered to")
        engine.reassign(task.id, target.id, actor=g.user.id)
        return redirect(url_for("task_page", task_id=task.id), code=303)

    @app.post("/start/<key>")
    @guard.login_required
    def start(key):
        model = model_of(key)
        if model is None:
            raise NotFound(f"no process {key!r} is served here")
        lanes = _start_lanes(model)
        if lanes and not lanes & set(g.user.groups):
            raise Forbidden(f"cases of {key} are started in lane(s) {', '.join(sorted(lanes))}")
        fields = decision_fields(model, _start_event(model), {})
        data = submitted_data(fields, False, g.form, f"start {key}")
        business_key = g.form.get("business_key", "").strip() or None
        case = engine.start(key, data, actor=g.user.id, business_key=business_key)
        return redirect(url_for("case_page", case_id=case.id), code=303)

    @app.get("/cases")
    @guard.admin_required
    def cases():
        status = request.args.get("status") or None
        if status is not None and status not in _CASE_STATUSES:
            abort(400, f"status is one of {', '.join(_CASE_STATUSES)}")
        offset, limit = _pages()
        page = engine.find_cases(status=status, offset=offset, limit=limit, newest_first=True)
        return render_template("cases.html", page=page, status=status or "")

    @app.get("/case/<case_id>")
    @guard.login_required
    def case_page(case_id):
        case = engine.get(case_id)
        if not may_see_case(case):
            abort(403, f"case {case.id} has no task of yours")
        model = model_of(case.key)
        names = {e.id: e.name for e in model.elements.values()} if model else {}
        history = [(h, names.get(h.element_id, ""), _changes(h)) for h in engine.history(case.id)]
        return render_template(
            "case.html",
            case=case,
            history=history,
            incidents=engine.incidents(case.id),
            may_see=may_see,
        )

    @app.get("/incidents")
    @guard.admin_required
    def incidents():
        return render_template("incidents.html", incidents=engine.incidents(limit=200))

    @app.post("/case/<case_id>/retry")
    @guard.admin_required
    def retry(case_id):
        text = g.form.get("data", "").strip()
        fix = None
        if text:
            try:
                fix = json.loads(text)
            except ValueError as exc:
                abort(400, f"the fix is not JSON: {exc}")
            if not isinstance(fix, dict):
                abort(400, 'the fix is a JSON object of case data, e.g. {"nik": "3273..."}')
        case = engine.retry(case_id, actor=g.user.id, data=fix)
        return redirect(url_for("case_page", case_id=case.id), code=303)


def _due(moment: _dt.datetime | None, shown: _dt.tzinfo) -> str:
    """A due date in its office's zone, named (``17-01-2025 16:00 WITA``); one the engine
    returns in UTC (no zone for its lane) in the app's zone."""
    if moment is None:
        return ""
    if moment.utcoffset() == _dt.timedelta(0):
        moment = moment.astimezone(shown)
    return moment.strftime("%d-%m-%Y %H:%M ") + (moment.tzname() or "")


def _changes(entry) -> list[tuple[str, str]]:
    """What a history row changed in the case data, as ``(name, new value)``."""
    before, after = entry.data_before or {}, entry.data_after or {}
    return (
        [
            (k, json.dumps(after[k], ensure_ascii=False)[:200])
            for k in sorted(after)
            if k not in before or before[k] != after[k]
        ]
        if entry.action != "start"
        else [(k, json.dumps(v, ensure_ascii=False)[:200]) for k, v in sorted(after.items())]
    )


def _errors(app: Flask) -> None:
    @app.errorhandler(BpengineError)
    def _engine_error(exc):
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
        message = str(exc)
        if isinstance(exc, StorageError):  # details (hosts, SQL) go to the log only
            log.error("database: %s", exc)
            message = "Basis data sedang tidak tersedia; coba lagi sebentar lagi."
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        return render_template("error.html", status=exc.code, message=exc.description), exc.code

    @app.errorhandler(Exception)
    def _bug(exc):  # a bug of the app or the library: the traceback stays on the server
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_template(
            "error.html", status=500, message="Terjadi kesalahan di server; sudah dicatat."
        ), 500
