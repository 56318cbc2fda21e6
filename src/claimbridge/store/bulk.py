"""Many rows in one statement: bulk INSERT and UPDATE that cost a round trip, not one per row.

On PostgreSQL each column goes as one array and ``unnest`` turns the arrays back into rows, so a
statement has as many parameters as columns, however many rows it carries (psycopg would
otherwise parse a statement of tens of thousands of placeholders). On SQLite both are an
executemany of one short statement, which SQLite runs in-process (an UPDATE that carried its rows
as ``VALUES`` was compiled anew at each call, and compiling it cost more than running it)::

    ids = insert_rows(session, claims, rows, returning=("id", "clm01"))
    update_rows(session, ClaimRow, [(7, "ready"), (9, "held")], ["status"], updated_at=now)
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import NamedFromClause

IN_LIST = 5000  # ids of one ``IN (…)``: SQLite allows 32,766 parameters a statement

T = TypeVar("T")
# An ORM UPDATE as written, the session's criteria added; without "orm" a list of parameters
# would choose the ORM's bulk UPDATE by primary key, which wants the id under the column's name.
_AS_WRITTEN = {"dml_strategy": "orm", "synchronize_session": False}
# A statement from the compiled cache matches its bound parameters to the cached ones again for
# every row of an executemany (about 25 µs a row); compiling the short UPDATE afresh costs about
# a millisecond once.
_EXECUTEMANY = _AS_WRITTEN | {"compiled_cache": None}


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
    entity: type[Any],
    rows: Sequence[tuple[Any, ...]],
    names: Sequence[str],
    *,
    fill_only: Collection[str] = (),
    **same_for_all: object,
) -> None:
    """Set the columns ``names`` of many rows of the mapped class ``entity``; each row is
    (id, one value each). ``same_for_all`` sets columns that take one value for every row;
    a column of ``fill_only`` takes its value only where it is NULL (a first time).

    An ORM UPDATE, so the session's criteria (the practice of ``store.tenancy``) are part of its
    WHERE: a row of another practice is left alone even when its id is given. Rows of the same
    id end as if written one after the other: the last value, or for ``fill_only`` the first.
    """
    if not rows:
        return
    rows = _one_per_id(rows, [name in fill_only for name in names])
    table = entity.__table__

    def new_value(name: str, given: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.coalesce(table.c[name], given) if name in fill_only else given

    if _is_postgresql(session):
        given = _unnest(table, ["id", *names], rows)
        new = {name: new_value(name, given.c[name]) for name in names}
        statement = update(entity).where(table.c.id == given.c.id).values(new | same_for_all)
        session.execute(statement, execution_options=_AS_WRITTEN)
        return
    keys = {name: f"given_{name}" for name in ("id", *names)}
    new = {name: new_value(name, bindparam(keys[name], type_=table.c[name].type)) for name in names}
    statement = update(entity).where(table.c.id == bindparam(keys["id"])).values(new | same_for_all)
    parameters = [dict(zip(keys.values(), row, strict=True)) for row in rows]
    session.execute(statement, parameters, execution_options=_EXECUTEMANY)


def _one_per_id(rows: Sequence[tuple[Any, ...]], fill_only: list[bool]) -> list[tuple[Any, ...]]:
    """One row per id, as the rows written in order would leave it (an UPDATE … FROM that joins
    a row twice uses one of the two, which one PostgreSQL does not say)."""
    merged: dict[Any, tuple[Any, ...]] = {}
    for row in rows:
        earlier = merged.get(row[0])
        if earlier is not None:
            row = (row[0], *(
                old if keep and old is not None else new
                for keep, old, new in zip(fill_only, earlier[1:], row[1:], strict=True)
            ))  # fmt: skip
        merged[row[0]] = row
    return list(merged.values())


def _unnest(table: Table, names: list[str], rows: Sequence[tuple[Any, ...]]) -> NamedFromClause:
    arrays = [
        bindparam(f"given_{name}", [row[index] for row in rows], type_=ARRAY(table.c[name].type))
        for index, name in enumerate(names)
    ]
    unnested = func.unnest(*arrays).table_valued(*names, name="given", with_ordinality="ordinal")
    return unnested.render_derived()


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
