"""Start-up checks of the task book's settings."""

from django.conf import settings
from django.core.checks import Error, register

from .enums import PartyKind


@register()
def signing_parties(app_configs, **kwargs):
    """TASK_BOOK_SIGNING_PARTIES names only known parties, and at least one."""
    parties = list(settings.TASK_BOOK_SIGNING_PARTIES)
    unknown = [p for p in parties if p not in PartyKind.values]
    if unknown or not parties:
        return [Error(f"TASK_BOOK_SIGNING_PARTIES={','.join(parties)!r}: each must be one of "
                      f"{', '.join(PartyKind.values)}, and at least one is needed.", id="contracts.E001")]
    return []
