"""Bulk writing for the city generator: rows as tuples, in batches, with a progress bar on stderr.

SQLite: one DBAPI connection, `executemany` per batch, each batch its own transaction; values pass
through SQLAlchemy's own bind processors first, so dates and times are stored in exactly the form the
app's writes store them. PostgreSQL: `COPY … FROM STDIN` (psycopg adapts the Python values), then
the id sequences are moved past the explicit ids the generator wrote.
"""

from __future__ import annotations

import sys
import time
from typing import Iterable, Sequence

from sqlalchemy import Table, text
from sqlalchemy.engine import Engine

BATCH = 50_000


class Progress:
    """A one-line text bar on stderr: the part being written, rows so far, elapsed seconds."""

    def __init__(self, total_parts: int, stream=sys.stderr, quiet: bool = False):
        self.total, self.done, self.stream, self.quiet = total_parts, 0, stream, quiet
        self.started = time.perf_counter()
        self.part, self.rows, self.expected = "", 0, 0

    def begin(self, part: str, expected: int = 0) -> None:
        self.part, self.rows, self.expected = part, 0, expected
        self._draw()

    def advance(self, rows: int) -> None:
        self.rows += rows
        self._draw()

    def end(self) -> None:
        self.done += 1
        self._draw(final=True)

    def _draw(self, final: bool = False) -> None:
        now = time.perf_counter()
        if self.quiet or (not final and now - getattr(self, "_drawn", 0.0) < 0.5):
            return
        self._drawn = now
        share = (self.done + (min(1.0, self.rows / self.expected) if self.expected and not final else 0)) / self.total
        filled = int(share * 30)
        line = (f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {self.part:<22} {self.rows:>10,} rows "
                f"{time.perf_counter() - self.started:6.0f} s")
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()


class BulkWriter:
    """Writes whole tables of generated rows; ids are explicit, so relations are known up front."""

    def __init__(self, engine: Engine, progress: Progress):
        self.engine, self.progress = engine, progress
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.tables: list[Table] = []

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        if table not in self.tables:
            self.tables.append(table)
        batch, count = [], 0
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += self._flush(table, columns, batch)
                batch = []
        if batch:
            count += self._flush(table, columns, batch)
        return count

    def _flush(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> int:
        if self.sqlite:
            self._sqlite(table, columns, batch)
        else:
            self._copy(table, columns, batch)
        self.progress.advance(len(batch))
        return len(batch)

    def _sqlite(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> None:
        dialect = self.engine.dialect
        processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
        if any(processors):
            batch = [tuple(p(v) if p and v is not None else v for p, v in zip(processors, row)) for row in batch]
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        cursor = self.raw.driver_connection.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(sql, batch)
        cursor.execute("COMMIT")
        cursor.close()

    def _copy(self, table: Table, columns: Sequence[str], batch: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        with self.raw.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in batch:
                    copy.write_row(row)
        self.raw.driver_connection.commit()

    def finish(self) -> None:
        """PostgreSQL: move each serial sequence past the ids written."""
        self.raw.close()
        with self.engine.begin() as conn:
            if not self.sqlite:
                for table in self.tables:
                    if "id" in table.c and table.c.id.primary_key:
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                          f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))

    def analyze(self) -> None:
        """Planner statistics for the freshly loaded tables, and on PostgreSQL the visibility map too: rows just
        COPYed sit on pages not yet marked all-visible, so no query could read an index alone until autovacuum came
        by (on a server with it off, never: the city's overview read took 1,350 ms against 449 after a VACUUM)."""
        statement = "VACUUM (ANALYZE)" if self.engine.dialect.name == "postgresql" else "ANALYZE"
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(statement))
