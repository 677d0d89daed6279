"""Seeding plumbing: a fresh schema from the migrations, bulk inserts, and the finish.

The schema comes from `flask --app app db upgrade` (migrations are the truth); tables
whose models exist but have no revision yet are then added by `db.create_all()`, and
named, so the gap is visible rather than papered over.
"""

import subprocess
import time

from sqlalchemy import Integer, create_engine, func, inspect, select, text

from .common import PYTHON, ROOT, Progress, is_sqlite, server_env, sqlite_path

CHUNK = 20_000


def fresh_database(url, reset=False):
    """Remove an SQLite file (and its WAL); on PostgreSQL, empty the schema only with reset."""
    if is_sqlite(url):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        if tables and not reset:
            raise SystemExit(f"{url} already has {len(tables)} tables: pass --reset to empty it.")
        if tables:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def create_database_if_missing(url):
    """PostgreSQL: CREATE DATABASE for scaling.py's sibling databases (SQLite needs nothing)."""
    if is_sqlite(url):
        return
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def migrate(url):
    """Apply the migrations with the flask CLI; returns seconds taken."""
    start = time.monotonic()
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT,
                          env=server_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("flask db upgrade failed:\n" + done.stderr[-3000:])
    return time.monotonic() - start


def add_unmigrated_tables(db):
    """create_all() for models without a revision; returns their table names."""
    before = set(inspect(db.engine).get_table_names())
    db.create_all()
    return sorted(set(inspect(db.engine).get_table_names()) - before)


def schema_of(engine):
    """Tables with their columns, indexes, unique constraints and foreign keys, comparable."""
    found = inspect(engine)
    schema = {}
    for table in found.get_table_names():
        if table == "alembic_version":
            continue
        schema[table] = {
            "columns": {c["name"]: (str(c["type"]), c["nullable"]) for c in found.get_columns(table)},
            "indexes": {(i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in found.get_indexes(table)},
            "unique": {tuple(u["column_names"]) for u in found.get_unique_constraints(table)},
            "fks": {(tuple(f["constrained_columns"]), f["referred_table"])
                    for f in found.get_foreign_keys(table)},
        }
    return schema


def compare_schemas(migrated, created):
    """Differences between the migrated schema and create_all's, as readable lines."""
    lines = []
    for table in sorted(set(migrated) | set(created)):
        if table not in migrated:
            lines.append(f"{table}: only in the models (no migration creates it)")
        elif table not in created:
            lines.append(f"{table}: only in the migrations (no model)")
        else:
            mine, theirs = migrated[table]["columns"], created[table]["columns"]
            for name in sorted(set(mine) | set(theirs)):
                if name not in mine:
                    lines.append(f"{table}.{name}: a model column no migration adds")
                elif name not in theirs:
                    lines.append(f"{table}.{name}: in the migrations, not in the model")
                elif mine[name] != theirs[name]:
                    lines.append(f"{table}.{name}: migrations {mine[name]} vs model {theirs[name]}")
            for part in ("indexes", "unique", "fks"):
                if migrated[table][part] != created[table][part]:
                    lines.append(f"{table}: {part} only in the migrations "
                                 f"{migrated[table][part] - created[table][part]}, only in the "
                                 f"models {created[table][part] - migrated[table][part]}")
    return lines


class Writer:
    """Bulk INSERTs through SQLAlchemy Core (executemany), in chunks, with a progress bar."""

    def __init__(self, db, progress=True):
        self.db = db
        self.progress = progress
        self.timings = {}
        self.rows = {}
        self.conn = db.engine.connect()
        if self.conn.dialect.name == "sqlite":
            # A throwaway load: no fsync; the final checkpoint makes it durable enough.
            # On the driver's connection: outside SQLAlchemy's BEGIN (database.py).
            raw = self.conn.connection.dbapi_connection
            for pragma in ("synchronous=OFF", "cache_size=-400000", "temp_store=MEMORY"):
                raw.execute(f"PRAGMA {pragma}")

    def insert(self, model, rows, total=None, label=None):
        """rows: an iterable of dicts with the same keys; committed at the end."""
        table = model.__table__ if hasattr(model, "__table__") else model
        label = label or table.name
        bar = Progress(label, total or 0, enabled=self.progress and bool(total))
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                self.conn.execute(table.insert(), chunk)
                bar.add(len(chunk))
                chunk = []
        if chunk:
            self.conn.execute(table.insert(), chunk)
            bar.add(len(chunk))
        self.conn.commit()
        self.timings[label] = self.timings.get(label, 0) + bar.close()
        self.rows[label] = self.rows.get(label, 0) + bar.done
        return bar.done

    def execute(self, label, stmt, params=None):
        """One statement (INSERT ... SELECT, UPDATE), committed and timed."""
        start = time.monotonic()
        result = self.conn.execute(stmt, params or {})
        count = result.rowcount
        self.conn.commit()
        elapsed = time.monotonic() - start
        self.timings[label] = self.timings.get(label, 0) + elapsed
        if count is not None and count >= 0:
            self.rows[label] = self.rows.get(label, 0) + count
        print(f"  {label:<22} {max(count or 0, 0):>10,} rows {elapsed:7.1f}s", flush=True)
        return count

    def count(self, model):
        return self.conn.execute(select(func.count()).select_from(model.__table__)).scalar()

    def finish(self, analyze=False):
        """Sequences past the ids written (PostgreSQL), statistics, a checkpoint.

        PostgreSQL's autovacuum would analyze the new tables soon anyway, so it is done
        here. The app never runs ANALYZE on SQLite, so by default neither does the seed:
        the planner sees what a production file would (--analyze to compare).
        """
        start = time.monotonic()
        if self.conn.dialect.name == "postgresql":
            for table in self.db.metadata.sorted_tables:
                # Integer ids only: a text id (a provider's own, dummy_gateway_refunds) has
                # no sequence, and SQLAlchemy still calls it autoincrement ("auto").
                if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement \
                        and isinstance(table.c.id.type, Integer):
                    self.conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))
            self.conn.commit()
            self.conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        else:
            if analyze:
                self.conn.exec_driver_sql("ANALYZE")
                self.conn.commit()
            self.conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        self.timings["finish (analyze)"] = time.monotonic() - start


