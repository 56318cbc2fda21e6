"""Many rows in one statement: bulk INSERT and UPDATE that cost a round trip, not one per row.

On PostgreSQL each column goes as one array and ``unnest`` turns the arrays back into rows, so a
statement has as many parameters as columns, however many rows it carries (psycopg would
otherwise parse a statement of tens of thousands of placeholders). On SQLite an INSERT is an
executemany, which SQLite runs in-process, and an UPDATE joins ``UPDATE_ROWS`` rows at a time
given as ``WITH given(…) AS (VALUES …)`` (SQLite 3.33 and newer)::

    ids = insert_rows(session, claims, rows, returning=("id", "clm01"))
    update_rows(session, claims, [(7, "ready"), (9, "held")], ["status"], updated_at=now)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Table,
    any_,
    bindparam,
    column,
    func,
    insert,
    select,
    update,
    values,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import NamedFromClause

UPDATE_ROWS = 2000  # rows of an UPDATE on SQLite: a few parameters each, far below its limit
IN_LIST = 5000  # ids of one ``IN (…)``: SQLite allows 32,766 parameters a statement

T = TypeVar("T")


class Among(ColumnElement[bool]):
    """``column IN (values)``; on PostgreSQL ``column = ANY(array)``, one parameter in all.

    psycopg parses every placeholder of a statement: an ``IN`` list of thousands of ids cost
    more than running the query. Statements holding it are compiled at each execution.
    """

    inherit_cache = False
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], values: Sequence[Any]) -> None:
        self.column = column
        self.values = list(values)


def among(column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]) -> Among:
    """``column`` is one of ``values`` (use ``chunks`` to keep ``values`` to ``IN_LIST``)."""
    if isinstance(column, QueryableAttribute):
        return Among(column.expression, values)
    return Among(column, values)


@compiles(Among)
def _among_in_list(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.values), **kw)


@compiles(Among, "postgresql")
def _among_array(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(None, element.values, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """``items`` a statement's worth at a time (for an ``IN (…)`` list, ``IN_LIST``)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: tuple[str, str] | None = None,
) -> list[Any]:
    """INSERT ``rows`` (each a mapping of the same columns) into ``table``.

    ``returning=(made, unique)``: the ``made`` column of each new row (its id), in the order of
    ``rows``; ``unique`` is a column of the rows whose values differ, which ties each returned
    row to the row given (INSERT … SELECT promises no order of its RETURNING).
    """
    if not rows:
        return []
    names = list(rows[0])
    if not _is_postgresql(session):
        if returning is None:
            session.execute(insert(table), list(rows))
            return []
        made = table.c[returning[0]]
        ordered = insert(table).returning(made, sort_by_parameter_order=True)
        return list(session.scalars(ordered, list(rows)))
    given = _unnest(table, names, [tuple(row[name] for name in names) for row in rows])
    source = select(*(given.c[name] for name in names)).order_by(given.c.ordinal)
    statement = insert(table).from_select(names, source)
    if returning is None:
        session.execute(statement)
        return []
    made_name, unique = returning
    found = session.execute(statement.returning(table.c[unique], table.c[made_name]))
    made_for = {key: value for key, value in found}
    return [made_for[row[unique]] for row in rows]


def update_rows(
    session: Session,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    names: Sequence[str],
    **same_for_all: object,
) -> None:
    """Set the columns ``names`` of many rows of ``table``; each row is (id, one value each).

    ``same_for_all`` sets columns that take one value for every row.
    """
    key = table.c.id
    for given in _given(session, table, ["id", *names], rows):
        new = {name: given.c[name] for name in names} | same_for_all
        session.execute(update(table).where(key == given.c.id).values(new))


def _given(
    session: Session, table: Table, names: list[str], rows: Sequence[tuple[Any, ...]]
) -> Iterator[NamedFromClause]:
    if _is_postgresql(session):
        yield _unnest(table, names, rows)
        return
    for chunk in chunks(rows, UPDATE_ROWS):
        given = values(*(column(name, table.c[name].type) for name in names), name="given")
        yield given.data(list(chunk)).cte("given")


def _unnest(table: Table, names: list[str], rows: Sequence[tuple[Any, ...]]) -> NamedFromClause:
    arrays = [
        bindparam(f"given_{name}", [row[index] for row in rows], type_=ARRAY(table.c[name].type))
        for index, name in enumerate(names)
    ]
    unnested = func.unnest(*arrays).table_valued(*names, name="given", with_ordinality="ordinal")
    return unnested.render_derived()


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
