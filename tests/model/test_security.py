"""Hostile files are refused fast, without expanding or fetching anything."""
from __future__ import annotations

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
def test_doctype_files_are_refused_before_parsing(data):
    with pytest.raises(ModelError) as info:
        load(data)
    problem = info.value.problems[0]
    assert problem.code == "doctype"
    # found by scanning the bytes at the declaration (line 2), before any XML parser ran: no
    # entity was expanded and no file fetched, so the refusal costs one scan of the input
    assert problem.line == 2
    assert "refused without expanding anything" in problem.message
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
