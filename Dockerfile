FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango, and HarfBuzz-subset to subset the bundled CJK font fast (static/fonts);
# `manage.py backup` needs pg_dump of the server's major version (bookworm's client is 15, as the db service).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
# The processes run as this user, never as root. The volumes' mount points are made here and given
# to it: Docker copies a directory's owner into a new named volume, whereas a mount point the image
# lacks is created owned by root, and every upload, signed PDF and beat schedule would then fail.
RUN groupadd --system --gid 10001 jiebang \
    && useradd --system --uid 10001 --gid jiebang --home-dir /app --no-create-home --shell /usr/sbin/nologin jiebang \
    && mkdir -p /data/media /data/var \
    && chown jiebang:jiebang /data/media /data/var
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files as production serves them (DEBUG off: whitenoise's compressed storage); the key is
# for this one command, the real one comes from the environment.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput
ENV MEDIA_ROOT=/data/media VAR_DIR=/data/var PYTHONUNBUFFERED=1
VOLUME ["/data/media", "/data/var"]
USER jiebang
EXPOSE 8000
CMD ["gunicorn", "jiebang.wsgi", "-b", "0.0.0.0:8000", "-w", "2"]
