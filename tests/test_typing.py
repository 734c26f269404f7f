"""The package ships ``py.typed``: mypy must accept it (config in pyproject.toml).

The whole of ``bpengine/`` is checked, strictly for ``bpengine.model``, ``bpengine.scenario``
and ``bpengine.expressions`` (the layers the rest is built on). mypy keeps its cache in
``.mypy_cache``: a warm run takes a few seconds, a cold one longer.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

api = pytest.importorskip("mypy.api", reason="mypy is in the test extra (pip install -e .[test])")


@pytest.mark.slow
def test_mypy_accepts_the_package():
    out, err, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(ROOT / "bpengine"),
        ]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert errors == [], "\n".join(errors[:40])
    assert status == 0, out + err


def test_strict_layers_stay_strict():
    """The strict flags cover the base layers; loosening them needs a reason in review."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1
    assert set(strict[0]["module"]) >= {
        "bpengine.model.*",
        "bpengine.scenario.*",
        "bpengine.expressions",
    }


def test_every_package_checks_the_bodies_of_untyped_functions():
    """check_untyped_defs for all of bpengine: an unannotated function is still checked."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config.get("check_untyped_defs") is True
    assert not [o["module"] for o in config["overrides"] if o.get("check_untyped_defs") is False]
