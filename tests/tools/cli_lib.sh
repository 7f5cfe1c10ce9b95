# Helpers of the command-line tests (cli.sh and the cases in history/).
fail() { echo "FAIL: $*"; exit 1; }
# expect_code CODE CMD...: runs CMD, stdout/stderr to files, checks the exit code.
expect_code() {
    local want=$1
    shift
    "$@" >out.txt 2>err.txt
    local got=$?
    [[ $got -eq $want ]] || { cat out.txt err.txt; fail "'$*' exited $got, expected $want"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 lacks: $2"; }; }
