#!/usr/bin/env bash
# `conform replay` end to end on generated recordings of conforming UCloud GetRepo pages (the
# lines of bench/replay_bench.cpp: 20 items, ~3.3 KB of body, ~4.6 KB a line; every 97th page
# with a string TotalCount, so the replay exits 1), paired: for each length (default 10000 and
# 100000) and each of R rounds (default 5), parse-only (`replay_bench --parse-only` on the same
# file: every line through simdjson, one thread) and then each binary with --jobs 1 and 2, in
# turn, so that load on the machine hits all of them alike. For each binary and --jobs: the
# median wall time, exchanges/s, MB/s, the median of the rounds' ratios to that round's
# parse-only time, and the largest peak RSS (/usr/bin/time -v). Each round also runs two
# --jobs 1 of the new binary at once: what two cores give this work on this machine right now
# (a virtual machine's second core may be far from a whole one), the ceiling for --jobs 2; and
# each binary's replay of the file's first line alone: the start every run pays on one thread
# (process, libraries, contract loading, report, exit), with which --jobs 2 over --jobs 1 could
# reach at most (start + rest) / (start + rest / ceiling) at this length.
# Not a timed test: numbers only.
# The recordings are written to a temporary directory (TMPDIR) and removed after each length.
# Usage: bench/replay_throughput.sh NEW_BUILD_DIR [RUNS] [LENGTH...]
#        BASE=OTHER_BUILD_DIR bench/replay_throughput.sh NEW_BUILD_DIR ...   (paired with a base)
#        REPLAY_BENCH=build-perf/bench/replay_bench ...   (parse-only from a build with the
#          benchmarks, when NEW_BUILD_DIR has only conform: scripts/build-pgo's)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
shift $(( $# >= 2 ? 2 : $# ))
lengths=("$@")
[ ${#lengths[@]} -eq 0 ] && lengths=(10000 100000)
bench=${REPLAY_BENCH:-$build/bench/replay_bench} # parse-only; REPLAY_BENCH: another build's
binaries=(new)
declare -A conform=([new]=$build/runner/cli/conform)
if [ -n "${BASE:-}" ]; then
  binaries=(base new)
  conform[base]=$BASE/runner/cli/conform
fi
for tool in "${conform[@]}" "$bench" /usr/bin/time; do
  [ -x "$tool" ] || { echo "missing $tool (build the conform and replay_bench targets)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# timed LABEL COMMAND...: wall seconds and peak RSS (kB) appended to $work/LABEL.{wall,rss}.
timed() {
  local label=$1; shift
  set +e
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt"
  local status=$?
  t1=$(date +%s%N)
  set -e
  if [ "$status" -gt 1 ]; then # 0 conformant, 1 deviations found: both are a full replay
    echo "$* exited $status:" >&2
    cat "$work/stderr.txt" "$work/time.txt" >&2
    exit 1
  fi
  echo "$t0 $t1" | awk '{printf "%.4f\n", ($2 - $1) / 1e9}' >>"$work/$label.wall"
  awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt" >>"$work/$label.rss"
}

printf '%-9s %-5s %-5s %-8s %-8s %-12s %-8s %-9s %-12s\n' exchanges bin jobs MB wall_s \
  exchanges/s MB/s ratio peak_RSS_MB
for n in "${lengths[@]}"; do
  file=$work/replay-$n.jsonl
  "$bench" --generate "$n" "$file"
  bytes=$(stat -c %s "$file")
  one=$work/one-$n.jsonl
  head -n 1 "$file" >"$one"
  rm -f "$work"/*.wall "$work"/*.rss
  for ((i = 0; i < runs; i++)); do
    timed parse "$bench" --parse-only "$file"
    for jobs in 1 2; do
      for bin in "${binaries[@]}"; do
        timed "$bin-$jobs" "${conform[$bin]}" replay "$file" --jobs "$jobs" --quiet \
          --report-dir "$work/report"
      done
    done
    for bin in "${binaries[@]}"; do
      timed "$bin-start" "${conform[$bin]}" replay "$one" --jobs 1 --quiet --report-dir "$work/report"
    done
    # What the machine's two cores give this work right now: two --jobs 1 at once (new).
    timed pair bash -c '"$1" replay "$2" --jobs 1 --quiet --report-dir "$3/a" & a=$!
      "$1" replay "$2" --jobs 1 --quiet --report-dir "$3/b"; b=$?; wait $a; a=$?
      exit $((a > b ? a : b))' pair "${conform[new]}" "$file" "$work"
  done
  parse=$(median <"$work/parse.wall")
  awk -v n="$n" -v b="$bytes" -v w="$parse" -v r="$(sort -g "$work/parse.rss" | tail -1)" 'BEGIN {
    printf "%-9d %-5s %-5d %-8.1f %-8.3f %-12.0f %-8.1f %-9.3f %-12.1f\n",
           n, "parse", 1, b / 1e6, w, n / w, b / 1e6 / w, 1, r / 1024 }'
  for jobs in 1 2; do
    for bin in "${binaries[@]}"; do
      label=$bin-$jobs
      wall=$(median <"$work/$label.wall")
      ratio=$(paste "$work/parse.wall" "$work/$label.wall" | awk '{print $1 / $2}' | median)
      rss=$(sort -g "$work/$label.rss" | tail -1)
      awk -v n="$n" -v bin="$bin" -v j="$jobs" -v b="$bytes" -v w="$wall" -v q="$ratio" \
        -v r="$rss" 'BEGIN {
        printf "%-9d %-5s %-5d %-8.1f %-8.3f %-12.0f %-8.1f %-9.3f %-12.1f\n",
               n, bin, j, b / 1e6, w, n / w, b / 1e6 / w, q, r / 1024 }'
    done
  done
  # --jobs 2 over --jobs 1, per round, median; and the machine's ceiling for it: the work of
  # two --jobs 1 at once over that of one (2 x one's wall / the pair's wall), per round.
  ceiling=$(paste "$work/new-1.wall" "$work/pair.wall" | awk '{print 2 * $1 / $2}' | median)
  echo "# $n machine: two --jobs 1 at once did $ceiling times the work of one (median of rounds)"
  for bin in "${binaries[@]}"; do
    speedup=$(paste "$work/$bin-1.wall" "$work/$bin-2.wall" | awk '{print $1 / $2}' | median)
    share=$(paste "$work/$bin-1.wall" "$work/$bin-2.wall" "$work/new-1.wall" "$work/pair.wall" |
      awk '{print ($1 / $2) / (2 * $3 / $4)}' | median)
    echo "# $n $bin jobs2/jobs1 (median of rounds) $speedup, of the machine's ceiling $share"
  done
  for bin in "${binaries[@]}"; do
    start=$(median <"$work/$bin-start.wall")
    bound=$(paste "$work/$bin-1.wall" "$work/$bin-start.wall" "$work/new-1.wall" "$work/pair.wall" |
      awk '{c = 2 * $3 / $4; print $1 / ($2 + ($1 - $2) / c)}' | median)
    echo "# $n $bin start (one exchange, --jobs 1) $start s: jobs2/jobs1 at the ceiling at most $bound"
  done
  rm -f "$file" "$one"
done
