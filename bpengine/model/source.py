"""Read BPMN bytes into an lxml tree, safely.

Files come from outside (email attachments, modelers, other agencies), so the parser never
expands entities, never loads a DTD and never touches the network; a file with a DOCTYPE
is refused before parsing, which stops XXE and billion-laughs files in microseconds.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

from ..errors import ModelError, Problem

__all__ = ["MAX_BYTES", "read_source", "parse_xml"]

MAX_BYTES = 50 * 1024 * 1024  # the largest real model we have seen is < 1 MB
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _io(name: str, message: str) -> ModelError:
    return ModelError(Problem(message, file=name, code="io"))


def read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    """Return ``(data, filename)`` for a path or raw bytes, refusing oversized input."""
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _io(name, f"file is {size} bytes; the limit is {MAX_BYTES} bytes")
            data = path.read_bytes()
        except IsADirectoryError:
            raise _io(name, "is a directory, not a BPMN file") from None
        except FileNotFoundError:
            raise _io(name, "no such file") from None
        except PermissionError:
            raise _io(name, "permission denied") from None
        except OSError as exc:
            raise _io(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _io(name, f"input is {len(data)} bytes; the limit is {MAX_BYTES} bytes")
    return data, name


def parse_xml(data: bytes, filename: str) -> etree._Element:
    """Parse XML with entity expansion, DTDs and network access all off."""
    match = _DOCTYPE.search(data, 0, 4096) or _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise ModelError(
            Problem(
                "DOCTYPE/ENTITY declarations are not allowed in BPMN files "
                "(refused without expanding anything)",
                file=filename,
                line=line,
                code="doctype",
            )
        )
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
        if head != b"<":  # JSON, YAML, a PDF...: say what it is not, not where XML broke
            raise ModelError(Problem("not a BPMN file: it is not XML at all (BPMN 2.0 files "
                                     "start with '<')", file=filename, code="xml")) from None
        where: int | None = exc.lineno or None
        msg = exc.msg or str(exc)
        raise ModelError(
            Problem(f"not well-formed XML: {msg}", file=filename, line=where, code="xml")
        ) from None
    except (ValueError, etree.LxmlError) as exc:
        raise ModelError(Problem(f"cannot parse XML: {exc}", file=filename, code="xml")) from None
    if root is None:
        raise ModelError(Problem("empty document", file=filename, code="xml"))
    return root
