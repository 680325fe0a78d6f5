from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.PasswordBackend"


def move_sessions(apps, schema_editor):
    """Sign-in now goes through accounts.backends.PasswordBackend. A session records the backend
    that signed its user in, and Django signs out a session whose backend is no longer configured:
    without this, every user would be signed out by the deploy, in the middle of whatever form."""
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(session_data__isnull=False).iterator(chunk_size=500):
        data = store.decode(session.session_data)
        if data.get("_auth_user_backend") == OLD:
            data["_auth_user_backend"] = NEW
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_admin_role_placeholder_units"), ("sessions", "0001_initial")]

    operations = [migrations.RunPython(move_sessions, migrations.RunPython.noop)]
