#!/usr/bin/env bash
# Runs BenchmarkScale (cmd/grantwatch/scale_bench_test.go: the real binary
# crawling, notifying and serving a world of 100·k sources, 2,000·k notices,
# 3,000·k windows and 100·k subscribers) at each size k given, and prints a
# markdown table: a column per size and, for each figure, its growth from
# one size to the next beside the work factor (the ratio of the sizes).
# Usage: contrib/bench/scale.sh [k ...]   (default: 1 10 100; 100 takes
# the better part of an hour on 2 cores)
# The raw benchmark output of each size is kept in $SCALE_OUT (default: a
# new folder under /tmp, named at the end); KEEP=1 keeps each size's
# database, config and logs there too; REUSE=1 (with SCALE_OUT) runs only the
# sizes that have no result there yet, then prints the table of them all.
# GRANTWATCH_SCALE_PROFILE=DIR writes each phase's CPU profile there
# (crawl.prof, notify.prof …; go tool pprof "$out/gw.test" DIR/crawl.prof).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- 1 10 100
out=${SCALE_OUT:-$(mktemp -d /tmp/gw-scale.XXXXXX)}
mkdir -p "$out"
go test -c -o "$out/gw.test" ./cmd/grantwatch
for k in "$@"; do
  if [ -n "${REUSE:-}" ] && awk '/^BenchmarkScale/ { ok = 1 } END { exit !ok }' "$out/scale-$k.txt" 2>/dev/null; then
    echo "scale ${k}x: reusing $out/scale-$k.txt" >&2
    continue
  fi
  echo "scale ${k}x: running (output in $out/scale-$k.txt)" >&2
  keep=
  [ -n "${KEEP:-}" ] && keep="$out/k$k"
  if ! (cd cmd/grantwatch && GRANTWATCH_SCALE=$k GRANTWATCH_SCALE_DIR=$keep "$out/gw.test" \
      -test.run '^$' -test.bench '^BenchmarkScale$' -test.benchtime 1x -test.timeout 0) >"$out/scale-$k.txt" 2>&1; then
    echo "scale ${k}x failed:" >&2
    awk '{ l[NR % 40] = $0 } END { for (i = NR - 39; i <= NR; i++) if (i > 0) print l[i % 40] }' "$out/scale-$k.txt" >&2
    exit 1
  fi
done

# One BenchmarkScale line per file: "BenchmarkScale-2 1 N ns/op V unit V unit …".
for k in "$@"; do printf '%s %s\n' "$k" "$out/scale-$k.txt"; done | awk '
function num(v) {
  if (v == "") return "-"
  if (v + 0 == int(v + 0) || v + 0 >= 100) return sprintf("%.0f", v)
  if (v + 0 >= 10) return sprintf("%.1f", v)
  if (v + 0 >= 1) return sprintf("%.2f", v)
  return sprintf("%.3g", v)
}
function growth(a, b) {
  if (a == "" || b == "" || a + 0 == 0) return "-"
  g = b / a
  if (g == int(g) || g >= 100) return sprintf("%.0f", g)
  return g >= 10 ? sprintf("%.1f", g) : sprintf("%.2f", g)
}
BEGIN {
  n = split("notices windows windows_live subscribers s_total " \
    "s_crawl s_bound x_bound notices_per_s ms_cpu_per_notice mb_rss_crawl s_recrawl ms_cpu_per_source_recrawl mb_rss_recrawl " \
    "mails deliveries s_notify mails_per_s ms_cpu_per_mail mb_rss_notify " \
    "ms_listing_at_start ms_healthz ms_metrics_first ms_metrics ms_upcoming_first ms_upcoming ms_feed_first ms_feed_warm ms_feed_304 ms_feed_after_change kb_feed " \
    "ms_feed_all_first ms_feed_all_warm kb_feed_all mb_rss_serve mb_db", order, " ")
  split("notices stored|windows stored|windows open or to come at now|subscribers|" \
    "whole benchmark, s|cold crawl, s|politeness bound (busiest host requests - 1) x 5 ms, s|cold crawl / bound|" \
    "notices per second, cold crawl|CPU per notice, cold crawl, ms|peak RSS crawl, MB|second crawl (all 304), s|CPU per source, second crawl, ms|peak RSS second crawl, MB|" \
    "mails sent (notify at now)|deliveries rows after notify|notify, s|mails per second|CPU per mail, notify, ms|peak RSS notify, MB|" \
    "feed listing read at start (in the background), ms|/healthz, ms (median of 5)|/metrics first (counts read), ms|/metrics after (counts kept), ms (median of 5)|/upcoming first, ms|/upcoming warm, ms (median of 5)|" \
    "region+topic feed first, ms|region+topic feed warm, ms|region+topic feed 304, ms|region+topic feed after a change, ms|region+topic feed size, KB|" \
    "unfiltered feed first, ms|unfiltered feed warm, ms|unfiltered feed size, KB|peak RSS serve (VmHWM), MB|" \
    "DB + WAL, MB", label, "|")
  for (i = 1; i <= n; i++) { known[order[i]] = 1; desc[order[i]] = label[i] }
}
{
  k = $1; file = $2; sizes[++ns] = k
  found = 0
  while ((getline line < file) > 0) {
    if (line !~ /^BenchmarkScale/) continue
    found = 1
    m = split(line, f, /[ \t]+/)
    for (i = 3; i + 1 <= m; i += 2) {
      unit = f[i + 1]; v = f[i]
      if (unit == "ns/op") { unit = "s_total"; v = v / 1e9 }
      val[k, unit] = v
      if (!(unit in known) && !(unit in extra)) { extra[unit] = 1; order[++n] = unit; desc[unit] = unit }
    }
  }
  close(file)
  if (!found) { print "no BenchmarkScale line in " file > "/dev/stderr"; bad = 1 }
}
END {
  if (bad) exit 1
  head = "| figure |"; rule = "|---|"
  for (j = 1; j <= ns; j++) { head = head " " sizes[j] "x |"; rule = rule "---:|" }
  for (j = 2; j <= ns; j++) {
    head = head " " sizes[j-1] "x -> " sizes[j] "x (work " growth(sizes[j-1], sizes[j]) ") |"; rule = rule "---:|"
  }
  print head; print rule
  for (i = 1; i <= n; i++) {
    u = order[i]; any = 0
    for (j = 1; j <= ns; j++) if ((sizes[j], u) in val) any = 1
    if (!any || u == "k") continue
    row = "| " desc[u] " |"
    for (j = 1; j <= ns; j++) row = row " " num(val[sizes[j], u]) " |"
    for (j = 2; j <= ns; j++) row = row " " growth(val[sizes[j-1], u], val[sizes[j], u]) " |"
    print row
  }
}'
echo >&2
echo "raw output: $out" >&2
