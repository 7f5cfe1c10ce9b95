#!/usr/bin/env bash
# One bad-input case: `tradesim validate FILE` and `tradesim run FILE` must both exit 3,
# print every `# expect:` line of FILE on stderr, and write no result file.
set -u
tradesim=$1
file=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
mapfile -t expected < <(sed -n 's/^# expect: //p' "$file")
if ((${#expected[@]} == 0)); then
    echo "FAIL: $file has no '# expect:' line"
    exit 1
fi
for cmd in validate run; do
    if [[ $cmd == run ]]; then
        "$tradesim" run "$file" --out "$work/out.h5" --quiet >"$work/stdout" 2>"$work/stderr"
    else
        "$tradesim" validate "$file" >"$work/stdout" 2>"$work/stderr"
    fi
    code=$?
    if [[ $code -ne 3 ]]; then
        echo "FAIL: tradesim $cmd exited $code, expected 3 (bad input)"
        fail=1
    fi
    for e in "${expected[@]}"; do
        if ! grep -qF -- "$e" "$work/stderr"; then
            echo "FAIL: tradesim $cmd: stderr lacks: $e"
            fail=1
        fi
    done
    if [[ -e $work/out.h5 ]]; then
        echo "FAIL: a result file was written for an invalid scenario"
        fail=1
    fi
done
if ((fail)); then
    echo "---- stderr was:"
    cat "$work/stderr"
    exit 1
fi
echo "ok: $(basename "$file"): exit 3 with ${#expected[@]} expected message(s)"
