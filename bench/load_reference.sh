#!/usr/bin/env bash
# The reference server (`conform serve`) under load, and under malformed requests (issue 7).
#
# For each contract: `conform serve` with signature verification on (the built-in test keys,
# given explicitly so that `conform sign` signs with them too), then wrk for DURATION at
# CONNECTIONS connections with validly signed requests, RUNS times. UCloud signatures carry no
# timestamp, so one signed URL serves every request. Tencent v2 wants a Timestamp within 300 s
# and a Nonce the server has not seen (its NonceLedger refuses a repeat with code 4500,
# AuthFailure.RequestReplay): each run precomputes NONCES signed URLs with fresh nonces and
# cycles through them, so only the first use of each is accepted and the rest measure the
# verify-then-refuse path. The Lua script counts accepted answers (envelope status 0) and
# refusals separately, so the figures say which is which.
# Then a run of malformed requests (garbage queries, invalid percent-encoding, non-UTF-8
# bytes, 100 KB headers, 10k parameters, oversized bodies) over raw sockets: each must get a
# 4xx or the contract's error envelope within 3 s, and the server must still be alive after.
# Prints requests/s (median of the runs), non-2xx and socket errors, accepted/refused counts,
# and the server's RSS before and after (VmRSS). Not a timed test: numbers only.
#
# Usage: bench/load_reference.sh [BUILD_DIR] [DURATION] [CONNECTIONS] [RUNS] [NONCES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
duration=${2:-30s}
connections=${3:-64}
runs=${4:-3}
nonces=${5:-400}
conform=$build/runner/cli/conform
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
if [ ! -x "$conform" ]; then
  echo "building conform in $build" >&2
  cmake --build "$build" --target conform >&2
fi

work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

export UCLOUD_PUBLIC_KEY=conform-test-public-key
export UCLOUD_PRIVATE_KEY=conform-test-private-key-not-a-secret
export TENCENTCLOUD_SECRET_ID=AKIDconformTestSecretId0000000000
export TENCENTCLOUD_SECRET_KEY=conformTestSecretKeyNotASecret00

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# paths.lua: the request paths, cycled per thread; counts accepted and refused answers.
write_lua() { # $1: file with one path per line
  {
    echo 'local paths = {'
    sed 's/.*/  "&",/' "$1"
    cat <<'LUA'
}
n, accepted, refused = 0, 0, 0 -- globals: done() reads them with thread:get()
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = math.random(#paths) end
function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
function response(status, headers, body)
  if status == 200 and (body:find('"RetCode":0', 1, true) or body:find('"code":0', 1, true)) then
    accepted = accepted + 1
  else
    refused = refused + 1
  end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("refused") end
  io.write(string.format("accepted %d refused %d\n", a, r))
end
LUA
  } > "$work/paths.lua"
}

declare -A operation=([ucloud-uhub]=GetRepo [genesissai-uhub]=GetRepo [tencent-ccr]=GetFavor)
declare -A extra=([ucloud-uhub]="-p Limit=20" [genesissai-uhub]="-p Limit=20"
                  [tencent-ccr]="-p Region=ap-guangzhou")
printf '%-16s %10s %8s %8s %10s %10s %9s %9s\n' contract "req/s" non2xx sockerr accepted refused \
  "RSS0 KiB" "RSS1 KiB"
