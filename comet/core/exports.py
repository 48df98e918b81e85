"""What the app and the CLI write for other programs to open, made safe for them.

- CSV: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
  formula to Excel, LibreOffice and Google Sheets, so a reply reading ``=HYPERLINK(...)`` would
  run when someone opens the export (CSV injection). OWASP's rule: such a cell gets a leading
  single quote, which the spreadsheet shows as text. Every CSV in ``comet`` is written by
  :func:`csv_writer`, which does that to each row and ends lines with CRLF (RFC 4180): Python's
  csv module quotes a cell holding a carriage return only when CR is part of the line ending,
  and an unquoted one breaks the file for every reader.
- JSON: ``NaN`` and ``Infinity`` are not JSON (RFC 8259, section 6); Python writes them anyway
  and most parsers then fail. :func:`finite` turns them into ``null``.
- XML: XML 1.0 forbids most control characters even escaped; :func:`xml_text` shows them as
  ``\\x1b`` so the document always parses.
"""

from __future__ import annotations

import csv
import math
import re
from typing import Any, Iterable, Mapping, Sequence, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Sequence[Any] | Mapping[str, Any]) -> list[Any] | dict[str, Any]:
    """A CSV row (a list for ``csv.writer``, a dict for ``csv.DictWriter``) with every cell safe."""
    if isinstance(row, Mapping):
        return {key: safe_cell(value) for key, value in row.items()}
    return [safe_cell(value) for value in row]


class SafeWriter:
    """A ``csv.writer`` (or ``csv.DictWriter``) whose every row goes through :func:`safe_row`."""

    def __init__(self, out: TextIO, fieldnames: Sequence[str] | None = None):
        self._writer: Any = (csv.writer(out, lineterminator="\r\n") if fieldnames is None else
                             csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n"))

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Sequence[Any] | Mapping[str, Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO, fieldnames: Sequence[str] | None = None) -> SafeWriter:
    """The CSV writer for anything the app or the CLI exports: rows as lists, or as dicts when
    ``fieldnames`` is given (then ``writeheader()`` too)."""
    return SafeWriter(out, fieldnames)


def finite(value: Any) -> Any:
    """``value`` (parsed JSON: dicts, lists, scalars) with every NaN or infinity as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold shown as ``\\xNN`` (a lone surrogate as U+FFFD)."""
    return _NOT_XML.sub(_shown, text)


def _shown(found: re.Match) -> str:
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
