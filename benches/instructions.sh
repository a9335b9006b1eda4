#!/usr/bin/env bash
# Instructions per in-process request (5 providers + a handler reading all 5), counted by callgrind:
# unlike times, they do not move with the machine's load. Runs the `instructions` example with two
# request counts and divides the difference, so start-up is not counted.
#
#     bash benches/instructions.sh            # needs valgrind (Debian's package)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p baton-benches --example instructions
bin=target/release/examples/instructions
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
low=$(collected 200)
high=$(collected 2200)
echo "baton, 5 providers + handler: $(( (high - low) / 2000 )) instructions per request"
