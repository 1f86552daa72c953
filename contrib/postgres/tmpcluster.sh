#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: Debian's postgresql package,
# a data folder under a temporary directory, owned by an unprivileged user
# (PostgreSQL refuses to run as root), on a free loopback port.
#
#   contrib/postgres/tmpcluster.sh start DIR   # prints the URL; DIR/url holds it
#   contrib/postgres/tmpcluster.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "tmpcluster: no PostgreSQL server (apt-get install postgresql)" >&2; exit 2; }
as() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$pguser" -- "$@"; else "$@"; fi
}
pguser=$(id -un)
if [ "$(id -u)" = 0 ]; then
  pguser=grantwatch-pg
  id "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
fi
case $cmd in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown "$pguser" "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # C.UTF-8: Chinese characters are letters to pg_trgm's word splitting.
    as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000)))
  as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
  url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  echo "$url" >"$dir/url"
  echo "$url"
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] && as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "tmpcluster: start or stop" >&2; exit 2 ;;
esac
