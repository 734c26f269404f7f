"""Help texts in the user's language: the click classes every bpengine command is made of.

Click keeps a command's and an option's help as the string given at import time, before
``--lang`` is read. So help strings are only *marked* where they are written
(``help=N_("...")``, extracted into the catalogue like every other message) and translated
here, at the moment help is printed: :class:`Command` and :class:`Group` run their own help,
their short help (the line in the parent's command list) and every parameter's help
through :func:`~bpengine.i18n._` while the help page is formatted.

Click's own words ("Usage:", "Options", "Show this message and exit.", "No such option")
are translated by :func:`bpengine.i18n.set_language`, which points Python's gettext, that
click uses, at the bpengine catalogue (the msgids are listed in :mod:`.click_texts`).
"""
from __future__ import annotations

from contextlib import contextmanager

import click

from ..i18n import _

__all__ = ["Command", "Group", "Text", "command", "group", "translate"]


class Text(str):
    """A help text with ``{placeholders}`` filled in after translation.

    The English text is the string itself (what click measures and wraps); the msgid and
    the values are kept so the text can be translated first and filled in afterwards.

    Examples
    --------
    >>> t = Text("How to print: {choices}.", choices="text, json")
    >>> str(t)
    'How to print: text, json.'
    """

    msgid: str
    fields: dict

    def __new__(cls, msgid: str, **fields):
        self = super().__new__(cls, msgid.format(**fields))
        self.msgid, self.fields = msgid, fields
        return self


def translate(text: str | None) -> str | None:
    """``text`` (a marked help string or a :class:`Text`) in the current language."""
    if not text:  # gettext("") is the catalogue's header, not an empty text
        return text
    if isinstance(text, Text):
        return _(text.msgid).format(**text.fields)
    return _(text)


@contextmanager
def _translated(*objects):
    """Give each object's ``help`` in the current language for the duration of the block.

    Click formats help from the ``help`` attribute in several places (wrapping, the
    ``[default: ...]`` suffix, short help); lending it the translation for the time one
    help page is written keeps all of them click's own code.
    """
    saved = [(obj, obj.help) for obj in objects if getattr(obj, "help", None)]
    try:
        for obj, text in saved:
            obj.help = translate(text)
        yield
    finally:
        for obj, text in saved:
            obj.help = text


class Command(click.Command):
    """A click command whose help and parameters' help are printed in the user's language."""

    def format_help(self, ctx, formatter):
        with _translated(self, *self.get_params(ctx)):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


class Group(Command, click.Group):
    """A click group of translated commands (its subcommands and subgroups are too)."""

    command_class = Command
    group_class = type  # a subgroup is of the same class as its parent


def command(help: str, name: str | None = None, **attrs):
    """``@click.command`` of a :class:`Command`; ``help`` is marked with ``N_``."""
    attrs.setdefault("cls", Command)
    return click.command(name, help=help, **attrs)


def group(help: str, name: str | None = None, **attrs):
    """``@click.group`` of a :class:`Group`; ``help`` is marked with ``N_``."""
    attrs.setdefault("cls", Group)
    return click.group(name, help=help, **attrs)
