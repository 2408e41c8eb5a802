#!/bin/sh
# Run once by the postgres image when the database volume is first created (docker-compose.yml):
# the application's role, which is neither superuser nor owner. `manage.py migrate`, run as the
# owner with DATABASE_APP_ROLE=wres_app, grants it its privileges (audit/roles.py).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE wres_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
