"""What every request passes before a view runs: body limits, strict form parsing, CSRF, login.

- **Body size** is checked on the ``Content-Length`` header before a byte is read (413); a
  chunked body is cut off at the same limit by Werkzeug's limited stream (413 too).
- **Bodies** are ``application/x-www-form-urlencoded`` UTF-8 only (415 otherwise), parsed
  strictly: invalid UTF-8, a malformed pair or too many fields is 400, never a 500.
- **CSRF**: every session carries a random token; every POST must send it back in the
  ``csrf`` field (compared in constant time) or gets 403. The session cookie is signed
  (HMAC, Flask/itsdangerous), ``HttpOnly`` and ``SameSite=Strict``: a second wall.
- **Login**: views marked :func:`login_required` answer 303 to the login page without a
  valid session; the user is looked up again on every request, so removing someone from the
  users file ends their sessions.
- **Headers**: a strict Content-Security-Policy (no inline script at all), no framing, no
  MIME sniffing.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from urllib.parse import parse_qsl

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

__all__ = ["install", "login_required", "admin_required", "csrf_token", "MAX_FIELDS"]

MAX_FIELDS = 200  # an HTML form of this app never has more


def csrf_token() -> str:
    """This session's CSRF token (made on first use); templates put it in every form."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _read_form() -> None:
    """Parse a POST body into ``g.form`` or abort with 413, 415 or 400."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)  # refused on the header: the body is never read
    if request.mimetype not in ("application/x-www-form-urlencoded", ""):
        abort(415)
    # Werkzeug's stream ends at Content-Length, or (chunked) raises 413 when read past the
    # limit; reads may be short, so read to the end (request.get_data() would silently cut
    # a chunked body at the limit instead).
    pieces, size = [], 0
    while piece := request.stream.read(limit + 1 - size):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            abort(413)
    raw = b"".join(pieces)
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        abort(400, "the request body is not a form (UTF-8, name=value&...)")
    if any("\x00" in k or "\x00" in v for k, v in pairs):
        abort(400, "the request body contains NUL characters")
    g.form = MultiDict(pairs)


def _check_csrf() -> None:
    sent, kept = g.form.get("csrf", ""), session.get("csrf", "")
    if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        abort(403, "the form's security token is missing or out of date: reload the page")


def _headers(response):
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def install(app) -> None:
    """Register the checks on ``app`` (run before any view, in this order)."""

    @app.before_request
    def _guard():
        g.form = MultiDict()
        g.user = current_app.config["USERS"].get(session.get("user"))
        if request.method == "POST":
            _read_form()
            _check_csrf()
        elif request.method not in ("GET", "HEAD"):
            abort(405)

    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def login_required(view):
    """The view needs a logged-in user (``g.user``); otherwise go to the login page."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("login", next=request.path), code=303)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """The view is for administrators (cases, incidents, retry, reassign): 403 otherwise."""

    @login_required
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not g.user.admin:
            abort(403, "only an administrator may do this")
        return view(*args, **kwargs)

    return wrapped
