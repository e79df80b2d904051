#!/bin/sh
# Builds every tests/contract/<area>/<name>.c the way aramid-test does
# (musl-gcc -static -O2, here also -Werror) and runs each one twice on this
# host. A test passes when both runs exit 0, end with CONTRACT_PASS, and print
# the same lines (a test whose output changes between runs is not a contract).
#
#   tests/contract/run_host.sh [GLOB]        e.g. 'fs.*' (default: every test)
#   taskset -c 0 tests/contract/run_host.sh  the same on one CPU
#
# One line per test (verdict, name, slower run's milliseconds), then a summary
# "N passed, N failed". Exit status 1 if anything failed. Runs as root, as
# aramid-test does.
set -u
here=$(cd "$(dirname "$0")" && pwd)
filter=${1:-*}
out=$(mktemp -d /tmp/ct-host.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM
command -v musl-gcc >/dev/null || { echo "musl-gcc is missing (apt-get install musl-tools)"; exit 2; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

passed=0 failed=0 slow=0
for src in "$here"/*/*.c; do
    area=$(basename "$(dirname "$src")")
    [ "$area" = runner ] && continue
    name="$area.$(basename "$src" .c)"
    case $name in $filter) ;; *) continue ;; esac
    bin="$out/bin/$name"
    mkdir -p "$out/bin"
    if ! musl-gcc -static -O2 -Wall -Wextra -Werror -I "$here" -o "$bin" "$src" >"$out/cc.log" 2>&1; then
        echo "FAIL  $name: does not compile"
        sed 's/^/      /' "$out/cc.log" | head -20
        failed=$((failed + 1))
        continue
    fi
    verdict=PASS detail="" worst=0
    for run in 1 2; do
        work="$out/work.$run"
        rm -rf "$work" && mkdir -p "$work"
        start=$(now_ms)
        (cd "$work" && exec timeout 20 "$bin" </dev/null >"$out/$run.out" 2>&1)
        rc=$?
        ms=$(($(now_ms) - start))
        [ "$ms" -gt "$worst" ] && worst=$ms
        last=$(tail -n 1 "$out/$run.out")
        if [ "$rc" -ne 0 ] || [ "$last" != CONTRACT_PASS ]; then
            verdict=FAIL detail="run $run exited $rc; last lines:"
            break
        fi
    done
    if [ "$verdict" = PASS ] && ! cmp -s "$out/1.out" "$out/2.out"; then
        verdict=FAIL detail="the two runs differ:"
    fi
    [ "$worst" -gt 50 ] && slow=$((slow + 1))
    printf '%-5s %-40s %5d ms\n' "$verdict" "$name" "$worst"
    if [ "$verdict" = PASS ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "      $detail"
        if [ "$detail" = "the two runs differ:" ]; then
            diff "$out/1.out" "$out/2.out" | head -10 | sed 's/^/      /'
        else
            tail -n 5 "$out/$run.out" | sed 's/^/      /'
        fi
    fi
done
[ "$slow" -gt 0 ] && echo "($slow tests took over 50 ms)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
