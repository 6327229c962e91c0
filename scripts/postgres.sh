#!/usr/bin/env bash
# Makes a local PostgreSQL server available to the tests on 127.0.0.1:5432 with a `pingvas`
# role that may create databases (each test server makes its own and drops it). Installs
# Debian's postgresql when it is missing (needs root), starts the cluster if it is down.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pingvas') THEN
    CREATE ROLE pingvas LOGIN CREATEDB PASSWORD 'pingvas';
  END IF;
END $$;
SQL
echo "PostgreSQL $version ready on 127.0.0.1:5432"
