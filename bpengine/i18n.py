"""Bahasa Indonesia and English: gettext catalogues (managed with Babel) and locale formats.

Every sentence a user reads goes through :func:`_` (or :func:`ngettext` for counts), looked
up at the moment it is shown, so :func:`set_language` takes effect for everything printed
after it. Text defined at import time (labels in tables, the CLI's help texts) is marked
with :func:`N_` and translated where it is displayed (help: ``bpengine/cli/help.py``).
Libraries that use Python's own gettext (click: "Usage:", "No such option") are pointed at
the same catalogue by :func:`set_language`. Catalogues live in ``bpengine/locale/<lang>/
LC_MESSAGES/bpengine.po`` (compiled ``.mo`` beside them); translators edit the ``.po`` files:

    pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o bpengine/locale/bpengine.pot .
    pybabel update -i bpengine/locale/bpengine.pot -d bpengine/locale -D bpengine
    pybabel compile -d bpengine/locale -D bpengine

The language is, in order: :func:`set_language` (the CLI's ``--lang``), the environment
variable ``BPENGINE_LANG``, the user's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
English. Numbers and dates are formatted for the same language by Babel: ``1.234,5`` and
``30 Nov 2026`` in Indonesian, ``1,234.5`` and ``Nov 30, 2026`` in English.
"""

from __future__ import annotations

import datetime as dt
import gettext
import math
import os
from decimal import Decimal
from functools import cache
from pathlib import Path

from .errors import BpengineError

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "_",
    "N_",
    "ngettext",
    "pgettext",
    "set_language",
    "language",
    "default_language",
    "format_number",
    "format_percent",
    "format_date",
]

#: Languages with a catalogue (English is the source language).
LANGUAGES = ("en", "id")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_current: str | None = None


def default_language() -> str:
    """``BPENGINE_LANG``, else the user's locale, else English (only :data:`LANGUAGES`)."""
    value = os.environ.get("BPENGINE_LANG")
    if value:
        return _checked(value, "BPENGINE_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def _checked(value: str, where: str) -> str:
    code = value.strip().split(".")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        raise BpengineError(
            f"{where}: unknown language {value!r} (choose from {', '.join(LANGUAGES)})"
        )
    return code


def set_language(lang: str | None) -> str:
    """Use ``lang`` (``"id"`` or ``"en"``; ``None``: :func:`default_language`) from now on."""
    global _current
    _current = _checked(lang, "--lang") if lang else default_language()
    _route_library_messages(_current)
    return _current


def _route_library_messages(lang: str) -> None:
    """Let libraries that call Python's ``gettext.gettext`` (click) speak ``lang`` too.

    Such libraries look their words up in the process's global gettext domain, in the
    language named by ``$LANGUAGE``. The bpengine catalogue holds click's words
    (``bpengine/cli/click_texts.py``), so it becomes that domain, and ``$LANGUAGE`` follows
    ``--lang`` (worker processes started later inherit it, and speak the same language).
    """
    gettext.bindtextdomain("bpengine", str(LOCALE_DIR))
    gettext.textdomain("bpengine")
    os.environ["LANGUAGE"] = lang


def language() -> str:
    """The language messages are shown in now."""
    return _current or default_language()


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    return gettext.translation(
        "bpengine", localedir=str(LOCALE_DIR), languages=[lang], fallback=True
    )


def _(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    return _translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (one English word, two translations)."""
    return _translations(language()).pgettext(context, message)


def _locale() -> str:
    return "id_ID" if language() == "id" else "en_US"


# The grouping and decimal marks of the two locales, swapped into Python's "," and "."
# (babel's own symbols for en_US and id_ID; tests/test_i18n.py holds the two side by side)
_MARKS = {"en_US": None, "id_ID": str.maketrans(",.", ".,")}


def format_number(value: float, digits: int = 0) -> str:
    """``value`` with grouping and exactly ``digits`` decimals in the current language.

    Examples
    --------
    >>> lang = set_language("id"); format_number(1234.5, 1)
    '1.234,5'
    >>> lang = set_language("en"); format_number(1234.5, 1)
    '1,234.5'
    """
    rounded = round(value, digits) + 0.0
    locale = _locale()
    if locale in _MARKS and math.isfinite(rounded) and abs(rounded) < 1e15:
        # what babel gives, without loading its locale data (a tenth of a short command's
        # time): the decimal of the float's shortest repr, rounded half-even, grouped by three
        text = format(Decimal(repr(rounded)), f",.{digits}f")
        marks = _MARKS[locale]
        return text if marks is None else text.translate(marks)
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(rounded, format=pattern, locale=locale)


def format_percent(share: float, digits: int = 0) -> str:
    """A share (0.37) as a percentage (``37%``) in the current language."""
    from babel.numbers import format_percent as fp

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return fp(share, format=pattern, locale=_locale())


def format_date(day: dt.date) -> str:
    """A date in the current language's medium format (``30 Nov 2026``)."""
    from babel.dates import format_date as fd

    return fd(day, format="medium", locale=_locale())
