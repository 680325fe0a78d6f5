"""`manage.py backup` and `manage.py restore`: the demo survives a round trip into a new, empty database
on the engine the tests run on (SQLite here, PostgreSQL in CI), and a restore refuses, changing nothing,
a tampered backup, a non-empty database and a media file it would overwrite."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import load_backend

from core.backup import RestoreRefused, backup_create, backup_restore, database_tables, file_sha256


def _open(settings_dict):
    """A Django connection to another database with the same settings (closed by the caller)."""
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="restored")


def _database_url(settings_dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "localhost"
    return f"postgres://{credentials}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


@pytest.fixture
def empty_database(tmp_path):
    """The settings of a new, empty database: on the test server with a fresh name (PostgreSQL; named
    after this worker's test database, so xdist workers never meet), or a new file (SQLite)."""
    if connection.vendor == "sqlite":
        yield {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg
    from psycopg import sql

    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    params = {"dbname": "postgres", "user": connection.settings_dict["USER"] or None,
              "password": connection.settings_dict["PASSWORD"] or None,
              "host": connection.settings_dict["HOST"] or None, "port": connection.settings_dict["PORT"] or None}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _load_reference_data():
    """Regions, fields and the public version row come from data migrations, which a transactional
    test's flush removes (the loaders are idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("accounts.migrations.0002_regions").load_regions(apps, None)
    import_module("demands.migrations.0002_default_fields").load_fields(apps, None)
    import_module("core.migrations.0004_public_version").create_row(apps, None)


@pytest.fixture
def reference_data():
    """The demo needs them; an earlier transactional test may have flushed them."""
    _load_reference_data()


@pytest.fixture(scope="module", autouse=True)
def _reference_data_after_the_flush(django_db_setup, django_db_blocker):
    """These tests commit (transaction=True) and the flush after each empties every table; put the
    data migrations' rows back once they are done, so a later test finds the database as migrated."""
    yield
    with django_db_blocker.unblock():
        _load_reference_data()


def _row_counts(conn) -> dict[str, int]:
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _media_hashes(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): file_sha256(path) for path in root.rglob("*") if path.is_file()}


def _small_media(root: Path) -> None:
    (root / "notices").mkdir(parents=True)
    (root / "notices" / "公示.pdf").write_bytes(b"%PDF-1.7 a notice")
    (root / "readme.txt").write_text("uploaded\n", encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_backup_round_trips_the_demo_into_an_empty_database(reference_data, settings, tmp_path, empty_database):
    # Committed rows (transaction=True), so pg_dump, another session, sees the demo.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"  # the demo signing certificate
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "Backup written" in out.getvalue() and str(tmp_path / "backup") in out.getvalue()
    assert (tmp_path / "backup" / "MANIFEST.sha256").is_file()
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]

    restored_media = tmp_path / "restored-media"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiebang.settings", "DEBUG": "1",
           "DATABASE_URL": _database_url(empty_database), "MEDIA_ROOT": str(restored_media)}
    result = subprocess.run([sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
                            cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    restored = _open(empty_database)
    try:
        original_counts = _row_counts(connection)
        assert _row_counts(restored) == original_counts
        assert sum(original_counts.values()) >= 500
        assert original_counts["contracts_taskbook"] > 0
        original_files = _media_hashes(tmp_path / "media")
        assert len(original_files) >= 5
        assert _media_hashes(restored_media) == original_files

        # The sequences came along: a new row gets an id after the restored ones, not a clash.
        with restored.cursor() as cursor:
            cursor.execute("SELECT MAX(id) FROM django_content_type")
            highest = cursor.fetchone()[0]
            cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('backup_test', 'probe')")
            cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'backup_test'")
            assert cursor.fetchone()[0] > highest
    finally:
        restored.close()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_tampered_backup_and_changes_nothing(tmp_path, empty_database):
    _small_media(tmp_path / "media")
    backup_create(connection=connection, media_root=tmp_path / "media", destination=tmp_path / "backup")
    tampered = tmp_path / "backup" / "media" / "notices" / "公示.pdf"
    content = bytearray(tampered.read_bytes())
    content[-1] ^= 1
    tampered.write_bytes(bytes(content))

    target = _open(empty_database)
    try:
        with pytest.raises(RestoreRefused) as refused:
            backup_restore(source=tmp_path / "backup", connection=target, media_root=tmp_path / "restored-media")
        assert "media/notices/公示.pdf" in str(refused.value)
        assert database_tables(target) == []
    finally:
        target.close()
    assert not (tmp_path / "restored-media").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(settings, tmp_path):
    _small_media(tmp_path / "media")
    backup_create(connection=connection, media_root=tmp_path / "media", destination=tmp_path / "backup")
    before = _row_counts(connection)
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())
    assert _row_counts(connection) == before
    assert not (tmp_path / "restored-media").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_overwrite_a_different_media_file(tmp_path, empty_database):
    _small_media(tmp_path / "media")
    backup_create(connection=connection, media_root=tmp_path / "media", destination=tmp_path / "backup")
    _small_media(tmp_path / "restored-media")
    (tmp_path / "restored-media" / "readme.txt").write_text("someone else's\n", encoding="utf-8")

    target = _open(empty_database)
    try:
        with pytest.raises(RestoreRefused, match="readme.txt"):
            backup_restore(source=tmp_path / "backup", connection=target, media_root=tmp_path / "restored-media")
        assert database_tables(target) == []
    finally:
        target.close()
    assert (tmp_path / "restored-media" / "readme.txt").read_text(encoding="utf-8") == "someone else's\n"


def _relist(backup: Path, path: str) -> None:
    """Put `path` in the manifest with its current digest (what someone who edits a backup would do)."""
    manifest = backup / "MANIFEST.sha256"
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if not line.endswith(f"  {path}")]
    lines.append(f"{file_sha256(backup / path)}  {path}")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_symbolic_link_and_a_broken_metadata_file(tmp_path, empty_database):
    _small_media(tmp_path / "media")
    backup_create(connection=connection, media_root=tmp_path / "media", destination=tmp_path / "backup")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for MEDIA_ROOT\n", encoding="utf-8")
    (tmp_path / "backup" / "media" / "passwd.txt").symlink_to(secret)
    _relist(tmp_path / "backup", "media/passwd.txt")

    target = _open(empty_database)
    try:
        with pytest.raises(RestoreRefused, match="symbolic link"):
            backup_restore(source=tmp_path / "backup", connection=target, media_root=tmp_path / "restored-media")
        (tmp_path / "backup" / "media" / "passwd.txt").unlink()
        manifest = tmp_path / "backup" / "MANIFEST.sha256"
        manifest.write_text("".join(line + "\n" for line in manifest.read_text(encoding="utf-8").splitlines()
                                    if "passwd.txt" not in line), encoding="utf-8")
        for broken in ("[1, 2]", "{not json"):
            (tmp_path / "backup" / "backup.json").write_text(broken, encoding="utf-8")
            _relist(tmp_path / "backup", "backup.json")
            with pytest.raises(RestoreRefused, match="backup.json"):
                backup_restore(source=tmp_path / "backup", connection=target, media_root=tmp_path / "restored-media")
        assert database_tables(target) == []
    finally:
        target.close()
    assert not (tmp_path / "restored-media").exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_readable_by_its_owner_only_and_a_bad_destination_is_a_message(tmp_path):
    _small_media(tmp_path / "media")
    result = backup_create(connection=connection, media_root=tmp_path / "media", destination=tmp_path / "backup")
    files = [path for path in result.path.rglob("*") if path.is_file()]
    assert len(files) >= 5 and {oct(path.stat().st_mode & 0o777) for path in files} == {"0o600"}
    assert oct(result.path.stat().st_mode & 0o777) == "0o700"

    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot create the backup directory"):
        call_command("backup", str(tmp_path / "a-file" / "backup"), stdout=io.StringIO())
