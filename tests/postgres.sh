# Sourced by test.sh: starts a throwaway PostgreSQL cluster from Debian's packages on a loopback port for the tests,
# and removes it again. `veza_pg_start` exports VEZA_TEST_POSTGRES (a connection string) and VEZA_PG_BIN (the folder
# of initdb and pg_ctl, for the tests that stop and restart a server of their own); `veza_pg_stop` removes the
# cluster. When the machine has no PostgreSQL, it installs Debian's with apt-get.

veza_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

veza_pg_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  local apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  echo "PostgreSQL is missing: installing Debian's postgresql with apt-get for the database tests"
  $apt install -y --no-install-recommends postgresql || { $apt update && $apt install -y --no-install-recommends postgresql; }
}

# Runs a PostgreSQL program as a user it accepts: the server refuses to run as root, so root runs it as `postgres`.
veza_pg_run() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

veza_pg_start() {
  local bin
  bin=$(veza_pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    veza_pg_install
    bin=$(veza_pg_bin)
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL could not be installed"
    return 1
  fi

  VEZA_PG_DIR=$(mktemp -d /tmp/veza-pg.XXXXXX)
  chmod 755 "$VEZA_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$VEZA_PG_DIR"; fi
  if ! veza_pg_run "$bin/initdb" -D "$VEZA_PG_DIR/data" -U veza --auth=trust -E UTF8 --locale=C >"$VEZA_PG_DIR/initdb.log" 2>&1; then
    cat "$VEZA_PG_DIR/initdb.log"
    return 1
  fi

  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    # Durability is not needed for a throwaway cluster: fsync off makes the tests faster.
    if veza_pg_run "$bin/pg_ctl" -D "$VEZA_PG_DIR/data" -l "$VEZA_PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $VEZA_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
      export VEZA_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=veza;Database=postgres"
      export VEZA_PG_BIN="$bin"
      echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') is running on 127.0.0.1:$port for the tests"
      return 0
    fi
  done
  tail -n 20 "$VEZA_PG_DIR/server.log" 2>/dev/null
  return 1
}

veza_pg_stop() {
  if [ -n "${VEZA_PG_DIR:-}" ] && [ -d "$VEZA_PG_DIR" ]; then
    veza_pg_run "$(veza_pg_bin)/pg_ctl" -D "$VEZA_PG_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$VEZA_PG_DIR"
    VEZA_PG_DIR=""
  fi
}
# How many tests of PostgreSQL passed in a TRX file (a test whose class or name says PostgreSql).
veza_postgres_passed() {
  awk '
    FNR == NR && /<UnitTest / { match($0, /id="[^"]*"/); id = substr($0, RSTART + 4, RLENGTH - 5) }
    FNR == NR && /<TestMethod / { if (tolower($0) ~ /postgresql/) pg[id] = 1; next }
    FNR != NR && /<UnitTestResult / { match($0, /testId="[^"]*"/); t = substr($0, RSTART + 8, RLENGTH - 9); if ((t in pg) && $0 ~ /outcome="Passed"/) n++ }
    END { print n + 0 }' "$1" "$1"
}
