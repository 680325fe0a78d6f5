"""`manage.py backup [directory]`: the database and the uploaded files, with a SHA-256 manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from core.backup import BackupError, backup_create, human_size


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a SQLite copy) and MEDIA_ROOT into a new directory, with a "
        "SHA-256 manifest. Default: var/backups/<YYYYmmdd-HHMMSS>/."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="where to write the backup (must not exist)")

    def handle(self, *args, directory=None, **options):
        if directory:
            destination = Path(directory)
        else:
            destination = Path(settings.VAR_DIR) / "backups" / timezone.localtime().strftime("%Y%m%d-%H%M%S")
        try:
            result = backup_create(connection=connections[DEFAULT_DB_ALIAS], media_root=Path(settings.MEDIA_ROOT),
                                   destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"备份完成 / Backup written: {result.path} "
            f"({result.engine} 数据库 + {result.media_files} 个文件 / database + {result.media_files} files, "
            f"{human_size(result.total_bytes)})"
        ))
        self.stdout.write("请将备份复制到本机以外保存 / Copy it off this host; "
                          f"check it with: cd {result.path} && sha256sum -c MANIFEST.sha256")
