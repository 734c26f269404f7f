"""Hostile files are refused fast, without expanding or fetching anything."""

from __future__ import annotations

import os

import pytest

from bpengine import ModelError, load
from bpengine.model import source

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p"><task id="t" name="&xxe;"/></process></definitions>"""

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
    b'<process id="p"><task id="t" name="&lol9;"/></process></definitions>'
)


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


def test_special_files_are_refused_without_reading_or_waiting(tmp_path):
    fifo = tmp_path / "model.bpmn"
    # nobody writes: an open() without O_NONBLOCK would wait for ever, and /dev/zero never
    # ends, so an answer at all says neither was opened for reading
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="is a pipe, not a regular file"):
        load(fifo)
    with pytest.raises(ModelError, match="is a device, not a regular file"):
        load("/dev/zero")


def test_the_limit_holds_whatever_the_size_claims():
    # /proc files say st_size 0 and hold more: the reader counts what it reads
    with pytest.raises(ModelError, match="the limit is 10 bytes"):
        source.read_bounded("/proc/self/maps", limit=10)
    assert source.read_bounded("/proc/self/maps", limit=10**7)


def test_a_gzip_bomb_is_refused_by_its_decompressed_size(tmp_path):
    import gzip

    bomb = tmp_path / "log.xes.gz"
    bomb.write_bytes(gzip.compress(b"<" * 100_000))
    with (
        pytest.raises(ModelError, match="the limit is 1000 bytes"),
        source.open_bounded(bomb, limit=1000, gzipped=True) as fh,
    ):
        fh.read()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_doctype_is_refused_in_any_utf_encoding(encoding):
    text = XXE.decode().replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()[:6]}"?>'
    )
    with pytest.raises(ModelError) as info:
        load(text.encode(encoding))
    assert info.value.problems[0].code == "doctype"


def test_text_that_is_not_utf8_is_named_by_byte_offset_and_line():
    with pytest.raises(ModelError, match=r"byte 9 \(line 2\) is 0xff"):
        source.decode_text(b"tasks:\n  \xff", "s.yaml")
    assert source.decode_text("tasks: {}".encode("utf-16"), "s.yaml") == "tasks: {}"