for contract in ucloud-uhub genesissai-uhub tencent-ccr; do
  "$conform" serve --contract "$contract" --listen 127.0.0.1:0 --threads 8 \
    > "$work/serve.out" 2> "$work/serve.err" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
  url=$(head -1 "$work/serve.out")
  hostport=${url#http://}
  hostport=${hostport%%/*}
  path=/${url#http://*/}
  sign() { "$conform" sign --contract "$contract" --host "$hostport" \
             -p "Action=${operation[$contract]}" ${extra[$contract]} "$@"; }
  # Warm up (first answers build caches), then the baseline RSS.
  q=$(sign -p Nonce=1)
  for _ in 1 2 3; do curl -s "$url?$(sign -p Nonce=$RANDOM$RANDOM)" > /dev/null || true; done
  rss_before=$(rss_kib "$server_pid")
  rates=() ; non2xx=0 ; sockerr=0 ; accepted=0 ; refused=0
  for run in $(seq "$runs"); do
    : > "$work/paths.txt"
    if [ "$contract" = tencent-ccr ]; then
      for i in $(seq "$nonces"); do
        echo "$path?$(sign -p Nonce=$((run * 1000000 + i)))" >> "$work/paths.txt"
      done
    else
      echo "$path?$(sign)" > "$work/paths.txt"
    fi
    write_lua "$work/paths.txt"
    out=$(wrk -t2 -c"$connections" -d"$duration" -s "$work/paths.lua" "http://$hostport")
    rates+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
    non2xx=$((non2xx + $(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)))
    errs=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}')
    sockerr=$((sockerr + ${errs:-0}))
    accepted=$((accepted + $(echo "$out" | awk '/^accepted/ {print $2}')))
    refused=$((refused + $(echo "$out" | awk '/^accepted/ {print $4}')))
  done
  rss_after=$(rss_kib "$server_pid")
  rps=$(printf '%s\n' "${rates[@]}" | median)
  printf '%-16s %10s %8d %8d %10d %10d %9d %9d   (runs: %s)\n' "$contract" "$rps" "$non2xx" \
    "$sockerr" "$accepted" "$refused" "$rss_before" "$rss_after" "${rates[*]}"

  # Malformed requests against the same server.
  python3 - "$hostport" <<'PY' || echo "  malformed: FAILED"
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
port = int(port)
def get(target, headers=""):
    return ("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (target, headers)).encode("latin-1")
cases = [
    ("garbage query", get("/?%%%&&==&=&a=b=c&&Action")),
    ("invalid percent-encoding", get("/?Action=%ZZ%4&Limit=%")),
    ("non-UTF-8 bytes", get("/?Action=\xff\xfe\x80&X=\xc3\x28")),
    ("100 KB header line", get("/?Action=GetRepo", "X-Huge: " + "h" * 100000 + "\r\n")),
    ("100 KB of headers", get("/?Action=GetRepo", "".join("X-F%d: %s\r\n" % (i, "f" * 1000) for i in range(100)))),
    ("10k parameters", get("/?Action=GetRepo" + "".join("&P%d=%d" % (i, i) for i in range(10000)))),
    ("not HTTP", b"\x16\x03\x01\x02\x00\x01\x00garbage\r\n\r\n"),
    ("1 GiB body announced", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n" + b"b" * 65536),
    ("endless chunk-size line", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"f" * (3 << 20)),
]
bad = 0
for name, data in cases:
    start = time.time()
    s = socket.create_connection((host, port), timeout=3)
    got = b""
    try:
        s.sendall(data)
    except OSError:
        pass
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    s.close()
    status = int(got[9:12]) if got.startswith(b"HTTP/1.") else 0
    body = got.split(b"\r\n\r\n", 1)[1][:80] if b"\r\n\r\n" in got else b""
    clean = 400 <= status < 500 or (status == 200 and body.startswith(b"{")) or (status == 0 and time.time() - start < 3)
    bad += not clean
    print("  malformed: %-26s -> %s %-3s %.0f ms %s" % (name, "ok " if clean else "BAD", status or "closed",
          (time.time() - start) * 1000, body[:60].decode("latin-1")))
alive = socket.create_connection((host, port), timeout=3)
alive.sendall(get("/?Action=Nope"))
answer = alive.recv(4096)
print("  malformed: server alive after: %s" % answer.split(b"\r\n", 1)[0].decode())
sys.exit(1 if bad else 0)
PY
  echo "  RSS after the malformed run: $(rss_kib "$server_pid") KiB"
  stop_server
done
