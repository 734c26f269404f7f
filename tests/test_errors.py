"""bpengine/errors.py: a database password is never echoed, by the library or the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bpengine import BpengineError, Engine
from bpengine.cli import main
from bpengine.engine import upgrade
from bpengine.errors import hide_password

SECRET = "S3cret"
URLS = [
    f"mysql://root:{SECRET}@localhost/kasus",
    f"nosuch://root:{SECRET}@localhost/kasus",
    f"postgresql://root:{SECRET}@127.0.0.1:1/kasus",
    f"postgresql+psycopg://root:{SECRET}%40x@127.0.0.1:1/kasus",
    # libpq reads a password from the query too; a missing SQLite folder echoed it
    f"postgresql+psycopg://root@127.0.0.1:1/kasus?password={SECRET}",
]
# the message for a missing SQLite folder quoted the URL as given
CLI_URLS = [*URLS, f"sqlite:///tidak/ada/kasus.db?password={SECRET}"]


@pytest.mark.parametrize("url", URLS)
def test_the_library_names_the_url_without_its_password(url):
    with pytest.raises(BpengineError) as error:
        Engine(url, migrate=True)
    assert SECRET not in str(error.value)
    with pytest.raises(BpengineError) as error:
        upgrade(url)
    assert SECRET not in str(error.value)


@pytest.mark.parametrize("url", CLI_URLS)
@pytest.mark.parametrize("command", [["case", "list"], ["db", "upgrade"], ["db", "current"]])
def test_the_cli_names_the_url_without_its_password(url, command):
    result = CliRunner().invoke(main, [*command, "--db", url])
    assert result.exit_code != 0
    assert SECRET not in result.output, result.output
    assert "root:" not in result.output or "root:***@" in result.output


def test_hide_password_masks_a_password_in_the_query():
    assert (
        hide_password("postgresql://app@db/kasus?PASSWORD=x&sslmode=require")
        == "postgresql://app@db/kasus?PASSWORD=***&sslmode=require"
    )


def test_hide_password_keeps_urls_without_one():
    assert hide_password("sqlite:///kasus.db") == "sqlite:///kasus.db"
    assert hide_password("postgresql://app@db/kasus") == "postgresql://app@db/kasus"
    assert hide_password("postgresql://app:@db/kasus") == "postgresql://app:***@db/kasus"
