#!/usr/bin/env bash
# Loopback HTTP hello world: baton vs a bare hyper server, measured with wrk (HTTP/1.1) or h2load
# (HTTP/2, cleartext with prior knowledge).
#
#   benches/loopback.sh              # HTTP/1.1, wrk
#   TOOL=h2load benches/loopback.sh  # HTTP/2, h2load (Debian's nghttp2-client)
#
# Builds `benches/examples/bench_hello_baton.rs` and `benches/examples/bench_hello_hyper.rs` (package
# `baton-benches`) in release, starts both on
# 127.0.0.1 (ephemeral ports), warms each up with a short wrk run, then runs `wrk -t1 -c64 -d10s` against
# each, alternating which goes first, 3 rounds. Prints requests/s per run, the medians and the ratio
# baton / hyper. With `taskset` and at least 2 CPUs, servers run on CPU 0 and wrk on CPU 1.
#
# With TOOL=h2load each run is `h2load -t$THREADS -c$CONNECTIONS -m$STREAMS -D<seconds>`: STREAMS (10) is the
# number of concurrent streams per connection.
#
# Knobs (environment): TOOL (wrk), STREAMS (10), ROUNDS (3), DURATION (10s), CONNECTIONS (64), THREADS (1), WARMUP (2s),
# SERVER_CPU (0), WRK_CPU (1). "cpu" columns: the server's CPU use during the run, in % of one CPU
# (from /proc/<pid>/stat); near 100 % means the server, not wrk, was the bottleneck.
set -euo pipefail

cd "$(dirname "$0")/.."

TOOL=${TOOL:-wrk}
STREAMS=${STREAMS:-10}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-2s}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}

case $TOOL in
    wrk) command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; } ;;
    h2load) command -v h2load >/dev/null || { echo "h2load not found (apt-get install -y nghttp2-client)" >&2; exit 1; } ;;
    *) echo "TOOL must be wrk or h2load" >&2; exit 1 ;;
esac

SERVER_PIN=()
WRK_PIN=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_PIN=(taskset -c "$SERVER_CPU")
    WRK_PIN=(taskset -c "$WRK_CPU")
    echo "pinning: servers on CPU $SERVER_CPU, wrk on CPU $WRK_CPU (taskset)"
else
    echo "pinning: none (taskset missing or fewer than 2 CPUs)"
fi

echo "building (release)..."
cargo build --release --quiet -p baton-benches --example bench_hello_baton --example bench_hello_hyper
BIN_DIR=${CARGO_TARGET_DIR:-target}/release/examples

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

declare -A ADDR SPID
start_server() {
    local name=$1 out="$WORK/$1.out"
    "${SERVER_PIN[@]}" "$BIN_DIR/bench_hello_$name" 127.0.0.1:0 >"$out" 2>"$WORK/$name.err" &
    PIDS+=("$!")
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$out"; then
            ADDR[$name]=$(sed -n 's/^listening on //p' "$out")
            SPID[$name]=$!
            echo "$name listening on ${ADDR[$name]} (pid $!)"
            return
        fi
        sleep 0.05
    done
    echo "$name did not start" >&2
    cat "$WORK/$name.err" >&2
    exit 1
}

# CPU time (user + system, in clock ticks) the server process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${SPID[$1]}/stat"; }

# Runs wrk (bounded by `timeout`) and prints its requests/s; the full wrk output goes to $WORK, and the
# server's CPU use during the run (in % of one CPU) to $WORK/$name.$tag.cpu.
run_wrk() {
    local name=$1 duration=$2 tag=$3
    local log="$WORK/$name.$tag.wrk"
    local ticks0 t0
    ticks0=$(cpu_ticks "$name")
    t0=$(date +%s.%N)
    if [ "$TOOL" = h2load ]; then
        timeout 60 "${WRK_PIN[@]}" h2load -t"$THREADS" -c"$CONNECTIONS" -m"$STREAMS" -D"${duration%s}" \
            "http://${ADDR[$name]}/" >"$log" 2>&1 || { cat "$log" >&2; echo "h2load failed for $name" >&2; exit 1; }
    else
        timeout 60 "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 2s \
            "http://${ADDR[$name]}/" >"$log" 2>&1 || { cat "$log" >&2; echo "wrk failed for $name" >&2; exit 1; }
    fi
    awk -v a="$ticks0" -v b="$(cpu_ticks "$name")" -v t0="$t0" -v t1="$(date +%s.%N)" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }' >"$WORK/$name.$tag.cpu"
    if [ "$TOOL" = h2load ]; then
        # Every request must succeed: "requests: N total, N started, N done, N succeeded, 0 failed, 0 errored".
        if ! grep -qE '^requests: .* 0 failed, 0 errored' "$log" || ! grep -qE '^status codes: [0-9]+ 2xx, 0 3xx, 0 4xx, 0 5xx' "$log"; then
            echo "warning: $name $tag: $(grep -E '^(requests|status codes):' "$log" | tr '\n' ' ')" >&2
        fi
        awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^req\/s/) { gsub(",", "", $i); print $i } }' "$log"
    else
        if grep -qE 'Non-2xx|Socket errors' "$log"; then
            echo "warning: $name $tag: $(grep -E 'Non-2xx|Socket errors' "$log" | tr '\n' ' ')" >&2
        fi
        awk '/^Requests\/sec:/ { print $2 }' "$log"
    fi
}

