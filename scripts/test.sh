#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts PostgreSQL, and runs every test.
# Storage and server tests run once on SQLite and once on PostgreSQL (GATEWAY_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
url=$(bash scripts/start-postgres.sh | tail -1)
shared=${GATEWAY_SHARED:-../shared}
mkdir -p target
export PEERS_VENV=$(bash "$shared/peers/setup.sh" "$PWD/target/peers-venv" | tail -n 1)
echo "test peers: $PEERS_VENV"
export GATEWAY_TEST_DATABASE_URL="$url"
echo "PostgreSQL for tests: $(psql "$url" -qtAc 'SELECT version()')"

# Each test database made on PostgreSQL is logged by gateway-testkit; count this run's.
psql "$url" -qc "CREATE TABLE IF NOT EXISTS gateway_test_log (name TEXT, created_at TIMESTAMPTZ DEFAULT now())"
started=$(psql "$url" -qtAc "SELECT now()")

cargo test --workspace --locked

# The codec against the official stylesheets, through Saxon (about a minute).
"$PEERS_VENV/bin/python" -m pip install -q --disable-pip-version-check saxonche==13.1.1 lxml==6.1.3
GATEWAY_SAXON_PYTHON="$PEERS_VENV/bin/python" cargo test --locked -p gateway-convert --test saxon -- --ignored

# The OpenAPI document must be valid OpenAPI 3.1 for an independent validator.
python3 -m pip install -q --disable-pip-version-check openapi-spec-validator==0.9.0 >/dev/null
cargo run -q --locked --bin gateway -- openapi > target/openapi.json
python3 -m openapi_spec_validator --schema 3.1.0 target/openapi.json

made=$(psql "$url" -qtAc "SELECT count(*) FROM gateway_test_log WHERE created_at >= '$started'")
echo "PostgreSQL: $made test databases were created and used in this run"
if [ "$made" -eq 0 ]; then
  echo "error: no test ran against PostgreSQL" >&2
  exit 1
fi
