"""Create the self-signed demo certificate for the task book's PAdES signature (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from contracts.signing import demo_certificate_create, demo_directory


class Command(BaseCommand):
    help = "Create the self-signed demo key and certificate that sign issued task books, unless one is set or exists."

    def handle(self, *args, **options):
        if settings.SIGNING_KEY_FILE or settings.SIGNING_CERT_FILE:
            self.stdout.write("SIGNING_KEY_FILE / SIGNING_CERT_FILE are set: no demo certificate needed.")
            return
        key_path, cert_path = demo_certificate_create(directory=demo_directory())
        self.stdout.write(f"Demo signing certificate: {cert_path} (key {key_path})")
