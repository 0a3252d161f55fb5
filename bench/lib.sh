# Shared by the bench scripts: source it after `cd` to the repository.
#
#   bench_init            work dir in $work (removed on exit), rolecall built
#                         into $work/rolecall
#   start_moto            moto_server on a free loopback port: $port, $moto_pid
#   min_ms PREPARE CMD…   the fastest of $runs runs of CMD, in milliseconds,
#                         running PREPARE (shell code) before each one

work=""
moto_pid=""

bench_cleanup() {
	if [ -n "$moto_pid" ]; then
		kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
	fi
	[ -n "$work" ] && rm -rf "$work"
	return 0
}

bench_init() {
	work=$(mktemp -d)
	trap bench_cleanup EXIT
	go build -o "$work/rolecall" .
}

start_moto() {
	command -v moto_server >/dev/null || { echo "moto_server is not installed (pip install 'moto[server]')" >&2; exit 1; }
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
	moto_pid=$!
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "moto_server did not answer on port $port; see $work/moto.log" >&2
	exit 1
}

# hyperfine, when installed, times without the shell's own fork in the way.
min_ms() {
	local prepare=$1 best=999999999 t0 t1 i
	shift
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2; exit 1; }
	if command -v hyperfine >/dev/null; then
		hyperfine -N --style none --warmup 3 --runs "$runs" --prepare "bash -c '$prepare'" \
			--export-json "$work/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["min"] * 1000))' "$work/h.json"
		return
	fi
	for ((i = 0; i < runs; i++)); do
		eval "$prepare"
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		((t1 - t0 < best)) && best=$((t1 - t0))
	done
	awk -v ns="$best" 'BEGIN { printf "%.1f", ns / 1e6 }'
}
