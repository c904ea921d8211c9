#!/usr/bin/env bash
# Mutation check (issue 12): does the test suite notice when a rule is broken?
#
#   benchmarks/mutation.sh [MODULE ...]     # default: chain lifecycle integrity export
#
# MODULE is one of the names in the case below. mutmut 2 changes one operator, constant or
# name at a time in the module and runs a focused test command; a mutant whose tests still
# pass "survived". Results are listed in benchmarks/mutation-survivors.md.
#
# Each module runs in its own scratch copy (MUTATION_DIR/MODULE, default /tmp/hazreg-mutation)
# of src/, tests/ and pyproject.toml, so your working copy is never mutated, and mutmut's cache
# (.mutmut-cache, with the module's own baseline time) stays there; run it again and only
# mutants not yet killed are run (after a change to the tests, the survivors are run again).
# MUTATION_MINUTES caps each module's run (the rest stays untested, as `mutmut results` says).
# Environment: PYTHON (the project's interpreter, default .venv/bin/python),
# MUTMUT (default: mutmut on PATH; mutmut<3 with whatthepatch, e.g.
#   python3 -m venv /tmp/mutvenv && /tmp/mutvenv/bin/pip install 'mutmut<3' whatthepatch).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${MUTATION_DIR:-/tmp/hazreg-mutation}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
MUTMUT=${MUTMUT:-mutmut}

if [[ ${1:-} == --tests ]]; then
  # The runner mutmut calls for each mutant: the groups in MUTATION_TESTS (separated by ";"),
  # fastest first, each stopping at its first failure; the mutant is killed by the first group
  # that fails. No bytecode is written, so a mutant is never run from a stale .pyc.
  IFS=';' read -ra groups <<< "${MUTATION_TESTS//$'\n'/ }"
  for group in "${groups[@]}"; do
    eval "set -- $group"
    [[ -e $1 ]] || continue
    PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$PWD/src" "$PYTHON" -m pytest -x -q -p no:cacheprovider \
      "$@" > /dev/null 2>&1 || exit 1
  done
  exit 0
fi

# Only these lines of a module are mutated (a synthetic patch "adding" them), where the rest
# is exercised only by slow tests (backup and restore run real processes).
lines_patch() {  # FILE FIRST LAST
  local file=$1 first=$2 last=$3 n=$(($3 - $2 + 1))
  printf -- '--- a/%s\n+++ b/%s\n@@ -0,0 +%d,%d @@\n' "$file" "$file" "$first" "$n"
  sed -n "${first},${last}p" "$file" | sed 's/^/+/'
}

for module in "${@:-chain lifecycle integrity export}"; do
  for name in $module; do
    mkdir -p "$DIR/$name"
    cd "$DIR/$name"
    rm -rf src tests
    cp -r "$ROOT/src" "$ROOT/tests" "$ROOT/pyproject.toml" .
    find src tests -name __pycache__ -prune -exec rm -rf {} +
    patch=()
    case $name in
      chain)
        file=src/hazreg/chain.py
        tests="tests/test_integrity.py -k 'clean or changed_entry or deleted_entry or swapped or anchor';
               tests/test_check_tables.py -k hash_covers_before;
               tests/test_import_past.py -k 'events_date or chain_still'; tests/test_mutants.py" ;;
      lifecycle)
        file=src/hazreg/register/lifecycle.py
        tests="tests/test_register.py; tests/test_mutants.py;
               tests/test_cli.py -k 'lifecycle or refused or major or void';
               tests/test_rules.py -k 'closed or finished or typos or deadline'; tests/test_import_past.py" ;;
      integrity)  # the chain's walk and anchors (verify_chain): the rest of the module has ~490 more
                  # mutants, more than a shared 2-core machine runs in an hour (see mutation-survivors.md)
        file=src/hazreg/register/integrity.py
        first=$(grep -n '^def verify_chain' "$file" | cut -d: -f1)
        last=$(grep -n '^def _plain' "$file" | cut -d: -f1)
        lines_patch "$file" "$first" $((last - 1)) > sample.patch
        patch=(--use-patch-file sample.patch)
        tests="tests/test_integrity.py -k 'clean or changed_entry or deleted_entry or swapped or anchor';
               tests/test_check_tables.py -k 'hash_covers_before or last_entry'; tests/test_mutants.py" ;;
      integrity-all)  # every check, verify_chain to check_register
        file=src/hazreg/register/integrity.py
        first=$(grep -n '^def verify_chain' "$file" | cut -d: -f1)
        last=$(grep -n '^def repair_index' "$file" | cut -d: -f1)
        lines_patch "$file" "$first" $((last - 1)) > sample.patch
        patch=(--use-patch-file sample.patch)
        tests="tests/test_integrity.py -k 'not processes and not killed and not while';
               tests/test_check_tables.py; tests/test_mutants.py" ;;
      export)  # write_csv: the formula neutralising of the English export (other developers are
               # changing the rest of this module now)
        file=src/hazreg/render/export.py
        first=$(grep -n '^def write_csv' "$file" | cut -d: -f1)
        last=$(grep -n '^def write_json(' "$file" | cut -d: -f1)
        lines_patch "$file" "$first" $((last - 1)) > sample.patch
        patch=(--use-patch-file sample.patch)
        tests="tests/test_transfer.py -k 'csv_export or bom or round_trip';
               tests/test_mutants.py" ;;
      *) echo "unknown module: $name" >&2; exit 2 ;;
    esac
    echo "== $name ($file)"
    MUTATION_TESTS=$tests PYTHON=$PYTHON timeout "${MUTATION_MINUTES:-600}m" "$MUTMUT" run --paths-to-mutate "$file" \
      "${patch[@]}" --runner "bash $ROOT/benchmarks/mutation.sh --tests" --tests-dir tests \
      --test-time-multiplier 2 --test-time-base 30 --simple-output --no-progress || true
    "$MUTMUT" results
  done
done
