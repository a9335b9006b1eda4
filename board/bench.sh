#!/usr/bin/env bash
# `GET /tasks` for a logged-in user (session load, auth lookup, SQLite query, template) under wrk.
# Usage: board/bench.sh [connections] [seconds]   (needs wrk and curl; builds board in release mode)
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-32}
seconds=${2:-10}
port=${BOARD_BENCH_PORT:-3977}
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT

cargo build -q --release -p board
RUST_LOG=warn BATON_ADDR=127.0.0.1:$port BOARD_DB="$dir/board.db" target/release/board >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

jar="$dir/cookies"
csrf() { curl -s -b "$jar" -c "$jar" "http://127.0.0.1:$port$1" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1; }
token=$(csrf /signup)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$token" -d name=bench -d password=benchmark-password \
    "http://127.0.0.1:$port/signup"
for n in $(seq 10); do
    token=$(csrf /tasks)
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$token" -d "title=Task number $n" "http://127.0.0.1:$port/tasks"
done
curl -s -b "$jar" -c "$jar" -o /dev/null "http://127.0.0.1:$port/tasks" # takes the last flash
cookie=$(awk '$6 == "board.sid" { print $6 "=" $7 }' "$jar")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$port/tasks")
[ "$status" = 200 ] || { echo "the benchmark user is not logged in (GET /tasks answered $status)"; exit 1; }

wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/tasks"
