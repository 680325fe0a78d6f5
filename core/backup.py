"""Backup and restore of the database and the uploaded files (`make backup`, `make restore`).

A backup is one directory:

    database.dump      PostgreSQL: `pg_dump --format=custom --no-owner --no-privileges`
    database.sqlite3   SQLite: a consistent copy made with sqlite3's online backup API
    media/...          every file under MEDIA_ROOT, at the same relative path
    backup.json        when, which engine and server, the latest applied migration per app, counts
    MANIFEST.sha256    `<sha256>  <path>` for each file above (`sha256sum -c MANIFEST.sha256` checks it)

It is written into a hidden sibling directory and renamed into place at the end, so a directory
with the final name is always complete. A restore checks every line of the manifest, then that the
target database is empty and that no file in MEDIA_ROOT would be replaced by a different one, before
it changes anything; afterwards it checks the restored files against the manifest again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = "MANIFEST.sha256"
METADATA = "backup.json"
POSTGRES_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
MEDIA_DIR = "media"
POSTGRES_LIB = Path("/usr/lib/postgresql")
INSTALL_HINT = "install the PostgreSQL client tools: apt-get install postgresql-client-{major} (or postgresql-client)"
_MANIFEST_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64}) [ *](?P<path>.+)$")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and is meant for the operator."""


class RestoreRefused(BackupError):
    """A restore refused before it changed anything."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    media_files: int
    total_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    media_files: int
    media_copied: int
    migrations: dict[str, str]


# --- files and the manifest -----------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_with_sha256(source: Path, target: Path) -> str:
    """Copy in one pass, hashing what was read, so the digest is of the bytes actually copied."""
    digest = hashlib.sha256()
    with open(source, "rb") as reader, open(target, "xb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    shutil.copystat(source, target)
    return digest.hexdigest()


def _checked_relative(path: str) -> PurePosixPath:
    """A manifest path must stay inside the backup (and MEDIA_ROOT): no absolute paths, no `..`."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"清单中的路径不安全 / unsafe path in {MANIFEST}: {path!r}")
    return relative


def manifest_read(directory: Path) -> dict[str, str]:
    """{relative path: sha256} from the manifest; a malformed manifest is refused."""
    manifest = directory / MANIFEST
    if not manifest.is_file():
        raise BackupError(f"不是完整的备份 / not a complete backup: {manifest} is missing")
    entries: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.match(line)
        if match is None:
            raise BackupError(f"清单格式错误 / {MANIFEST} line {number} is not `<sha256>  <path>`: {line!r}")
        path = str(_checked_relative(match["path"]))
        entries[path] = match["digest"]
    return entries


def manifest_verify(directory: Path) -> dict[str, str]:
    """Every listed file exists and has its digest, or BackupError naming the first that does not."""
    entries = manifest_read(directory)
    for path, expected in entries.items():
        file = directory / path
        # A link would copy whatever it points at (any file the restoring user can read) into MEDIA_ROOT.
        if any((directory / Path(*PurePosixPath(path).parts[:n])).is_symlink()
               for n in range(1, len(PurePosixPath(path).parts) + 1)):
            raise BackupError(f"备份中不能有符号链接 / a symbolic link in the backup is refused: {path}")
        if not file.is_file():
            raise BackupError(f"备份文件缺失 / file missing from the backup: {path}")
        if file_sha256(file) != expected:
            raise BackupError(f"备份文件已被改动 / file changed since the backup (SHA-256 differs): {path}")
    if METADATA not in entries:
        raise BackupError(f"不是完整的备份 / not a complete backup: {METADATA} is not in {MANIFEST}")
    dumps = [name for name in (POSTGRES_DUMP, SQLITE_DUMP) if name in entries]
    if len(dumps) != 1:
        raise BackupError(f"不是完整的备份 / {MANIFEST} must list exactly one of {POSTGRES_DUMP}, {SQLITE_DUMP}")
    return entries


# --- the database ---------------------------------------------------------------------------------


def _engine(connection) -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库 / backup supports PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def _tool_major(binary: str) -> int:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"无法识别版本 / cannot read the version of {binary}: {output!r}")
    return int(match[1])


