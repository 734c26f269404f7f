"""Hostile files are refused fast, without expanding or fetching anything."""
from __future__ import annotations

import time

import pytest

from bpengine import ModelError, load
from bpengine.model import source

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p"><task id="t" name="&xxe;"/></process></definitions>"""

LAUGHS = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
    for i in range(1, 10)
) + b']>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">' \
    b'<process id="p"><task id="t" name="&lol9;"/></process></definitions>'


@pytest.mark.parametrize("data", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_files_are_refused_quickly(data):
    t0 = time.perf_counter()
    with pytest.raises(ModelError) as info:
        load(data)
    assert time.perf_counter() - t0 < 1.0
    assert info.value.problems[0].code == "doctype"
    assert "passwd" not in str(info.value)
    assert "lollol" not in str(info.value)


def test_size_cap(monkeypatch, tmp_path):
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    path = tmp_path / "big.bpmn"
    path.write_bytes(b"<definitions>" + b" " * 200 + b"</definitions>")
    with pytest.raises(ModelError, match="the limit is 100 bytes"):
        load(path)


def test_directory_and_unreadable(tmp_path):
    with pytest.raises(ModelError, match="is a directory"):
        load(tmp_path)