# Columns added after a database was seeded, filled as the seed now writes them.
BACKFILL = {("users", "email_verified_at"): "created_at"}


def catch_up(url):
    """Bring a seeded database up to the models after an additive change (the tree moves
    while it is benchmarked): new tables, new columns that are nullable or have a server
    default, new indexes. Returns what it added; raises SystemExit when only a reseed helps.
    """
    from sqlalchemy.schema import CreateColumn

    from community.kernel.extensions import db

    from .common import make_app

    added = []
    app = make_app(url)
    with app.app_context():
        found = inspect(db.engine)
        tables = set(found.get_table_names())
        with db.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                if table.name not in tables:
                    table.create(conn)
                    added.append(f"table {table.name}")
                    continue
                have = {c["name"] for c in found.get_columns(table.name)}
                for column in table.columns:
                    if column.name in have:
                        continue
                    if not column.nullable and column.server_default is None:
                        raise SystemExit(f"{table.name}.{column.name} is new and NOT NULL without "
                                         "a server default: reseed (bench/seed.py).")
                    ddl = CreateColumn(column).compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN {ddl}')
                    added.append(f"column {table.name}.{column.name}")
                    if (source := BACKFILL.get((table.name, column.name))) is not None:
                        conn.exec_driver_sql(f'UPDATE "{table.name}" SET "{column.name}" = '
                                             f'"{source}"')
                        added[-1] += f" (= {source})"
                indexes = {i["name"] for i in found.get_indexes(table.name)}
                for index in table.indexes:
                    if index.name not in indexes:
                        index.create(conn)
                        added.append(f"index {index.name}")
        db.engine.dispose()
    return added
