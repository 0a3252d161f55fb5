#!/usr/bin/env bash
# Mutation testing: Gremlins changes the code one operator at a time (< to
# <=, == to !=, + to -, ...) and runs the package's own tests against each
# change; a mutant the tests do not notice "lived". Usage:
#
#   bench/mutation.sh [PACKAGE...]      (default: profiles session ui)
#
# Each package runs on its own, one mutant at a time, with its tests in
# -short mode and without the external tools (moto_server, the AWS CLI,
# tmux, zsh, fish, python3 are hidden from PATH, so the tests that need
# them skip): the suite then takes seconds, not minutes, per mutant. It
# prints, per package, the mutants killed, lived, timed out (the tests
# hung: caught), not covered and not viable, the score (killed and timed
# out over all that ran) and the time taken, and lists the mutants that
# lived. Logs stay in $MUTATION_OUT (default /tmp/rolecall-mutation).
# bench/mutation-survivors.md explains each mutant that lives.
#
# Environment: GREMLINS_WORKERS (default 1), GREMLINS_TIMEOUT_COEFFICIENT
# (default 3: a mutant whose tests run three times as long as the
# unmutated package's is "timed out").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
gremlins_version=v0.6.0
out=${MUTATION_OUT:-/tmp/rolecall-mutation}
mkdir -p "$out"

# Gremlins, built once per machine beside the Go caches.
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/rolecall-mutation/gremlins-$gremlins_version"
if [ ! -x "$bin_dir/gremlins" ]; then
	echo "installing gremlins $gremlins_version into $bin_dir"
	mkdir -p "$bin_dir"
	GOBIN="$bin_dir" go install "github.com/go-gremlins/gremlins/cmd/gremlins@$gremlins_version"
fi

# The tests that need an external tool skip when it is not on PATH.
. bench/notools.sh
shadow=$(mktemp -d)
trap 'rm -rf "$shadow"' EXIT
PATH=$(notools_path "$shadow")
export PATH
unset ROLECALL_REQUIRE_TOOLS
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-short"
# Gremlins tests a copy of the module elsewhere: point the conformance
# tests at the data beside this repository.
if [ -z "${ROLECALL_CONFORMANCE_DIR:-}" ] && [ -d "$root/../shared/conformance" ]; then
	export ROLECALL_CONFORMANCE_DIR=$(cd "$root/../shared/conformance" && pwd)
fi

pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(profiles session ui)
summary=()
for pkg in "${pkgs[@]}"; do
	log="$out/$pkg.log"
	echo "== $pkg (log: $log)"
	start=$SECONDS
	# Files for other systems are not built here: their mutants would
	# "live" for want of a compiler that sees them.
	(cd "$root/$pkg" && "$bin_dir/gremlins" unleash "$root/$pkg" \
		--workers "${GREMLINS_WORKERS:-1}" \
		--timeout-coefficient "${GREMLINS_TIMEOUT_COEFFICIENT:-3}" \
		--exclude-files '(_windows|_other)\.go$' \
		--output "$out/$pkg.json") >"$log" 2>&1 || true
	took=$((SECONDS - start))
	count() { grep -c "^ *$1 " "$log" || true; }
	k=$(count KILLED) l=$(count LIVED) to=$(count "TIMED OUT") nc=$(count "NOT COVERED") nv=$(count "NOT VIABLE")
	ran=$((k + l + to))
	score="n/a"
	[ "$ran" -gt 0 ] && score=$(awk -v c=$((k + to)) -v r=$ran 'BEGIN { printf "%.1f%%", 100 * c / r }')
	line=$(printf '%-9s killed %4d  lived %3d  timed out %3d  not covered %4d  not viable %3d  score %6s  %3d min' \
		"$pkg" "$k" "$l" "$to" "$nc" "$nv" "$score" $(((took + 30) / 60)))
	summary+=("$line")
	echo "$line"
	grep "^ *LIVED " "$log" | sed 's/^ */   /' || true
done
echo "== summary (score: killed and timed out, over every mutant the tests ran)"
printf '%s\n' "${summary[@]}"
