# Sourced by the load scripts: the environment that makes the sample keep its data in STORAGE.
#
#   storage_env STORAGE FOLDER      sets the STORAGE_ENV array
#
# InMemory: the in-memory stores. Sqlite: a fresh file in FOLDER. PostgreSql: a fresh database on the server that
# VEZA_LOAD_POSTGRES names (a connection string with the right to create databases; the sample's migrations create
# it), for example the throwaway cluster of tests/postgres.sh:
#   source tests/postgres.sh && veza_pg_start && export VEZA_LOAD_POSTGRES="$VEZA_TEST_POSTGRES"
storage_env() {
  local storage=$1 folder=$2
  STORAGE_ENV=("Veza__Storage=$storage")
  case "$storage" in
    InMemory) ;;
    Sqlite)
      rm -f "$folder"/veza-load.db*
      STORAGE_ENV+=("ConnectionStrings__VezaSqlite=Data Source=$folder/veza-load.db")
      ;;
    PostgreSql)
      [ -n "${VEZA_LOAD_POSTGRES:-}" ] || { echo "error: set VEZA_LOAD_POSTGRES to a PostgreSQL server's connection string" >&2; return 1; }
      STORAGE_ENV+=("ConnectionStrings__VezaPostgreSql=$VEZA_LOAD_POSTGRES;Database=veza_load_$(date +%s%N)")
      ;;
    *) echo "error: STORAGE is InMemory, Sqlite or PostgreSql" >&2; return 1 ;;
  esac
}
