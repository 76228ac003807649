#!/usr/bin/env bash
# Run the whole test suite on SQLite, then on PostgreSQL when reachable.
# With CI=true PostgreSQL and the browser (Debian's chromium) are required, not optional.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${SHEGONG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/shegong}"
CI="${CI:-}"

if [ -n "$CI" ] && [ "$CI" != "false" ]; then
  export SHEGONG_REQUIRE_BROWSER=1
fi

echo "== tests on SQLite"
env -u SHEGONG_DATABASE_URL "$PY" -m pytest -n "${TEST_WORKERS:-2}" -q "$@"

pg_ok=0
if "$PY" - "$PG_URL" <<'PYEOF'
import sys, psycopg
url = sys.argv[1].replace("/shegong", "/postgres", 1) if sys.argv[1].endswith("/shegong") else sys.argv[1]
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}")
    sys.exit(1)
PYEOF
then pg_ok=1; fi

if [ "$pg_ok" = 1 ]; then
  echo "== tests on PostgreSQL ($PG_URL)"
  SHEGONG_DATABASE_URL="$PG_URL" "$PY" -m pytest -n "${TEST_WORKERS:-2}" -q -m "not e2e" "$@"
elif [ -n "$CI" ] && [ "$CI" != "false" ]; then
  echo "CI=true but PostgreSQL is not reachable at $PG_URL" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped the PostgreSQL run (CI requires it)"
fi
