#!/usr/bin/env bash
# Installs Debian's PostgreSQL when missing, starts a cluster on 127.0.0.1:5432 when none is running,
# and creates the role/database the tests use (tunix/tunix, database tunix_test). Idempotent.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_createcluster "$ver" main >/dev/null
    cluster="$ver main"
  fi
  pg_ctlcluster $cluster start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tunix') THEN
    CREATE ROLE tunix LOGIN PASSWORD 'tunix' CREATEDB;
  END IF;
END $$;
SELECT 'CREATE DATABASE tunix_test OWNER tunix' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tunix_test')\gexec
SQL
echo "postgres: ready on 127.0.0.1:5432 (tunix_test)"
