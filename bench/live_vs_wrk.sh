#!/usr/bin/env bash
# conform run against the reference server, next to wrk on the same endpoint, in one session.
# The dataset is grown to N items (default 1400) so that the walk case (limit 7) walks 200
# pages; every other UCloud case runs too. Prints the medians of R runs (default 5) of
# cases/s and requests/s for `conform run --jobs 2`, wrk's requests/s on the signed default
# page (2 threads, 16 connections, 10 s), and the ratio. Not a timed test: numbers only.
# Usage: bench/live_vs_wrk.sh [BUILD_DIR] [ITEMS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
items=${2:-1400}
runs=${3:-5}
conform=$build/runner/cli/conform
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp -r "$root/cases" "$work/cases"
python3 - "$root/cases/ucloud-uhub/GetRepo.dataset.json" "$work/cases/ucloud-uhub/GetRepo.dataset.json" "$items" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(src))
base = d["items"]
d["items"] = [dict(base[i % len(base)], RepoName="bench-%05d" % i) for i in range(n)]
json.dump(d, open(dst, "w"), indent=1)
cases = dst.replace(".dataset.json", ".cases.json")
c = json.load(open(cases))
for k in c["cases"]:
    if k["kind"] == "walk":
        k["walk"]["max_pages"] = n // k["walk"]["limit"] + 2  # the whole listing
json.dump(c, open(cases, "w"), indent=1)
PY

# The built-in test keys, given explicitly so that the external run signs with them too.
export UCLOUD_PUBLIC_KEY=conform-test-public-key
export UCLOUD_PRIVATE_KEY=conform-test-private-key-not-a-secret
"$conform" serve --contract ucloud-uhub --cases "$work/cases" --listen 127.0.0.1:0 --threads 8 \
  > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
url=$(head -1 "$work/serve.out")
echo "reference server: $url ($items items)"

rates=()
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  "$conform" run --target "ref=$url" --contract ucloud-uhub --cases "$work/cases" --jobs 2 \
    --quiet --report-dir "$work/report" > /dev/null 2>&1 || true
  end=$(date +%s%N)
  rates+=("$(python3 - "$work/report/report.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
secs = (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
cases = r["summary"]["cases"]
exchanges = sum(len(c["exchanges"]) for t in r["targets"] for c in t["cases"])
print("%.1f %.1f %d %d %.3f" % (cases / secs, exchanges / secs, cases, exchanges, secs))
PY
)")
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
cases_s=$(printf '%s\n' "${rates[@]}" | cut -d' ' -f1 | median)
req_s=$(printf '%s\n' "${rates[@]}" | cut -d' ' -f2 | median)
echo "conform run --jobs 2: ${rates[0]#* * } ... (cases, exchanges, seconds of the first run)"
echo "conform run --jobs 2: median $cases_s cases/s, $req_s requests/s over $runs runs"

hostport=${url#http://}
hostport=${hostport%%/*}
query=$("$conform" sign --contract ucloud-uhub --host "$hostport" -p Action=GetRepo -p Limit=20)
wrk_out=$(wrk -t2 -c16 -d10s "${url%/}/?$query")
wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
echo "wrk -t2 -c16 -d10s (signed default page): $wrk_rps requests/s"
python3 -c "print('ratio conform requests/s : wrk requests/s = %.3f' % ($req_s / $wrk_rps))"
