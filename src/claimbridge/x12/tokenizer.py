"""Text in, segments out, streaming.

The delimiters come from the first ISA; whitespace (CR, LF, indentation) after a terminator
and a UTF-8 byte-order mark before the ISA are skipped. Files are read in chunks, so a file of
any size is tokenized in constant memory. Every later ISA must use the same delimiters
(Office Ally sends one interchange per file; a mixed file is refused with the place named).

The loop over the text is ``_stream_c.Segments`` (C) when it was built, else
``_split_python``: the same segments and the same errors, which both leave to
``_check_new_tag`` here.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.delimiters import Delimiters, read_delimiters
from claimbridge.x12.segments import Segment

_stream_c: ModuleType | None
try:
    from claimbridge.x12 import _stream_c
except ImportError:  # built without a C compiler: the Python loop reads the same segments
    _stream_c = None


def compiled() -> bool:
    """True when the C loop splits the text into segments (the C extension was built)."""
    return _stream_c is not None


CHUNK_SIZE = 1 << 20
_BOM = "\ufeff"
_LEADING_WHITESPACE = " \t\r\n\x00"
_PREAMBLE_LIMIT = 4096


def parse_segments(text: str) -> Iterator[Segment]:
    """Segments of X12 ``text`` held in memory."""
    return iter_segments([text])


def read_segments(path: str | Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Segment]:
    """Segments of the X12 file at ``path``, read in chunks of ``chunk_size`` bytes."""
    return iter_segments(_read_text_chunks(Path(path), chunk_size))


def parse_segments_bytes(data: bytes) -> Iterator[Segment]:
    """Segments of X12 ``data`` held in memory as bytes (decoded as UTF-8, bad bytes replaced)."""
    return iter_segments([data.decode("utf-8", errors="replace")])


def _read_text_chunks(path: Path, chunk_size: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)


def iter_segments(chunks: Iterable[str]) -> Iterator[Segment]:
    """Segments from pieces of X12 text, in order; the pieces may split anywhere."""
    return _split(iter(chunks))  # one generator, not two: a segment costs one frame resume


def _read_head(pieces: Iterator[str]) -> str:
    """Enough text to hold the ISA, with BOM and leading whitespace removed."""
    head = ""
    for piece in pieces:
        head += piece
        head = head.lstrip(_BOM + _LEADING_WHITESPACE)
        if len(head) >= _PREAMBLE_LIMIT:
            break
    if not head:
        raise X12SyntaxError("the file is empty", segment_position=1)
    return head


def _split(pieces: Iterator[str]) -> Iterator[Segment]:
    """The segments of ``pieces``; nothing is read until the first segment is asked for."""
    if _stream_c is None:
        return _split_python(pieces)
    segments: Iterator[Segment] = _stream_c.Segments(pieces, _start, Segment)
    return segments


def _start(pieces: Iterator[str]) -> tuple[str, str, str, set[str], Callable[[Segment], None]]:
    """What ``_stream_c.Segments`` needs once the ISA is read: the text read so far, the
    terminator and separator, the tags seen, and the check of a segment with a new tag."""
    head = _read_head(pieces)
    delimiters = read_delimiters(head)
    known_tags: set[str] = set()

    def check(segment: Segment) -> None:
        raw = delimiters.element.join(segment.fields)  # the segment's text as it was split
        _check_new_tag(segment.id, raw, delimiters, segment.position, known_tags)

    return head, delimiters.segment, delimiters.element, known_tags, check


def _split_python(pieces: Iterator[str]) -> Iterator[Segment]:
    """The segments of ``pieces``, read in Python (when ``_stream_c`` was not built)."""
    head = _read_head(pieces)
    delimiters = read_delimiters(head)
    terminator, separator = delimiters.segment, delimiters.element
    whitespace = _LEADING_WHITESPACE
    make = tuple.__new__  # Segment's own __new__ is a Python function; this is the hot path
    known_tags: set[str] = set()
    carry = head
    position = 0
    for piece in _chain(pieces):
        raw_segments = (carry + piece).split(terminator) if piece else carry.split(terminator)
        carry = raw_segments.pop() if piece else ""
        for raw in raw_segments:
            if not raw or raw[0] in whitespace:
                raw = raw.lstrip(whitespace)
                if not raw:
                    continue
            position += 1
            fields = raw.split(separator)
            tag = fields[0]
            if tag not in known_tags:  # never holds ISA, so each ISA is checked here
                _check_new_tag(tag, raw, delimiters, position, known_tags)
            yield make(Segment, (tag, tuple(fields), position))


def _check_new_tag(
    tag: str, raw: str, delimiters: Delimiters, position: int, known_tags: set[str]
) -> None:
    """Check a tag not seen before; an ISA after the first segment must keep the delimiters."""
    _check_tag(tag, position)
    if tag != "ISA":
        known_tags.add(tag)
    elif position > 1:
        _check_same_delimiters(raw + delimiters.segment, delimiters, position)


def _chain(pieces: Iterator[str]) -> Iterator[str]:
    """The remaining pieces, then '' once to flush what is left."""
    yield from pieces
    yield ""


def _check_tag(tag: str, position: int) -> None:
    if not (tag.isalnum() and tag.isupper() and 1 < len(tag) < 4 and tag[0].isalpha()):
        raise _bad_tag(tag, position)


def _bad_tag(tag: str, position: int) -> X12SyntaxError:
    shown = tag if len(tag) <= 20 else tag[:20] + "…"
    return X12SyntaxError(
        f"{shown!r} is not a segment id (2 or 3 capital letters or digits); "
        "is a delimiter missing or garbled?",
        segment_position=position,
    )


def _check_same_delimiters(isa_text: str, delimiters: Delimiters, position: int) -> None:
    try:
        found = read_delimiters(isa_text)
    except X12SyntaxError as error:
        raise X12SyntaxError(error.message, segment_position=position, segment_id="ISA") from None
    if found != delimiters:
        raise X12SyntaxError(
            "this interchange uses other delimiters than the first one in the file; "
            "split the file at this ISA",
            segment_position=position,
            segment_id="ISA",
        )
