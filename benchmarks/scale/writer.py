"""Writing generated rows fast: tuples in column order, by PostgreSQL `COPY … FROM STDIN`
(text format) or, on SQLite, by `executemany` INSERTs; ids allocated above the current
maximum, sequences moved past them, and foreign keys and secondary indexes dropped during a
bulk load and rebuilt after it."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_text(value) -> str:
    """One value in PostgreSQL COPY text format (tab-separated, \\N for NULL)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _pg_str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, dict | list):
        return _pg_json(value)
    return str(value)


def _pg_str(value: str | None) -> str:
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _pg_datetime(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _pg_json(value) -> str:
    if value is None:
        return "\\N"
    return "{}" if value == {} else _pg_str(json.dumps(value, ensure_ascii=False))


def _pg_number(value) -> str:
    return "\\N" if value is None else str(value)


def _pg_bool(value) -> str:
    return "\\N" if value is None else "t" if value else "f"


_PG_CONVERTERS: dict[str, Callable[[object], str]] = {
    "CharField": _pg_str, "TextField": _pg_str, "DateTimeField": _pg_datetime, "JSONField": _pg_json,
    "BigAutoField": _pg_number, "AutoField": _pg_number, "ForeignKey": _pg_number, "IntegerField": _pg_number,
    "BigIntegerField": _pg_number, "PositiveIntegerField": _pg_number, "PositiveSmallIntegerField": _pg_number,
    "SmallIntegerField": _pg_number, "DecimalField": _pg_number, "BooleanField": _pg_bool,
}


def _pg_converter(f: models.Field) -> Callable[[object], str]:
    """The fastest correct text converter for one column (the generic one as fallback)."""
    return _PG_CONVERTERS.get(f.get_internal_type(), _pg_text)


class TableWriter:
    """Buffers rows (tuples in `columns` order) for one model and writes them in bulk."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        by_column = {f.column: f for f in model._meta.concrete_fields}
        self.fields = [by_column[c] for c in self.columns]
        # A NOT NULL column left out must have a database default (the parties' legal details,
        # added after the generator was written, default to "" and the ID card in the table).
        missing = [f.column for f in model._meta.concrete_fields
                   if f.column not in self.columns and not f.null and f.db_default is models.NOT_PROVIDED]
        if missing:
            raise ValueError(f"{self.table}: generator does not fill NOT NULL columns {missing}")
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if is_postgres():
                convs = [_pg_converter(f) for f in self.fields]
                buf = io.StringIO()
                buf.writelines("\t".join([c(v) for c, v in zip(convs, row, strict=True)]) + "\n" for row in self.rows)
                buf.seek(0)
                cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN", buf)
            else:
                # SQLite (small N): the fields' own adapters give the stored representation.
                fields = self.fields
                prepared = [
                    tuple(f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(fields, row, strict=True))
                    for row in self.rows
                ]
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})",
                                   prepared)
        self.written += len(self.rows)
        self.rows = []


class IdRange:
    """Ids above the table's current maximum, handed out in order (sequences fixed at the end)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.next = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def sequences_reset(models_: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the explicitly inserted ids (PostgreSQL only)."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )


@contextmanager
def bulk_load_prepared(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """Drop the foreign keys and non-unique indexes of the tables being loaded; restore after.

    PostgreSQL checks each foreign key with one query per inserted row, and maintaining ~40
    B-tree indexes row by row thrashes a small buffer cache. Re-adding a constraint checks
    the whole table with one anti-join and rebuilding an index is one sorted build, both far
    faster for millions of rows. The generated rows only reference ids that exist. Unique
    indexes stay (case number, one open assignment: invariants). SQLite: nothing to do.
    """
    if not is_postgres():
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ci ON ci.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY ci.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


def tables_analyze(models_: Iterable[type[models.Model]]) -> None:
    """Planner statistics; on PostgreSQL outside a transaction also VACUUM, which sets the
    visibility map (index-only scans) and hint bits once instead of during the first reads."""
    vacuum = is_postgres() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def all_columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def full_row(model: type[models.Model], values: dict) -> tuple:
    """A full row for `model` from `values` (keyed by column), defaults for the rest."""
    out = []
    for f in model._meta.concrete_fields:
        if f.column in values:
            out.append(values[f.column])
        elif f.has_default():
            out.append(f.get_default())
        elif f.null:
            out.append(None)
        else:
            out.append("")
    return tuple(out)
