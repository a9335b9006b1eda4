#!/usr/bin/env bash
# The 5-middleware workload over loopback HTTP/1.1: baton (`baton::serve`) against the same app in axum
# (`axum::serve`), `GET /users/42` with the tenant and language headers the providers read
# (`benches/workload.rs`). Each server is checked to answer 200 with the expected body first.
#
#   bash benches/loopback_workload.sh             # wrk -t1 -c64 -d10s, 3 rounds, alternating order
#   ROUNDS=5 DURATION=5s bash benches/loopback_workload.sh
#
# Servers run on CPU 0 and wrk on CPU 1 (taskset, with 2 CPUs or more). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
server_pin=()
wrk_pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    server_pin=(taskset -c 0)
    wrk_pin=(taskset -c 1)
fi
cargo build --release --quiet -p baton-benches --example bench_workload_baton --example bench_workload_axum
bin_dir=${CARGO_TARGET_DIR:-target}/release/examples
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

declare -A address
for name in baton axum; do
    "${server_pin[@]}" "$bin_dir/bench_workload_$name" 127.0.0.1:0 >"$work/$name.out" 2>&1 &
    pids+=("$!")
    for _ in $(seq 100); do grep -q '^listening on ' "$work/$name.out" && break; sleep 0.05; done
    address[$name]=$(sed -n 's/^listening on //p' "$work/$name.out")
    [ -n "${address[$name]}" ] || { cat "$work/$name.out" >&2; echo "$name did not start" >&2; exit 1; }
    body=$(curl -s --max-time 2 -H 'x-tenant-id: 3' -H 'accept-language: fr-CH' "http://${address[$name]}/users/42")
    case $body in
        "user 42 seen by alice (#7) in tenant 3 via primary/16 [fr] request "*) ;;
        *) echo "$name answered '$body'" >&2; exit 1 ;;
    esac
done

run() { # run NAME DURATION: prints requests/s
    local log="$work/$1.wrk"
    timeout 60 "${wrk_pin[@]}" wrk -t1 -c"$CONNECTIONS" -d"$2" --timeout 2s -H 'x-tenant-id: 3' \
        -H 'accept-language: fr-CH' "http://${address[$1]}/users/42" >"$log" 2>&1 ||
        { cat "$log" >&2; echo "wrk failed for $1" >&2; exit 1; }
    if grep -qE 'Non-2xx|Socket errors' "$log"; then
        echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' "$log" | tr '\n' ' ')" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' "$log"
}

run baton 2s >/dev/null
run axum 2s >/dev/null
baton_runs=()
axum_runs=()
printf '%-6s %14s %14s %9s\n' round "baton req/s" "axum req/s" "ratio"
for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order=(baton axum); else order=(axum baton); fi
    declare -A rps=()
    for name in "${order[@]}"; do rps[$name]=$(run "$name" "$DURATION"); done
    baton_runs+=("${rps[baton]}")
    axum_runs+=("${rps[axum]}")
    printf '%-6s %14s %14s %9s\n' "$round" "${rps[baton]}" "${rps[axum]}" \
        "$(awk -v b="${rps[baton]}" -v a="${rps[axum]}" 'BEGIN { printf "%.3f", b / a }')"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb=$(median "${baton_runs[@]}")
ma=$(median "${axum_runs[@]}")
echo "median baton: $mb req/s, median axum: $ma req/s"
awk -v b="$mb" -v a="$ma" 'BEGIN { printf "ratio baton / axum (medians): %.2fx\n", b / a }'
