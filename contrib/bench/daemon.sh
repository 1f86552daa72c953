#!/usr/bin/env bash
# Measures the daemon's start-up time (exec to the first 200 from /healthz)
# and its resident memory after a minute idle, on a fresh database.
# Usage: contrib/bench/daemon.sh [idle seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/../.."
idle=${1:-60}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/grantwatch" ./cmd/grantwatch
port=$(( 20000 + RANDOM % 20000 ))
start=$(date +%s%N)
"$dir/grantwatch" serve --db "$dir/gw.db" --listen "127.0.0.1:$port" >"$dir/log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { cat "$dir/log"; exit 1; }
  sleep 0.005
done
ready=$(date +%s%N)
echo "start-up to /healthz: $(( (ready - start) / 1000000 )) ms"
sleep "$idle"
echo "idle RSS after ${idle}s: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
kill -TERM $pid
wait $pid || true
