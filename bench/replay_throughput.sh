#!/usr/bin/env bash
# `conform replay` end to end on generated recordings of conforming UCloud GetRepo pages (the
# lines of bench/replay_bench.cpp: 20 items, ~3.3 KB of body, ~4.6 KB a line; every 97th page
# with a string TotalCount, so the replay exits 1). For each length (default 10000 and 100000)
# and --jobs 1 and 2: the median over R runs (default 5) of wall time, exchanges/s, MB/s, and
# the largest peak RSS (/usr/bin/time -v, "Maximum resident set size"). Not a timed test:
# numbers only. The recordings are written to a temporary directory and removed at the end.
# Usage: bench/replay_throughput.sh [BUILD_DIR] [RUNS] [LENGTH...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
shift $(( $# >= 2 ? 2 : $# ))
lengths=("$@")
[ ${#lengths[@]} -eq 0 ] && lengths=(10000 100000)
conform=$build/runner/cli/conform
bench=$build/bench/replay_bench
for tool in "$conform" "$bench" /usr/bin/time; do
  [ -x "$tool" ] || { echo "missing $tool (build the conform and replay_bench targets)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-9s %-5s %-9s %-10s %-12s %-8s %-12s\n' exchanges jobs MB wall_s exchanges/s MB/s peak_RSS_MB
for n in "${lengths[@]}"; do
  file=$work/replay-$n.jsonl
  "$bench" --generate "$n" "$file"
  bytes=$(stat -c %s "$file")
  for jobs in 1 2; do
    walls=() rss=0
    for ((i = 0; i < runs; i++)); do
      set +e
      /usr/bin/time -v -o "$work/time.txt" "$conform" replay "$file" --jobs "$jobs" --quiet \
        --report-dir "$work/report" >/dev/null 2>"$work/stderr.txt"
      status=$?
      set -e
      if [ "$status" -gt 1 ]; then # 0 conformant, 1 deviations found: both are a full replay
        echo "conform replay exited $status:" >&2
        cat "$work/stderr.txt" "$work/time.txt" >&2
        exit 1
      fi
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
               n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' \
             "$work/time.txt")
      kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
      walls+=("$wall")
      [ "$kb" -gt "$rss" ] && rss=$kb
    done
    median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR] = $1}
               END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
    awk -v n="$n" -v j="$jobs" -v b="$bytes" -v w="$median" -v r="$rss" 'BEGIN {
      printf "%-9d %-5d %-9.1f %-10.2f %-12.0f %-8.1f %-12.1f\n",
             n, j, b / 1e6, w, n / w, b / 1e6 / w, r / 1024 }'
  done
  rm -f "$file"
done
