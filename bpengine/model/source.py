"""Read input files, bounded and safely: the one home of every file read bpengine does.

Files come from outside (email attachments, modelers, other agencies), so every read goes
through :func:`read_bounded` (whole files: models, scenarios, Prosimos JSON, mappings) or
:func:`open_bounded` (streams: event logs):

- only regular files are read: a directory, device (``/dev/zero``), pipe or socket is
  refused before a byte is read, without blocking (the file is opened non-blocking and
  checked with ``fstat`` on the open descriptor, so it cannot be swapped in between);
- at most ``limit`` bytes are read, whatever the file's size claims to be: the reader asks
  for ``limit + 1`` bytes and refuses when it gets them;
- text is UTF-8 (a UTF-8, UTF-16 or UTF-32 byte-order mark is honoured); a byte that does
  not decode is named with its offset and line.

XML is parsed with entity expansion, DTDs and network access all off; a file with a
DOCTYPE is refused before parsing, in whatever encoding it is written (UTF-16 included),
and again after parsing should an exotic declared encoding hide it from the byte check.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import BpengineError, ModelError, Problem
from ..i18n import _

__all__ = [
    "MAX_BYTES",
    "read_source",
    "parse_xml",
    "read_bounded",
    "open_bounded",
    "decode_text",
    "read_text",
    "undecodable",
]

#: Largest BPMN file read (bytes); the largest real model we have seen is < 1 MB.
MAX_BYTES = 50 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_TEXT_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# '<?' written in UTF-16/32 without a byte-order mark (XML 1.0 appendix F)
_BOMLESS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


def _refusal(
    error: type[BpengineError], name: str, message: str, code: str = "io"
) -> BpengineError:
    """``error`` for ``name``: a ModelError carries a Problem, the others one line."""
    if issubclass(error, ModelError):
        return ModelError(Problem(message, file=name, code=code))
    return error(f"{name}: {message}")


def _open_regular(
    path: str | os.PathLike[str] | bytes, error: type[BpengineError], what: str
) -> tuple[int, str]:
    """A descriptor on ``path`` if it is a regular file; refuse anything else, never block."""
    name = os.fspath(path)
    name = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting
        fd = os.open(
            path,
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_BINARY", 0),
        )
    except IsADirectoryError:
        raise _refusal(error, name, _("is a directory, not a {what}").format(what=what)) from None
    except FileNotFoundError:
        raise _refusal(error, name, _("no such file")) from None
    except PermissionError:
        raise _refusal(error, name, _("permission denied")) from None
    except (OSError, ValueError) as exc:
        raise _refusal(
            error, name, _("cannot read: {why}").format(why=getattr(exc, "strerror", None) or exc)
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            why = _("is a directory, not a {what}").format(what=what)
        else:
            kind = (
                _("a pipe")
                if stat.S_ISFIFO(mode)
                else _("a socket")
                if stat.S_ISSOCK(mode)
                else _("a device")
            )
            why = _("is {kind}, not a regular file: only files are read").format(kind=kind)
        raise _refusal(error, name, why)
    return fd, name


def _too_big(error: type[BpengineError], name: str, limit: int) -> BpengineError:
    return _refusal(
        error,
        name,
        _("too large: the limit is {limit} bytes for this kind of file").format(limit=limit),
        code="too-large",
    )


def read_bounded(
    path: str | os.PathLike[str],
    *,
    limit: int,
    error: type[BpengineError] = ModelError,
    what: str = "file",
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Parameters
    ----------
    path : str or path
        The file.
    limit : int
        Largest size accepted; ``limit + 1`` bytes are asked for and a file that has them
        is refused, whatever ``st_size`` says (``/proc`` files and devices lie).
    error : BpengineError subclass
        Raised (naming ``path``) for a file that cannot or may not be read.
    what : str
        What the file should be, for the message about a directory.

    Raises
    ------
    BpengineError
        ``error``: no such file, permission denied, a directory, device, pipe or socket,
        more than ``limit`` bytes.

    Examples
    --------
    >>> read_bounded("/dev/zero", limit=10)
    Traceback (most recent call last):
    bpengine.errors.ModelError: /dev/zero: error: is a device, not a regular file: only files are read
    """
    fd, name = _open_regular(path, error, what)
    try:
        chunks, total = [], 0
        while total <= limit:
            try:
                chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            except OSError as exc:
                raise _refusal(
                    error, name, _("cannot read: {why}").format(why=exc.strerror or exc)
                ) from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise _too_big(error, name, limit)
    return b"".join(chunks)


class _BoundedRaw(io.RawIOBase):
    """A raw stream over ``inner`` that refuses to deliver more than ``limit`` bytes."""

    def __init__(
        self,
        inner: io.RawIOBase | io.BufferedIOBase | Any,
        limit: int,
        error: type[BpengineError],
        name: str,
        below: Any = None,
    ) -> None:
        self._inner, self._left, self._limit = inner, limit, limit
        self._error, self._name = error, name
        self._below = below  # the file under a decompressor, which does not close it

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        want = min(len(view), self._left + 1)
        if want <= 0:
            raise _too_big(self._error, self._name, self._limit)
        data = self._inner.read(want)
        if data is None:
            return 0
        n = len(data)
        if n > self._left:
            raise _too_big(self._error, self._name, self._limit)
        view[:n] = data
        self._left -= n
        return n

    def close(self) -> None:
        try:
            self._inner.close()
            if self._below is not None:
                self._below.close()
        finally:
            super().close()