def postgres_tool(name: str, *, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version (Debian keeps each under
    /usr/lib/postgresql/<major>/bin), else a newer one there, else the one on PATH. One older than
    the server is refused: pg_dump refuses a newer server, pg_restore a newer archive."""
    exact = POSTGRES_LIB / str(server_major) / "bin" / name
    candidates = [exact] if exact.is_file() else []
    newer = sorted(
        (path for path in POSTGRES_LIB.glob(f"*/bin/{name}") if path.parent.parent.name.isdigit()
         and int(path.parent.parent.name) > server_major),
        key=lambda path: int(path.parent.parent.name),
    )
    candidates += newer
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    if not candidates:
        raise BackupError(f"找不到 {name} / {name} not found: " + INSTALL_HINT.format(major=server_major))
    binary = str(candidates[0])
    major = _tool_major(binary)
    if major < server_major:
        raise BackupError(
            f"{name} 版本过旧 / {binary} is version {major}, older than the server ({server_major}): "
            + INSTALL_HINT.format(major=server_major)
        )
    return binary


def _postgres_args(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection options and environment for the libpq tools. The password goes in PGPASSWORD,
    never on the command line, where any user of the host could read it in the process list."""
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    args += ["--no-password", "--dbname", str(settings_dict["NAME"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                             ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE")):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败 / failed (exit {result.returncode}):\n{result.stderr.strip()}")


def _server_major(connection) -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _database_dump(connection, directory: Path) -> tuple[str, dict]:
    engine = _engine(connection)
    if engine == "sqlite":
        # The online backup API copies a consistent snapshot even while others write, and works for
        # an in-memory database too (the tests'); copying the file could catch a half-written page.
        connection.ensure_connection()
        target = sqlite3.connect(directory / SQLITE_DUMP)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return SQLITE_DUMP, {"sqlite_version": sqlite3.sqlite_version}
    major = _server_major(connection)
    pg_dump = postgres_tool("pg_dump", server_major=major)
    args, env = _postgres_args(connection.settings_dict)
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(directory / POSTGRES_DUMP)],
         env)
    return POSTGRES_DUMP, {"server_version": connection.pg_version, "pg_dump_major": _tool_major(pg_dump)}


def migration_state(connection) -> dict[str, str]:
    """The latest applied migration per app, e.g. {"core": "0004_public_version", ...}."""
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def database_tables(connection) -> list[str]:
    """What would stop a restore: relations outside the system schemas (PostgreSQL), tables (SQLite)."""
    connection.ensure_connection()
    if _engine(connection) == "sqlite":
        return connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'"
            " ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


# --- backup ---------------------------------------------------------------------------------------


def _media_files(media_root: Path) -> list[PurePosixPath]:
    """Regular files under MEDIA_ROOT, sorted, as relative POSIX paths (symbolic links are skipped:
    they point outside what the portal wrote)."""
    if not media_root.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = PurePosixPath(path.relative_to(media_root).as_posix())
            if "\n" in str(relative) or "\\" in str(relative):
                # sha256sum would escape such a name; Django's storage never makes one.
                raise BackupError(f"无法备份的文件名 / file name not supported in the manifest: {str(relative)!r}")
            found.append(relative)
    return found


def backup_create(*, connection, media_root: Path, destination: Path) -> BackupResult:
    """Write a backup of `connection`'s database and of `media_root` into `destination`, which must
    not exist yet. Side effects: runs pg_dump (PostgreSQL); creates `destination` (mode 0700: it holds
    every account's password hash) by renaming a finished temporary sibling."""
    engine = _engine(connection)
    if connection.in_atomic_block:
        # pg_dump, another session, would not see this transaction's rows, and SQLite's backup would
        # wait for ever for the write lock this transaction holds.
        raise BackupError("备份须在事务之外进行 / a backup cannot run inside a database transaction")
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"目标已存在 / {destination} already exists; choose a new directory")
    partial = destination.parent / f".{destination.name}.partial-{os.getpid()}"
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(f"无法创建备份目录 / cannot create the backup directory {destination}: {error}") from error
    try:
        entries: dict[str, str] = {}
        dump_name, server = _database_dump(connection, partial)
        entries[dump_name] = file_sha256(partial / dump_name)

        media_bytes = 0
        media = _media_files(Path(media_root))
        for relative in media:
            target = partial / MEDIA_DIR / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            entries[f"{MEDIA_DIR}/{relative}"] = _copy_with_sha256(Path(media_root) / relative, target)
            media_bytes += target.stat().st_size

        metadata = {
            "created_at": datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds"),
            "engine": engine,
            **server,
            "database_file": dump_name,
            "database_bytes": (partial / dump_name).stat().st_size,
            "migrations": migration_state(connection),
            "media_files": len(media),
            "media_bytes": media_bytes,
        }
        (partial / METADATA).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        entries[METADATA] = file_sha256(partial / METADATA)
        (partial / MANIFEST).write_text("".join(f"{digest}  {path}\n" for path, digest in sorted(entries.items())),
                                        encoding="utf-8")
        total = sum((partial / path).stat().st_size for path in entries) + (partial / MANIFEST).stat().st_size
        # Owner-only files as well as the directory: a copy made with cp -r or rsync keeps them so.
        for path in [*entries, MANIFEST]:
            (partial / path).chmod(0o600)
        os.rename(partial, destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(path=destination, engine=engine, media_files=len(media), total_bytes=total)


# --- restore --------------------------------------------------------------------------------------


def _media_conflicts(entries: dict[str, str], media_root: Path) -> tuple[list[str], int]:
    """(files in MEDIA_ROOT that differ from the backup's, how many are already identical)."""
    conflicts, identical = [], 0
    for path, digest in entries.items():
        if not path.startswith(f"{MEDIA_DIR}/"):
            continue
        target = media_root / path.removeprefix(f"{MEDIA_DIR}/")
        if target.is_symlink() or target.exists():
            if target.is_file() and not target.is_symlink() and file_sha256(target) == digest:
                identical += 1
            else:
                conflicts.append(str(target))
    return conflicts, identical


def _restore_checks(*, source: Path, connection, media_root: Path) -> tuple[dict[str, str], dict, str]:
    """Everything that must hold before a restore changes anything: (manifest, metadata, engine)."""
    if not source.is_dir():
        raise BackupError(f"找不到备份目录 / backup directory not found: {source}")
    entries = manifest_verify(source)
    try:
        metadata = json.loads((source / METADATA).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{METADATA} 无效 / {METADATA} is not valid JSON: {error}") from error
    if not isinstance(metadata, dict):
        raise BackupError(f"{METADATA} 无效 / {METADATA} is not a JSON object")
    engine = _engine(connection)
    if metadata.get("engine") != engine:
        raise BackupError(
            f"数据库类型不符 / this backup is of a {metadata.get('engine')} database and cannot be restored"
            f" into {engine}"
        )
    tables = database_tables(connection)
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise BackupError(
            f"目标数据库不是空的 / the target database is not empty ({len(tables)} tables, e.g. {shown});"
            " restore only into a new, empty database"
        )
    conflicts, _ = _media_conflicts(entries, media_root)
    if conflicts:
        shown = ", ".join(conflicts[:5]) + (" …" if len(conflicts) > 5 else "")
        raise BackupError(
            f"MEDIA_ROOT 中已有不同的文件 / {len(conflicts)} files in MEDIA_ROOT differ from the backup's and"
            f" would be overwritten: {shown}"
        )
    return entries, metadata, engine


def backup_restore(*, source: Path, connection, media_root: Path) -> RestoreResult:
    """Restore the backup in `source` into `connection`'s database, which must be empty, and its
    files into `media_root`. Nothing is changed unless every manifest line checks out, the database
    has no tables and no file in `media_root` would be overwritten with different content.
    Side effects: runs pg_restore in one transaction (PostgreSQL) or writes the SQLite database;
    copies the files."""
    source = Path(source)
    media_root = Path(media_root)
    try:
        entries, metadata, engine = _restore_checks(source=source, connection=connection, media_root=media_root)
    except BackupError as error:
        raise RestoreRefused(str(error)) from error

    if engine == "sqlite":
        source_db = sqlite3.connect(f"file:{source / SQLITE_DUMP}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source_db.backup(connection.connection)
        finally:
            source_db.close()
    else:
        pg_restore = postgres_tool("pg_restore", server_major=_server_major(connection))
        args, env = _postgres_args(connection.settings_dict)
        # One transaction: a restore that fails half-way leaves the database as empty as it was.
        _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args,
              str(source / POSTGRES_DUMP)], env)

    copied = media = 0
    for path, digest in sorted(entries.items()):
        if not path.startswith(f"{MEDIA_DIR}/"):
            continue
        media += 1
        target = media_root / path.removeprefix(f"{MEDIA_DIR}/")
        if target.exists():
            continue  # identical: checked above
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring-{os.getpid()}")
        try:
            written = _copy_with_sha256(source / path, partial)
            if written != digest:
                raise BackupError(f"复制后校验失败 / {path} does not match the manifest after copying")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        copied += 1
    for path, digest in entries.items():
        if path.startswith(f"{MEDIA_DIR}/") and file_sha256(media_root / path.removeprefix(f"{MEDIA_DIR}/")) != digest:
            raise BackupError(f"恢复后校验失败 / restored file does not match the manifest: {path}")
    return RestoreResult(engine=engine, media_files=media, media_copied=copied,
                         migrations=metadata.get("migrations", {}))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
