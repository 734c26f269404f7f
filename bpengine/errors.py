"""One exception tree for every user mistake bpengine can report.

A caller catches :class:`BpengineError` and gets a message that names the file, line and
element (or option) at fault; anything else escaping the library is a bug in bpengine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "BpengineError",
    "ModelError",
    "Problem",
    "ScenarioError",
    "ExpressionError",
    "ExpressionLimitError",
    "ConflictError",
    "TaskNotReady",
    "Forbidden",
    "StorageError",
    "FormError",
    "BpmnError",
    "NotFound",
    "LogError",
    "hide_password",
]

# scheme://user:password@host: the password runs to the last "@" before white space, a quote
# or the end (an unencoded "@" in a password must not leave its tail showing).
_URL_PASSWORD = re.compile(r"""([A-Za-z][\w+.-]*://[^\s:/@'"]*):[^\s'"]*@""")
# ...and in the query, where libpq (and so psycopg) also reads it: ?password=... or &password=
_QUERY_PASSWORD = re.compile(r"""([?&](?:password|passwd|pwd)=)[^\s&'"]*""", re.IGNORECASE)


def hide_password(text) -> str:
    """``text`` (a database URL, or a message quoting one) with every URL password as ``***``.

    The one helper for anything that may echo a URL: error messages, ``repr``, logs.

    Examples
    --------
    >>> hide_password("cannot use database URL 'mysql://root:S3cret@db/cases': no driver")
    "cannot use database URL 'mysql://root:***@db/cases': no driver"
    >>> hide_password("sqlite:///cases.db")
    'sqlite:///cases.db'
    >>> hide_password("postgresql://app@db/cases?sslmode=require&password=S3cret")
    'postgresql://app@db/cases?sslmode=require&password=***'
    """
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1:***@", str(text)))


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a model, located as precisely as we can.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    file : str
        The file it was read from (``"<bytes>"`` for in-memory input).
    line : int or None
        Source line of the offending XML element.
    element_id, element_name : str or None
        The BPMN element at fault.
    severity : {"error", "warning"}
        Errors make a model invalid; warnings point at things the engine would run
        differently from what the drawing suggests.
    code : str
        A stable short identifier for tools (``"dangling-flow"``, ``"xsd"``, ...).
    """

    message: str
    file: str = "<bytes>"
    line: int | None = None
    element_id: str | None = None
    element_name: str | None = None
    severity: str = "error"
    code: str = "invalid"

    def __str__(self) -> str:
        return self.shown()

    def shown(self, severity: str | None = None) -> str:
        """The problem with its severity word: ``severity`` (a translation) or the English one.

        This module imports nothing of bpengine, so a caller that speaks another language
        passes the word (``p.shown(_(p.severity))``).
        """
        return self._format(f" {severity or self.severity}:")

    def brief(self) -> str:
        """The problem without its severity word, for a line that already says ``error:``."""
        return self._format("")

    def detail(self) -> str:
        """The element at fault and the message, without where it was read from.

        Examples
        --------
        >>> Problem("no outgoing flow", "x.bpmn", 12, "Task_a", "Paraf").detail()
        "Task_a ('Paraf'): no outgoing flow"
        """
        if not self.element_id:
            return self.message
        name = f" ({self.element_name!r})" if self.element_name else ""
        return f"{self.element_id}{name}: {self.message}"

    def _format(self, severity: str) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}:{severity} {self.detail()}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "element_id": self.element_id,
            "element_name": self.element_name,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class BpengineError(Exception):
    """Base class of every error bpengine raises for bad input or misuse."""

    exit_code = 1


class ModelError(BpengineError):
    """A BPMN file that cannot be read, or that is not a usable model.

    ``problems`` lists every problem found (one line each when printed).
    """

    def __init__(self, problems: list[Problem] | Problem | str, file: str = "<bytes>"):
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file if self.problems else "<bytes>"


class ScenarioError(BpengineError):
    """A scenario (YAML/Prosimos JSON) with a wrong key, value or element reference."""


class ExpressionError(BpengineError):
    """A condition or expression outside the safe subset, or one that fails to evaluate."""


class ExpressionLimitError(ExpressionError):
    """An expression refused by one of its cost limits, before doing the work.

    ``limit`` names the :class:`bpengine.expressions.ExpressionLimits` field, ``value`` its
    setting and ``steps`` the evaluation steps taken when it was refused (0: at compile time).
    """

    def __init__(self, message: str, limit: str, value, steps: int = 0):
        super().__init__(message)
        self.limit, self.value, self.steps = limit, value, steps


class ConflictError(BpengineError):
    """Another worker changed the case first, or the task was already completed or
    cancelled; nothing was written (HTTP 409: reload and decide again)."""


class TaskNotReady(BpengineError):
    """The task cannot be acted on in its state: a timer, service or message task the engine
    completes itself, or its case is not running (HTTP 409/422)."""


class Forbidden(BpengineError):
    """The actor may not act on this task: it belongs to another lane or group, or someone
    else claimed it (HTTP 403). Not a subclass of TaskNotReady: an app maps it on its own."""


class FormError(BpengineError):
    """Data for a task breaks its form (a required field missing, a value not among the
    field's choices, the wrong type, out of range): HTTP 422. ``field`` names the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StorageError(BpengineError):
    """The database could not be reached or failed (not the caller's mistake: HTTP 503,
    try again later). Nothing was written."""


class BpmnError(Exception):
    """Raised by a service handler for a business error the model handles: an error boundary
    event on the task whose ``errorCode`` is ``code`` (or one without a code) catches it.

    Not a :class:`BpengineError`: the application raises it, bpengine never does. ``data`` is
    merged into the case data when the boundary event catches it. A code no boundary event
    catches is an incident on the case, like any other failing handler.
    """

    def __init__(self, code: str, message: str = "", data: dict | None = None):
        super().__init__(f"{code}: {message}" if message else code)
        self.code, self.message, self.data = str(code), message, dict(data or {})


class NotFound(BpengineError):
    """An unknown case, task or definition id."""


class LogError(BpengineError):
    """An event log that cannot be read: a missing column, a bad timestamp, a broken trace."""
