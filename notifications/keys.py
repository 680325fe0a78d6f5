"""Event keys built in SQL, so a sweep can leave out in the query what it has already sent."""

from django.db.models import CharField, Func


class KeyStamp(Func):
    """A UTC datetime as the digits an event key carries: `f"{dt:%Y%m%d%H%M%S}"` (or to the minute).

    Keys are formatted in Python from the datetime the database returns, which is UTC; this gives
    the same string in SQL, so `Notification.event_key = <built key>` matches what Python wrote.
    """

    output_field = CharField()
    formats = {  # precision: (SQLite strftime, PostgreSQL to_char)
        "second": ("%Y%m%d%H%M%S", "YYYYMMDDHH24MISS"),
        "minute": ("%Y%m%d%H%M", "YYYYMMDDHH24MI"),
    }

    def __init__(self, expression, *, precision: str = "second"):
        self.precision = precision
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", (self.formats[self.precision][0], *params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, self.formats[self.precision][1])
