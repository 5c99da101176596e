"""One statement for many rows, with less per-row work than SQLAlchemy's executemany.

SQLAlchemy builds a parameter dictionary and runs every type's bind processor for each row
of an executemany; for thousands of small rows (rewrapped keysets, audit entries) that costs
several times what the database itself spends. A :class:`BulkStatement` is compiled once
per dialect, takes each bound parameter's bind processor once, and hands the driver its own
parameter style (positional tuples or named dictionaries) in one ``executemany``. Values
still pass through their types' bind processors, so what is stored is exactly what Core
would store.

The values come column by column (a list per parameter), which makes no object per row
beyond the one the driver needs; a value shared by every row is given once.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

__all__ = ["BulkStatement"]

_Processor = Callable[[Any], Any] | None


class _Compiled:
    __slots__ = ("names", "positional", "processors", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        order = compiled.positiontup
        self.sql = str(compiled)
        self.positional = order is not None
        self.names: list[str] = list(order) if order is not None else list(compiled.binds)
        self.processors: dict[str, _Processor] = {
            name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        }


class BulkStatement:
    """A statement whose every value is a named :func:`~sqlalchemy.bindparam`, run for
    many rows at once with :meth:`executemany`."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(dialect)
                if compiled is None:
                    compiled = self._compiled[dialect] = _Compiled(self._statement, dialect)
        return compiled

    def executemany(
        self,
        connection: Connection,
        columns: Mapping[str, Sequence[Any]],
        shared: Mapping[str, Any] | None = None,
    ) -> int:
        """Run the statement once per row in one driver call; the number of rows it
        matched, as the driver counts them.

        ``columns`` maps parameter names to their values, one per row, all of the same
        length; ``shared`` maps the others to the one value every row has."""
        counts = {len(values) for values in columns.values()}
        if len(counts) != 1:
            raise ValueError("every column needs one value per row")
        (count,) = counts
        if count == 0:
            return 0
        compiled = self._for(connection.dialect)
        shared = shared or {}
        converted: list[Sequence[Any]] = []
        for name in compiled.names:
            process = compiled.processors[name]
            if name in columns:
                values = columns[name]
                converted.append(values if process is None else list(map(process, values)))
            else:
                value = shared[name]
                converted.append([value if process is None else process(value)] * count)
        names = compiled.names
        params: list[Any] = (
            list(zip(*converted, strict=True))
            if compiled.positional
            else [dict(zip(names, row, strict=True)) for row in zip(*converted, strict=True)]
        )
        done = connection.exec_driver_sql(compiled.sql, params)
        return done.rowcount
