"""bpengine/engine/scripts.py: what a trusted script task leaves in its data survives the
stored instance state as it is, or the script fails naming itself and the key; never a case
that cannot be loaded again, never a value that comes back changed. On SQLite and on
PostgreSQL (whose JSON refuses NaN and U+0000, which SQLite stored)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from xml.sax.saxutils import escape

import pytest

from bpengine import Engine, ExpressionError


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    """A database file each Engine in the test opens afresh (a restore, not a kept instance)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'skrip.db'}"
    return request.getfixturevalue("pg_url")


def _model(script: str, *, timer: bool = False, check: str = "") -> bytes:
    """Start, (a one-hour timer,) the script ``SC_hitung``, the user task ``T_bayar``, (the
    script ``SC_periksa`` reading what the first one left,) end."""
    wait = (
        '<intermediateCatchEvent id="W_jam"><timerEventDefinition><timeDuration>PT1H'
        "</timeDuration></timerEventDefinition></intermediateCatchEvent>"
    )
    nodes = ["S", *(["W_jam"] if timer else []), "SC_hitung", "T_bayar"]
    nodes += [*(["SC_periksa"] if check else []), "E"]
    flows = "".join(
        f'<sequenceFlow id="F{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    )
    second = (
        f'<scriptTask id="SC_periksa" scriptFormat="python"><script>{escape(check)}'
        "</script></scriptTask>"
        if check
        else ""
    )
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
 targetNamespace="http://bpengine.test/skrip"><process id="skrip" isExecutable="true">
 <startEvent id="S"/>{wait if timer else ""}
 <scriptTask id="SC_hitung" scriptFormat="python"><script>{escape(script)}</script></scriptTask>
 <userTask id="T_bayar"/>{second}<endEvent id="E"/>{flows}</process></definitions>""".encode()


# What each value did before (SQLite): tuple, set, keys 1 and None came back changed (a list,
# a list, "1", "null"); a tuple key, a date, bytes raised a TypeError traceback from start;
# NaN, inf and U+0000 were stored by SQLite and refused by PostgreSQL; 100,000 levels
# overflowed the serializer.
HOSTILE = [
    ("x = (1, 2)", r"x is a tuple; case data is JSON, which has lists but no tuples"),
    ("x = {'a': [{1: 'satu'}]}", r"x\.a\[0\] has a key that is not text: 1 \(int\)"),
    ("x = {None: 1}", r"x has a key that is not text: None \(NoneType\)"),
    ("x = {(1, 2): 3}", r"x has a key that is not text: \(1, 2\) \(tuple\)"),
    ("x = {1, 2}", r"x is of type set, which case data \(JSON\) cannot hold"),
    ("import datetime\nx = [datetime.date(2025, 1, 1)]", r"x\[0\] is of type date"),
    ("x = b'scan'", r"x is of type bytes"),
    ("x = float('nan')", r"x is nan, not a number JSON can hold"),
    ("x = {'biaya': -float('inf')}", r"x\.biaya is -inf, not a number JSON can hold"),
    ("x = 'scan\\x00.pdf'", r"x holds a NUL character \(U\+0000\)"),
    ("x = 10 ** 40", r"x is an integer of more than 30 digits"),
    (
        "x = 1\nfor _ in range(100000): x = [x]",
        r"x\[0\]\[0\]\[0\]\[0\]\.\.\. nests deeper than 32 levels \(limit "
        r"EngineLimits\.data_depth\)",
    ),
]


@pytest.mark.parametrize(("script", "message"), HOSTILE, ids=[h[0][:24] for h in HOSTILE])
def test_a_script_result_json_cannot_hold_is_refused_naming_the_script_and_the_key(
    script, message, url
):
    with Engine(url) as engine:
        engine.deploy(_model(script), trust_scripts=True)
        with pytest.raises(ExpressionError, match="^SC_hitung: script result: " + message):
            engine.start("skrip", {"hari": 2})
        assert engine.cases() == []  # nothing stored: the call is refused as a failing script


@pytest.mark.parametrize(("script", "message"), HOSTILE[:5], ids=[h[0][:24] for h in HOSTILE[:5]])
def test_in_a_job_the_case_gets_an_incident_and_stays_whole(script, message, url):
    now = dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)
    with Engine(url, clock=lambda: now) as engine:
        engine.deploy(_model(script, timer=True), trust_scripts=True)
        case = engine.start("skrip", {"hari": 2})
    now += dt.timedelta(hours=2)
    with Engine(url, clock=lambda: now) as engine:
        engine.tick()
        [incident] = engine.incidents(case.id)
        # the job was the timer's; the script that ran after it and the key are named
        assert incident.element_id == "W_jam"
        assert re.search("SC_hitung: script result: " + message, incident.error)
        again = engine.get(case.id)  # still loads: the state was never written
        assert again.data == {"hari": 2}
        assert [t.element_id for t in again.tasks] == ["W_jam"]


def test_what_the_state_keeps_faithfully_a_script_may_leave(url):
    """datetime, timedelta and UUID: SpiffWorkflow's registry stores and restores them;
    the second script, run after the case was stored and read back, sees them as they were.
    Modules a script imports are script-local: the serializer drops them."""
    made = (
        "import datetime, uuid\n"
        "batas = datetime.datetime(2025, 1, 10, 16, tzinfo=datetime.timezone.utc)\n"
        "lama = datetime.timedelta(days=3)\n"
        "nomor = uuid.UUID(int=7)"
    )
    checked = (
        "import datetime, uuid\n"
        "assert batas == datetime.datetime(2025, 1, 10, 16, tzinfo=datetime.timezone.utc)\n"
        "assert type(batas) is datetime.datetime and type(lama) is datetime.timedelta\n"
        "assert lama.days == 3 and nomor == uuid.UUID(int=7)\n"
        "selesai = True"
    )
    with Engine(url) as engine:
        engine.deploy(_model(made, check=checked), trust_scripts=True)
        case = engine.start("skrip", {"hari": 2})
    with Engine(url) as engine:  # restored from the database, not an instance kept in memory
        [task] = engine.get(case.id).tasks
        assert engine.complete(task.id, {}).status == "completed"


def test_a_value_the_script_changes_in_place_is_checked_too(url):
    """Values a script leaves alone were checked when they came in; a list or dict it may
    have changed in place is walked again."""
    with Engine(url) as engine:
        engine.deploy(
            _model("lampiran.append(('ktp', 1))"), trust_scripts=True
        )
        with pytest.raises(
            ExpressionError, match=r"SC_hitung: script result: lampiran\[1\] is a tuple"
        ):
            engine.start("skrip", {"lampiran": ["surat"], "berkas": {}, "teks": "x" * 100})
        engine.deploy(_model("berkas['kk'] = {1, 2}"), trust_scripts=True)
        with pytest.raises(ExpressionError, match=r"script result: berkas\.kk is of type set"):
            engine.start("skrip", {"berkas": {}})
        assert engine.cases() == []
