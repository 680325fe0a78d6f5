"""`manage.py restore <directory>`: a backup from `manage.py backup` into an empty database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import BackupError, RestoreRefused, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database and MEDIA_ROOT. Refuses, "
        "changing nothing, if a file does not match the manifest, the database has tables, or a file in "
        "MEDIA_ROOT would be overwritten with different content."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup directory (contains MANIFEST.sha256)")

    def handle(self, *args, directory, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            result = backup_restore(source=Path(directory), connection=connection,
                                    media_root=Path(settings.MEDIA_ROOT))
        except RestoreRefused as error:
            raise CommandError(f"拒绝恢复，未做任何改动 / restore refused, nothing was changed: {error}") from error
        except BackupError as error:
            raise CommandError(f"恢复失败 / restore failed: {error}") from error
        target = connection.settings_dict["NAME"]
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成 / Restored: {directory} → {result.engine} database {target}, "
            f"{result.media_files} 个文件 / files into {settings.MEDIA_ROOT} "
            f"({result.media_copied} copied, {result.media_files - result.media_copied} already there)"
        ))
        if result.migrations:
            summary = ", ".join(f"{app} {name}" for app, name in result.migrations.items())
            self.stdout.write(f"备份时的迁移 / migrations at backup time: {summary}")
        self.stdout.write("下一步 / Next: `manage.py migrate` applies any migration newer than the backup.")
