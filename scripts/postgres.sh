# Sourced by .ci/run and deploy/stack.sh: a throwaway PostgreSQL cluster of
# our own (Debian's packages, no system service), on 127.0.0.1 only.
#   postgres_start DIR PORT [extra postgres options...]   initdb if needed, start
#   postgres_stop DIR
# As root, the cluster belongs to the "postgres" user made by the package.

postgres_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$bin"
}

postgres_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
  local dir=$1 port=$2
  shift 2
  local bin
  bin=$(postgres_bin)
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    postgres_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
  fi
  postgres_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $*" start >/dev/null
}

postgres_stop() {
  local dir=$1 bin
  bin=$(postgres_bin)
  [ -f "$dir/data/postmaster.pid" ] || return 0
  postgres_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
}
