"""Many rows as one statement's table: the rows go to the database as one JSON document
(an array of rows, each an array of its values in the statement's order of columns),
which it reads back as a table (``json_each`` on SQLite, ``jsonb_array_elements`` on
PostgreSQL). An ``INSERT … SELECT`` from it writes a thousand rows with one parameter,
where an executemany pays Python's cost of binding each value of each row; that cost,
not the database's, is most of a plain executemany's time.

Statements are built once per table and set of columns and reused, so a chunk of rows
costs its JSON encoding and the database's work, not SQLAlchemy's building.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, Text, bindparam, cast, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import Executable, Select, Subquery

from .transactions import DBSession, core

#: Each row's place in the document, from 1: the order the rows were given in.
POSITION = "position"
#: The bound parameter that carries the document.
DOCUMENT = "json_rows"


def given_columns(rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The columns any of ``rows`` gives (a row without one gives it as NULL)."""
    return tuple(sorted(set().union(*rows)))


def document(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> str:
    """The value of the :data:`DOCUMENT` parameter for ``rows`` and the columns ``names``.

    Arrays, not objects: SQLite (3.40) parses a row once for every value taken from it,
    and an array without its keys is half the text an object is."""
    return json.dumps([[row.get(n) for n in names] for row in rows], separators=(",", ":"))


def json_rows(dialect: str, types: Mapping[str, Any]) -> Subquery:
    """The rows of the :data:`DOCUMENT` parameter as a table of the columns ``types``
    names (in that order, of those types) and :data:`POSITION`."""
    given = bindparam(DOCUMENT, type_=Text)
    if dialect == "postgresql":
        elements = (
            func.jsonb_array_elements(cast(given, JSONB))
            .table_valued("value", with_ordinality=POSITION)
            .render_derived(name="element")
        )
        return select(
            elements.c[POSITION],
            *(
                cast(elements.c.value.op("->>")(literal_column(str(i))), type_).label(n)
                for i, (n, type_) in enumerate(types.items())
            ),
        ).subquery("given")
    each = func.json_each(given).table_valued("key", "value").alias("element")
    return select(
        (each.c.key + 1).label(POSITION),
        *(func.json_extract(each.c.value, f"$[{i}]").label(n) for i, n in enumerate(types)),
    ).subquery("given")


def types_of(table: Table, names: Sequence[str]) -> dict[str, Any]:
    """The types of ``table``'s columns ``names``, for :func:`json_rows`."""
    return {n: table.c[n].type for n in names}


def json_values(dialect: str, name: str, type_: Any = None) -> Select[Any]:
    """The values of the JSON array parameter ``name`` (of ``type_``, text unless
    given) as a one-column SELECT, for an ``IN``: on PostgreSQL four times as fast as an
    ``IN`` of a thousand parameters, and built once where an ``IN`` of a list is built
    and rendered again for each list."""
    given = bindparam(name, type_=Text)
    if dialect == "postgresql":
        values = func.jsonb_array_elements_text(cast(given, JSONB))
        return select(values if type_ is None else cast(values, type_))
    return select(func.json_each(given).table_valued("value").c.value)


def constant(table: Table, name: str) -> Any:
    """A parameter for column ``name`` that every row shares, bound with its type."""
    return shared(name, table.c[name].type)


def shared(name: str, type_: Any) -> Any:
    """A parameter ``name`` of ``type_`` that every row shares: one of the ``constants``
    of :func:`execute`."""
    return bindparam(f"constant_{name}", type_=type_)


@functools.lru_cache(maxsize=64)
def _insert(dialect: str, table: Table, names: tuple[str, ...], shared: tuple[str, ...]) -> Any:
    given = json_rows(dialect, types_of(table, names))
    return insert(table).from_select(
        [*names, *shared],
        select(*(given.c[n] for n in names), *(constant(table, n) for n in shared)).order_by(
            given.c[POSITION]
        ),
    )


def execute(
    session: DBSession,
    statement: Executable,
    rows: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    **constants: Any,
) -> Any:
    """Run a statement of :func:`json_rows` (of the columns ``names``) and :func:`constant`
    parameters for ``rows``, as Core (:func:`~.transactions.core`)."""
    parameters = {
        DOCUMENT: document(rows, names),
        **{f"constant_{n}": v for n, v in constants.items()},
    }
    return core(session).execute(statement, parameters)


def insert_rows(
    session: DBSession, table: Table, rows: Sequence[Mapping[str, Any]], **constants: Any
) -> None:
    """Insert ``rows`` into ``table`` in one statement, in their order; ``constants`` are
    columns every row shares (bound once, with the column's type: datetimes among them)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    names = given_columns(rows)
    execute(session, _insert(dialect, table, names, tuple(constants)), rows, names, **constants)
