#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster and makes a role for the tests (password auth on
# loopback). Prints the URL for GATEWAY_TEST_DATABASE_URL on its last line.
set -euo pipefail

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 50); do
  as_postgres "pg_isready -q" && break
  sleep 0.2
done
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'gateway_test'\"" | grep -q 1 ||
  as_postgres "psql -qc \"CREATE ROLE gateway_test LOGIN CREATEDB PASSWORD 'gateway_test'\""
as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'gateway_test'\"" | grep -q 1 ||
  as_postgres "createdb -O gateway_test gateway_test"
echo "postgres://gateway_test:gateway_test@127.0.0.1:5432/gateway_test"
