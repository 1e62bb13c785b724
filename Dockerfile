# syntax=docker/dockerfile:1
# Production image of the 综治中心 platform: gunicorn (web), celery worker and celery beat all
# run this image with different commands (see docker-compose.yml).

# --- front-end packages from npm (served by the app itself: no CDN on the intranet) ----------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev

# --- the application ----------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# CJK fonts + Pango/HarfBuzz for WeasyPrint PDFs; gettext to compile the Chinese catalogue;
# postgresql-client (15, as the postgres:15 service) for manage.py backup / restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 1000 zongzhi \
 && useradd --system --uid 1000 --gid zongzhi --home-dir /app --shell /usr/sbin/nologin zongzhi
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY --from=assets /build/node_modules ./node_modules
COPY . .
# Static files and translations are built into the image with throw-away settings; the real
# values come from the environment at run time (docker-compose.yml reads .env).
RUN export DEBUG=0 ALLOWED_HOSTS=build.invalid DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        SECRET_KEY=build-only-not-used-at-run-time-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c \
        PARTY_DATA_KEY=00000000000000000000000000000000 PARTY_HASH_KEY=build-only \
 && python manage.py collectstatic --noinput -v 0 \
 && if find . -path ./node_modules -prune -o -name '*.po' -print -quit | grep -q .; then \
        python manage.py compilemessages --ignore=node_modules -v 0; fi \
 && rm -f /tmp/build.sqlite3 \
 && mkdir -p /app/var/media \
 && chown -R zongzhi:zongzhi /app/var
USER zongzhi
EXPOSE 8000
CMD ["gunicorn", "governance.wsgi", "-c", "deploy/gunicorn.conf.py"]
