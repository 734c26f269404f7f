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

from ..i18n import N_, _

__all__ = ["Command", "Group", "command", "filled", "group", "translate"]


# English help text -> (msgid, values) of the help texts made by :func:`filled`
_FILLED: dict[str, tuple[str, dict]] = {}


def filled(msgid: str, **fields) -> str:
    """A help text with ``{placeholders}``, filled in English now and translated when shown.

    Click keeps (and cleans) help as a plain string, so the msgid and the values are
    remembered here, under the English text, for :func:`translate` to find.

    Examples
    --------
    >>> filled("How to print: {choices}.", choices="text, json")
    'How to print: text, json.'
    """
    text = msgid.format(**fields)
    _FILLED[text] = (msgid, fields)
    return text


def translate(text: str | None) -> str | None:
    """``text`` (a help string marked with ``N_``, or made by :func:`filled`) translated."""
    if not text:  # gettext("") is the catalogue's header, not an empty text
        return text
    if text in _FILLED:
        msgid, fields = _FILLED[text]
        return _(msgid).format(**fields)
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

    def get_help_option(self, ctx):
        # click makes --help once per command, its text translated at that moment; keep the
        # msgid instead, so each help page translates it in the language of its own run
        new = getattr(self, "_help_option", None) is None
        option = super().get_help_option(ctx)
        if option is not None and new:
            option.help = N_("Show this message and exit.")
        return option

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
