"""One entry point for reading any X12 file claimbridge knows: envelopes → typed transactions.

Each guide's package exposes ``parse(transaction) -> model`` and ``to_json(model) -> dict``;
this module picks the right one by ST01 (and ST03/GS08), never by file name, and names the kind
by the rule ``sniff`` and ingest use (``sniff.transaction_kind``). A transaction set whose group
disagrees with it (GS01 against ST01, GS08 against ST03) is refused, naming the element
(``check_group``): ``x12 json``, ``validate`` and ``import`` give one verdict on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from claimbridge.errors import X12Error, X12SyntaxError
from claimbridge.x12 import envelope as envelope_module
from claimbridge.x12 import tokenizer as tokenizer_module
from claimbridge.x12.collector import fewer_collections
from claimbridge.x12.envelope import Envelope, Ta1, TransactionSet, iter_envelopes
from claimbridge.x12.segments import Segment
from claimbridge.x12.sniff import FileKind, envelope_mismatch, transaction_kind
from claimbridge.x12.tokenizer import parse_segments, read_segments

# ST01 → the package that reads it. 277 covers 005010X214 (277CA) and 005010X212 (277).
_READERS: dict[str, str] = {
    "999": "claimbridge.x12.tx999_005010X231A1",
    "277": "claimbridge.x12.tx277ca_005010X214",
    "835": "claimbridge.x12.tx835_005010X221A1",
    "837": "claimbridge.x12.tx837p_005010X222A1",
}
_TA1_READER = "claimbridge.x12.ta1"


@dataclass(frozen=True, slots=True)
class Parsed:
    """One typed transaction (or TA1) and the envelope it came in."""

    kind: str
    envelope: Envelope
    value: Any

    def to_json(self) -> dict[str, Any]:
        """The transaction as JSON: its kind, envelope ids, then the guide's own shape."""
        module = import_module(_module_for(self.envelope))
        to_json: Callable[[Any], dict[str, Any]] = module.to_json
        return {"type": self.kind, "envelope": _envelope_json(self.envelope), **to_json(self.value)}


def read_file(path: str | Path) -> Iterator[Parsed]:
    """Every transaction set and TA1 of the file at ``path``, typed, streaming."""
    return parse_envelopes(iter_envelopes(read_segments(path)))


def parse_text(text: str) -> Iterator[Parsed]:
    """Every transaction set and TA1 of X12 ``text``, typed."""
    return parse_envelopes(iter_envelopes(parse_segments(text)))


def parse_envelopes(envelopes: Iterable[Envelope]) -> Iterator[Parsed]:
    """Type each envelope with the reader of its guide, inside ``fewer_collections``."""
    with fewer_collections():
        for envelope in envelopes:
            yield _parse(envelope)


def read_each(envelopes: Iterable[Envelope]) -> Iterator[Parsed | X12Error]:
    """Each transaction set and TA1 typed, or the reader's refusal of it: unlike
    ``parse_envelopes`` it goes on past a set it refuses; an error in the envelopes themselves
    is the last thing it yields."""
    stream = iter(envelopes)
    with fewer_collections():
        while True:
            try:
                envelope = next(stream, None)
            except X12Error as error:
                yield error
                return
            if envelope is None:
                return
            try:
                yield _parse(envelope)
            except X12Error as error:
                yield error


def check_group(envelope: Envelope) -> None:
    """Refuse a transaction set whose GS01 or GS08 disagrees with its ST01 or ST03."""
    if isinstance(envelope, Ta1):
        return
    group, st = envelope.group, envelope.segments[0]
    found = envelope_mismatch(group.functional_id, group.version, st.element(1), st.element(3))
    if found is not None:
        element, message = found
        on_gs = element.startswith("GS")
        raise X12SyntaxError(
            message,
            segment_position=group.position if on_gs else st.position,
            segment_id="GS" if on_gs else "ST",
            element_position=int(element[2:]),
        )


def _parse(envelope: Envelope) -> Parsed:
    check_group(envelope)
    module = import_module(_module_for(envelope))
    return Parsed(_kind(envelope), envelope, module.parse(envelope))


def compiled_loops() -> bool:
    """True when the inner loops run in C: segments, transaction set bodies and 835 loops.

    They are built with the package when a C compiler is there; without one the Python loops
    read the same values, about three times slower.
    """
    # Imported here: a reader of 999s alone never loads the 835 package.
    from claimbridge.x12.tx835_005010X221A1 import claims as claims_module

    return tokenizer_module.compiled() and envelope_module.compiled() and claims_module.compiled()


def _module_for(envelope: Envelope) -> str:
    if isinstance(envelope, Ta1):
        return _TA1_READER
    module = _READERS.get(envelope.code)
    if module is None:
        st: Segment = envelope.segments[0]
        raise X12SyntaxError(
            f"transaction set {envelope.code!r} is not one claimbridge reads "
            "(it reads 837, 999, 277 and 835)",
            segment_position=st.position,
            segment_id="ST",
            element_position=1,
        )
    return module


def _kind(envelope: Envelope) -> str:
    if isinstance(envelope, Ta1):
        return "TA1"
    kind = transaction_kind(envelope.code, envelope.implementation)
    return envelope.code if kind is FileKind.UNKNOWN else kind.value


def _envelope_json(envelope: Envelope) -> dict[str, str]:
    isa = envelope.interchange
    ids = {
        "sender_id": isa.sender_id,
        "receiver_id": isa.receiver_id,
        "interchange_control_number": isa.control_number,
        "usage": isa.usage,
    }
    if isinstance(envelope, TransactionSet):
        ids |= {
            "group_control_number": envelope.group.control_number,
            "transaction_control_number": envelope.control_number,
            "implementation": envelope.implementation,
        }
    return ids
