"""Every data value the 837P writer emits, reduced to the X12 basic character set.

The rule, applied to each element or component value before it is written:

1. Letters are upper-cased; accented letters lose their accent (``é`` → ``E``, ``ß`` → ``SS``).
2. Any character outside the basic set becomes a space. The basic set is ``A``–``Z``, ``0``–``9``,
   space and ``! " & ' ( ) * + , - . / : ; ? =`` (ASC X12.6; pyx12 checks the same set).
3. The four delimiters in use become a space as well, even when they are in the basic set
   (``*`` and ``:`` are), so data never splits an element or a composite.
4. Runs of spaces shrink to one and the value is trimmed at both ends.

So ``"o'Brien-Smith, Jr. #2 *test*"`` is written ``"O'BRIEN-SMITH, JR. 2 TEST"``. An e-mail address
cannot survive the rule (``@`` is not basic); the writer leaves it out of ``PER`` (see
``representable``). Values that are already upper-case basic text pass through unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

BASIC_SPECIALS = "!\"&'()*+,-./:;?="
BASIC_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + BASIC_SPECIALS)


class BasicCharset(dict[str, str]):
    """Reduces text to the basic character set without any of ``delimiters``.

    A dict from value to reduced value that fills itself: ``charset[value]`` (or
    ``charset(value)``) reduces on first use, then answers from the dict at C speed. Make one
    per file written and let it go afterwards.
    """

    def __init__(self, delimiters: Iterable[str]) -> None:
        super().__init__()
        self._table = _ascii_table(frozenset(delimiters))

    def __missing__(self, value: str) -> str:
        text = value if value.isascii() else _fold_to_ascii(value)
        text = text.translate(self._table)
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        self[value] = text
        return text

    def __call__(self, value: str) -> str:
        """``value`` reduced by the rule in this module's docstring."""
        return self[value]


def reduce_to_basic(value: str, delimiters: Iterable[str] = "*^:~") -> str:
    """``value`` in the basic character set, without the ``delimiters`` (the usual four)."""
    return BasicCharset(delimiters)(value)


def representable(value: str, delimiters: Iterable[str] = "*^:~") -> bool:
    """True when ``value`` is written exactly as given (upper-case basic text already)."""
    return reduce_to_basic(value, delimiters) == value


def _ascii_table(delimiters: frozenset[str]) -> dict[int, str]:
    """``str.translate`` table for ASCII: lower → upper, basic → itself, anything else → space."""
    table: dict[int, str] = {}
    for code in range(128):
        char = chr(code).upper()
        keep = char in BASIC_CHARACTERS and chr(code) not in delimiters and char not in delimiters
        table[code] = char if keep else " "
    return table


def _fold_to_ascii(value: str) -> str:
    """``value`` upper-cased, accents removed; characters with no ASCII form become spaces."""
    decomposed = unicodedata.normalize("NFKD", value.upper())
    return "".join(
        char if char.isascii() else ("" if unicodedata.combining(char) else " ")
        for char in decomposed
    )
