#!/usr/bin/env bash
# System packages and services the tests need that pip cannot install:
#  - Debian's chromium for the browser tests;
#  - a Java runtime (17 or newer) for the Spark leg of the engine-parametrised tests;
#  - a PostgreSQL server on 127.0.0.1:5432 (trust auth, database `test`) for the migration and
#    accounts tests on PostgreSQL: started when installed but not running, installed when absent.
# Uses apt-get / service as root, or through sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -q; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@"
}

if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  apt_install default-jre-headless
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  $SUDO service postgresql start || $SUDO pg_ctlcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
# the tests connect as postgres to database `test` over TCP without a password (trust auth)
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  HBA=$($SUDO -u postgres psql -tA -c 'show hba_file' 2>/dev/null || su postgres -c "psql -tA -c 'show hba_file'")
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$HBA"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$HBA" 2>/dev/null || $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$HBA"
    $SUDO service postgresql reload || true
    sleep 1
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test'
fi
