# syntax=docker/dockerfile:1
# One image for web, worker, beat and the one-shot migrate service (docker-compose.yml picks the command).

# ---- Front end: GOV.UK Frontend compiled with Dart Sass into static_build/ ----
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The build reads only its script and the Sass sources (see scripts/build-assets.mjs).
COPY scripts/ scripts/
COPY assets/ assets/
RUN npm run build

# ---- Application ----
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian packages WeasyPrint needs for action plan PDFs (keep in step with .ci/run).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 wres \
 && useradd --system --uid 1000 --gid wres --home-dir /app --shell /usr/sbin/nologin wres

WORKDIR /app
# Python packages from uv.lock (the versions and hashes CI installed), into /opt/venv, without the
# dev extra. uv comes from PyPI at the version pyproject.toml requires (keep the two in step).
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_CACHE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH
RUN pip install uv==0.13.9
# Dependencies first, from pyproject.toml and uv.lock alone, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-install-project

COPY . .
RUN uv sync --locked --no-editable
COPY --from=assets /build/static_build/ static_build/

# Collect static files at build time (WhiteNoise serves them). The key only satisfies settings
# for this one command; it is not kept in the image.
RUN SECRET_KEY=collectstatic-at-build-time-only DATABASE_URL= REDIS_URL= \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p private_media \
 && chown wres:wres private_media

USER wres
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wres_portal.wsgi:application"]