def open_bounded(
    path: str | os.PathLike[str],
    *,
    limit: int,
    error: type[BpengineError] = ModelError,
    what: str = "file",
    gzipped: bool = False,
) -> io.BufferedReader:
    """A binary stream over the regular file ``path`` that stops past ``limit`` bytes.

    For files read piece by piece (event logs): the checks of :func:`read_bounded`, and
    reading byte ``limit + 1`` raises ``error``. ``gzipped``: the stream is the file
    decompressed, and the limit counts decompressed bytes too (a small gzip bomb is
    refused, not inflated).
    """
    fd, name = _open_regular(path, error, what)
    raw = io.FileIO(fd, "rb", closefd=True)
    stream: io.RawIOBase = _BoundedRaw(raw, limit, error, name)
    if gzipped:
        import gzip

        compressed = io.BufferedReader(stream)
        stream = _BoundedRaw(
            gzip.GzipFile(fileobj=compressed, mode="rb"), limit, error, name, below=compressed
        )
    return io.BufferedReader(stream)


def decode_text(data: bytes, name: str, error: type[BpengineError] = ModelError) -> str:
    """``data`` as text: UTF-8, or UTF-16/32 when a byte-order mark says so.

    Raises ``error`` naming ``name``, the byte offset and the line of the first byte that
    does not decode.
    """
    encoding, skip = "utf-8", 0
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding, skip = enc, len(bom)
            break
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = data.count(b"\n", 0, offset) + 1
        raise _refusal(
            error,
            name,
            _(
                "not {encoding} text: byte {offset} (line {line}) is 0x{byte:02x}, which does not "
                "decode; save the file as UTF-8"
            ).format(encoding=encoding.upper(), offset=offset, line=line, byte=data[offset]),
            code="encoding",
        ) from None


def undecodable(stream: Any) -> tuple[int, int, int] | None:
    """``(offset, line, byte)`` of the first byte of ``stream`` that is not UTF-8, or None.

    For a file read as text in chunks (a CSV log), whose decoder says only that some
    chunk failed: the binary stream is read again to say where. A UTF-8 byte-order mark
    is skipped.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = stream.read(3)
    offset, lines = (3, 0) if chunk == codecs.BOM_UTF8 else (0, 0)
    if offset:
        chunk = stream.read(1 << 20)
    while True:
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            # exc.object is the decoder's held-back bytes (an unfinished character, never a
            # newline) followed by this chunk
            held = len(exc.object) - len(chunk)
            return (
                offset - held + exc.start,
                lines + exc.object[: exc.start].count(b"\n") + 1,
                exc.object[exc.start],
            )
        if not chunk:
            return None
        offset += len(chunk)
        lines += chunk.count(b"\n")
        chunk = stream.read(1 << 20)


def read_text(
    path: str | os.PathLike[str],
    *,
    limit: int,
    error: type[BpengineError] = ModelError,
    what: str = "file",
) -> str:
    """:func:`read_bounded` then :func:`decode_text`."""
    data = read_bounded(path, limit=limit, error=error, what=what)
    return decode_text(data, os.fspath(path) if not isinstance(path, bytes) else str(path), error)


def read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    """Return ``(data, filename)`` for a path or raw bytes, refusing oversized input."""
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "<bytes>"
        if len(data) > MAX_BYTES:
            raise _refusal(
                ModelError,
                name,
                _("input is {size} bytes; the limit is {limit} bytes").format(
                    size=len(data), limit=MAX_BYTES
                ),
            )
        return data, name
    name = str(Path(source))
    return read_bounded(source, limit=MAX_BYTES, error=ModelError, what=_("BPMN file")), name


def _xml_encoding(data: bytes) -> str | None:
    """The UTF-16/32 encoding ``data`` is written in (by BOM or ``<?`` pattern), else None."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return None if enc == "utf-8" else enc
    for head, enc in _BOMLESS:
        if data.startswith(head):
            return enc
    return None


def _doctype_line(data: bytes) -> int | None:
    """Line of a DOCTYPE/ENTITY declaration in ``data`` (any UTF encoding), else None."""
    encoding = _xml_encoding(data)
    if encoding is None:
        match = _DOCTYPE.search(data, 0, 4096) or _DOCTYPE.search(data)
        return data.count(b"\n", 0, match.start()) + 1 if match else None
    # decoding loses nothing a DOCTYPE could hide in: undecodable input is refused too
    text = data.decode(encoding, errors="replace")
    found = _TEXT_DOCTYPE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _doctype_error(filename: str, line: int | None) -> ModelError:
    return ModelError(
        Problem(
            _(
                "DOCTYPE/ENTITY declarations are not allowed in BPMN files (refused without "
                "expanding anything)"
            ),
            file=filename,
            line=line,
            code="doctype",
        )
    )


def parse_xml(data: bytes, filename: str) -> etree._Element:
    """Parse XML with entity expansion, DTDs and network access all off."""
    line = _doctype_line(data)
    if line is not None:
        raise _doctype_error(filename, line)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head != b"<" and _xml_encoding(data) is None:
            # JSON, YAML, a PDF...: say what it is not, not where XML broke
            raise ModelError(
                Problem(
                    _("not a BPMN file: it is not XML at all (BPMN 2.0 files start with '<')"),
                    file=filename,
                    code="xml",
                )
            ) from None
        where: int | None = exc.lineno or None
        msg = exc.msg or str(exc)
        raise ModelError(
            Problem(
                _("not well-formed XML: {why}").format(why=msg),
                file=filename,
                line=where,
                code="xml",
            )
        ) from None
    except (ValueError, etree.LxmlError) as exc:
        raise ModelError(
            Problem(_("cannot parse XML: {why}").format(why=exc), file=filename, code="xml")
        ) from None
    if root is None:
        raise ModelError(Problem(_("empty document"), file=filename, code="xml"))
    # an encoding the byte check cannot read (UTF-7, EBCDIC...) still shows its DOCTYPE here
    if root.getroottree().docinfo.doctype:
        raise _doctype_error(filename, None)
    return root
