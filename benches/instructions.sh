#!/usr/bin/env bash
# Instructions per in-process request, counted by callgrind: unlike times, they do not move with the
# machine's load, so a regression shows. For each stack the `instructions` example runs twice, with
# LOW and HIGH requests; the difference divided by HIGH - LOW is the cost of one request, without
# start-up.
#
#   baton, axum, hyper   the in-process workload of `cargo bench --bench context -- request/`
#                        (benches/workload.rs): 5 providing middleware + a handler reading all 5,
#                        request building and body collection included, as in the criterion group
#   baton-in-place       the same baton app called as `baton::serve` calls it (in place, no
#                        `oneshot` on a clone of the router per request)
#   baton-providers      the older baton-only workload (5 providers giving constants,
#                        `App::call_request`), kept so figures recorded before stay reproducible
#
#     bash benches/instructions.sh                   # needs valgrind (Debian's package)
#     bash benches/instructions.sh baton hyper       # only some stacks
#     LOW=200 HIGH=2200 bash benches/instructions.sh # the defaults
#
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
low=${LOW:-200}
high=${HIGH:-2200}
if [ "$high" -le "$low" ]; then
    echo "HIGH ($high) must be above LOW ($low)" >&2
    exit 2
fi
if [ $# -gt 0 ]; then stacks=("$@"); else stacks=(baton baton-in-place axum hyper baton-providers); fi

# The build's warnings (from any crate of the workspace) would mix with the figures: shown on failure only.
if ! log=$(cargo build --release -q -p baton-benches --example instructions 2>&1); then
    printf '%s\n' "$log" >&2
    exit 1
fi
bin=${CARGO_TARGET_DIR:-target}/release/examples/instructions

collected() {
    local out
    if ! out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1); then
        printf '%s\n' "$out" >&2
        echo "instructions $1 $2 failed under callgrind" >&2
        exit 1
    fi
    printf '%s\n' "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

declare -A per_request
echo "instructions per request (callgrind, ($high - $low requests) / $((high - low))):"
for stack in "${stacks[@]}"; do
    a=$(collected "$stack" "$low")
    b=$(collected "$stack" "$high")
    per_request[$stack]=$(( (b - a) / (high - low) ))
    printf '  %-16s %8d\n' "$stack" "${per_request[$stack]}"
done

ratio() { # ratio NUMERATOR DENOMINATOR: prints "name/name = x.yz" when both were measured
    if [ -n "${per_request[$1]:-}" ] && [ -n "${per_request[$2]:-}" ]; then
        awk -v n="${per_request[$1]}" -v d="${per_request[$2]}" -v label="$1/$2" \
            'BEGIN { printf "  %-16s %8.2f\n", label, n / d }'
    fi
}
echo "ratios:"
ratio baton hyper
ratio baton-in-place hyper
ratio axum baton
ratio axum hyper
