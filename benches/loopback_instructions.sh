#!/usr/bin/env bash
# Instructions per loopback request, counted by callgrind on the server: the loopback hello world of
# `benches/loopback.sh` (baton's `bench_hello_baton` against the bare hyper `bench_hello_hyper`), without
# the machine's noise. Kernel time (the socket calls) is not counted: these are the user-space
# instructions a request costs each server.
#
#   bash benches/loopback_instructions.sh          # HTTP/1.1 and HTTP/2, 10 000 requests each
#   REQUESTS=20000 bash benches/loopback_instructions.sh h2
#
# Each server runs under `valgrind --tool=callgrind`; h2load (Debian's nghttp2-client) sends a warm-up of
# 1 000 requests, the counters are zeroed (`callgrind_control -z`), REQUESTS more are sent over 4
# connections (HTTP/2: 10 streams each), and the counters are dumped: instructions / REQUESTS.
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${REQUESTS:-10000}
if [ $# -gt 0 ]; then protocols=("$@"); else protocols=(h1 h2); fi
for tool in valgrind callgrind_control h2load; do
    command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install -y valgrind nghttp2-client)" >&2; exit 1; }
done
if ! log=$(cargo build --release -q -p baton-benches --example bench_hello_baton --example bench_hello_hyper 2>&1); then
    printf '%s\n' "$log" >&2
    exit 1
fi
bin_dir=${CARGO_TARGET_DIR:-target}/release/examples
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill -9 "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

load() { # load PROTOCOL ADDRESS COUNT
    local args=(-n "$3" -c 4 -t 1)
    if [ "$1" = h1 ]; then args+=(--h1); else args+=(-m 10); fi
    if ! h2load "${args[@]}" "http://$2/" >"$work/h2load" 2>&1 || ! grep -q "$3 succeeded" "$work/h2load"; then
        cat "$work/h2load" >&2
        echo "h2load failed" >&2
        exit 1
    fi
}

count() { # count SERVER PROTOCOL: prints instructions per request
    rm -f "$work"/cg.out* "$work/stdout"
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin_dir/$1" 127.0.0.1:0 \
        >"$work/stdout" 2>"$work/stderr" &
    server=$!
    for _ in $(seq 150); do grep -q listening "$work/stdout" 2>/dev/null && break; sleep 0.2; done
    local address
    address=$(sed -n 's/listening on //p' "$work/stdout")
    [ -n "$address" ] || { cat "$work/stderr" >&2; echo "$1 did not start" >&2; exit 1; }
    load "$2" "$address" 1000
    callgrind_control -z "$server" >/dev/null 2>&1
    load "$2" "$address" "$requests"
    callgrind_control -d "$server" >/dev/null 2>&1
    kill -9 "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
    local total
    total=$(cat "$work"/cg.out.* | sed -n 's/^totals: //p' | awk '{ sum += $1 } END { print sum }')
    echo $((total / requests))
}

echo "instructions per loopback request (callgrind on the server, $requests requests after a warm-up):"
for protocol in "${protocols[@]}"; do
    baton=$(count bench_hello_baton "$protocol")
    hyper=$(count bench_hello_hyper "$protocol")
    awk -v p="$protocol" -v b="$baton" -v h="$hyper" \
        'BEGIN { printf "  %-3s baton %7d  hyper %7d  baton/hyper %.2f\n", p, b, h, b / h }'
done
