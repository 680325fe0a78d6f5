from celery import current_app


def broker_status() -> str:
    """'ok' when the Celery broker accepts a connection, else the error's class name."""
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any broker failure is reported, not raised
        return f"error: {exc.__class__.__name__}"
    return "ok"
