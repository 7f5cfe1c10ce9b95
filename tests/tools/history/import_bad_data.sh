# The bad-data catalogue (tests/history/bad_data/README.md) through the command line: exit code
# and message, location included, and no panel file written.
source "$2/tests/tools/cli_lib.sh"
T=$1
D=$2/tests/history/bad_data
check() { # CODE FILE FORMAT MESSAGE [OPTIONS...]
    local code=$1 file=$2 format=$3 message=$4
    shift 4
    expect_code "$code" "$T" import "$format" "$D/$file" --out "$file.h5" "$@"
    contains err.txt "$D/$file$message"
    [[ ! -e "$file.h5" ]] || fail "$file.h5 written"
}
check 4 truncated.csv.gz baci ": error: truncated or corrupt gzip file"
check 3 wrong_header.csv baci ":1: error: not a baci file: missing columns t, i, j"
check 3 non_numeric.csv table ":3: error: non-numeric value: CHN,DEU,2000,12x" --strict
check 3 duplicate_keys.csv table ":4: error: duplicate key: CHN,USA,2000,90" --strict
check 3 unknown_country.csv table ":3: error: unknown country: CHN,XYZ,2000,5" --strict
check 3 negative_value.csv table ":2: error: negative value: CHN,USA,2000,-100" --strict
check 3 missing_field.csv table ":3: error: missing field: CHN,,2000,5" --strict
contains err.txt "$D/missing_field.csv:4: error: missing field: CHN,DEU,2000"
# Without --strict the rows are dropped and reported, and the panel is written.
expect_code 0 "$T" import table "$D/duplicate_keys.csv" --out dup.h5
contains out.txt "duplicate key: 1 rows"
expect_code 0 "$T" export dup.h5 totals
contains out.txt "2000,105,"
exit 0
