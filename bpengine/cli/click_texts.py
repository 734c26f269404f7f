"""Click's own words a user of bpengine reads, listed so the catalogue translates them.

Click looks these up with Python's ``gettext`` at the moment it prints them ("Usage:", an
unknown option, a missing argument); :func:`bpengine.i18n.set_language` makes the bpengine
catalogue the one it looks in. Listing them here puts them in ``bpengine.pot`` through the
ordinary extraction (``N_`` and ``Nn_`` are keywords in ``babel.cfg``), where translators
find them beside bpengine's own messages. ``tests/cli/test_help.py`` extracts the installed
click's messages and fails when click has a new one that is in neither list.
"""

from __future__ import annotations

from ..i18n import N_

__all__ = ["CLICK_TEXTS", "DEVELOPER_TEXTS"]


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for the catalogue (click picks the form itself)."""
    return singular, plural


CLICK_TEXTS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_("Option {name!r} does not take a value."),
    Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Invalid start character for option ({option})"),
    N_("Value must be an iterable."),
    Nn_("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    N_("Choose from:\n\t{choices}"),
    Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    Nn_(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{value!r} is not a valid UUID."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
    N_("Could not open file {filename!r}: {message}"),
    Nn_(
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("required"),  # looked up as _(extra["required"]): no extractor sees it in click
    N_("(dynamic)"),
    N_("deprecated"),
    N_("DeprecationWarning: The command {name!r} is deprecated.{extra_message}"),
    N_("DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}"),
    N_("Aborted!"),
    N_("unknown error"),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
    N_("Press any key to continue..."),
)

# Click's messages no bpengine user can meet: mistakes in a program's click declarations,
# platform and shell-completion internals. Left in English on purpose.
DEVELOPER_TEXTS = frozenset(
    {
        "d",
        "{editor}: Editing failed",
        "{editor}: Editing failed: {e}",
        "Windows error: {error}",
        "Name '{name}' defined twice",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "Could not determine name for option with declarations {decls!r}",
        "No options defined but a name was passed ({name}). Did you mean to declare an argument "
        "instead? Did you mean to pass '--{name}'?",
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Shell completion is not supported for Bash versions older than 4.4.",
        "Couldn't detect Bash version, shell completion is not supported.",
        "Unknown color {colour!r}",
        "Choice({choices})",
        "Unknown standard stream '{name}'",
    }
)