start_server baton
start_server hyper

# Sanity: both answer the same body.
for name in baton hyper; do
    body=$(curl -s --max-time 2 "http://${ADDR[$name]}/" 2>/dev/null || true)
    [ -z "$body" ] || [ "$body" = "hello world" ] || { echo "$name answered '$body'" >&2; exit 1; }
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warm-up: $TOOL $WARMUP each (not recorded)"
run_wrk baton "$WARMUP" warmup >/dev/null
run_wrk hyper "$WARMUP" warmup >/dev/null

BATON=()
HYPER=()
BATON_EFF=()
HYPER_EFF=()
RATIOS=()
echo
if [ "$TOOL" = h2load ]; then
    echo "h2load (HTTP/2) -t$THREADS -c$CONNECTIONS -m$STREAMS -D${DURATION%s}, $ROUNDS rounds, alternating order"
else
    echo "wrk (HTTP/1.1) -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, alternating order"
fi
printf '%-6s %-12s %14s %14s %9s %10s %10s\n' round order "baton req/s" "hyper req/s" ratio "baton cpu" "hyper cpu"
for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order=(baton hyper); else order=(hyper baton); fi
    declare -A rps=()
    for name in "${order[@]}"; do
        rps[$name]=$(run_wrk "$name" "$DURATION" "round$round")
    done
    BATON+=("${rps[baton]}")
    HYPER+=("${rps[hyper]}")
    # Requests per second of server CPU time: less sensitive to other load on the server's CPU.
    BATON_EFF+=("$(awk -v r="${rps[baton]}" -v c="$(cat "$WORK/baton.round$round.cpu")" 'BEGIN { printf "%.0f", r / (c / 100) }')")
    HYPER_EFF+=("$(awk -v r="${rps[hyper]}" -v c="$(cat "$WORK/hyper.round$round.cpu")" 'BEGIN { printf "%.0f", r / (c / 100) }')")
    ratio=$(awk -v b="${rps[baton]}" -v h="${rps[hyper]}" 'BEGIN { printf "%.3f", b / h }')
    RATIOS+=("$ratio")
    printf '%-6s %-12s %14s %14s %9s %9s%% %9s%%\n' "$round" "${order[0]}-first" "${rps[baton]}" "${rps[hyper]}" "$ratio" \
        "$(cat "$WORK/baton.round$round.cpu")" "$(cat "$WORK/hyper.round$round.cpu")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb=$(median "${BATON[@]}")
mh=$(median "${HYPER[@]}")
echo
echo "median baton: $mb req/s"
echo "median hyper: $mh req/s"
awk -v b="$mb" -v h="$mh" 'BEGIN { printf "ratio baton / hyper (medians): %.3f (%.1f %%); bar: >= 90 %% -> %s\n", b / h, 100 * b / h, (b / h >= 0.9) ? "met" : "not met" }'
# Each round's two runs are adjacent in time, so their ratio cancels the machine's drift between rounds
# (on a shared host its speed can swing by a third within a minute), which the medians above do not.
mr=$(median "${RATIOS[@]}")
awk -v r="$mr" 'BEGIN { printf "median of the rounds'"'"' ratios: %.3f (%.1f %%); bar: >= 90 %% -> %s\n", r, 100 * r, (r >= 0.9) ? "met" : "not met" }'
eb=$(median "${BATON_EFF[@]}")
eh=$(median "${HYPER_EFF[@]}")
echo "diagnostic, requests per server CPU-second (medians): baton $eb, hyper $eh, ratio $(awk -v b="$eb" -v h="$eh" 'BEGIN { printf "%.3f", b / h }')"
echo "  per run: baton ${BATON_EFF[*]}; hyper ${HYPER_EFF[*]}"
echo
echo "latency (last round):"
for name in baton hyper; do
    printf '  %-6s %s\n' "$name" "$(grep -E '^ +Latency|^time for request' "$WORK/$name.round$ROUNDS.wrk" | tr -s ' ')"
done
