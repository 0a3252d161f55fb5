#!/usr/bin/env bash
# Compares rolecall with its peers, whole process, on this machine:
# aws-vault v7.2.0 and granted v0.39.0 (built here from the Go module proxy,
# with the same Go as rolecall) and the AWS CLI (botocore, run by its real
# interpreter, not a version manager's shim). Every case runs the tools
# interleaved (A B C A B C ...) through bench/interleave.py, so that the
# drift of a busy machine hits every column alike, and prints min, median,
# the median of per-round ratios to rolecall, and peak RSS.
#
#   bench/compare.sh [--runs N] [--no-tmux] [CASE...]
#   bench/compare.sh 20                  (the same as --runs 20)
#
# N is the number of rounds (default 10). Cases (default: all):
#   list    list every profile: 10 / 1,000 / 10,000 / 100,000 profiles
#   assume  cold assume, one hop and three hops, over TLS (moto_server behind
#           bench/tlsproxy)
#   warm    credential-process (or each tool's nearest) from its cache
#   tui     the terminal UI's first frame and keystrokes (rolecall against
#           granted's picker) at 10 and 10,000 profiles, on a bare pty and
#           through tmux (--no-tmux, or no tmux installed: the pty only)
#
# Needs Linux, go, python3 and curl; moto_server for assume and warm (else
# they are skipped); aws for the botocore columns; tmux for the TUI through
# tmux; GNU time (/usr/bin/time) for exact RSS. Peers are cached in
# ${XDG_CACHE_HOME:-~/.cache}/rolecall-bench/; one that does not build is
# reported and its column left out. Takes about five minutes on two cores
# with the defaults (the 100,000-profile peers take 7-12 s a run).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
with_tmux=1
cases=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#--runs=}; shift ;;
	--tmux) with_tmux=1; shift ;;
	--no-tmux) with_tmux=0; shift ;;
	list | assume | warm | tui) cases+=("$1"); shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*)
		if [[ $1 =~ ^[0-9]+$ ]]; then runs=$1; shift; continue; fi
		echo "compare.sh: unknown argument '$1' (cases: list assume warm tui; --runs N; --no-tmux)" >&2
		exit 2
		;;
	esac
done
[ ${#cases[@]} -gt 0 ] || cases=(list assume warm tui)
[ "$runs" -ge 1 ] || { echo "compare.sh: --runs must be at least 1" >&2; exit 2; }

# Nothing from the caller's AWS set-up may leak into a column.
for v in $(compgen -e | grep -E '^(AWS_|ROLECALL_|GRANTED_|CF_KEYRING_)' || true); do unset "$v"; done
unset HTTPS_PROXY HTTP_PROXY https_proxy http_proxy ALL_PROXY all_proxy NO_PROXY no_proxy SSL_CERT_DIR SSL_CERT_FILE

. bench/lib.sh
real_home=$HOME
cache_root="${XDG_CACHE_HOME:-$real_home/.cache}/rolecall-bench"
proxy_pid=""
started=$(date +%s)
bench_init
# After bench_init, whose own trap this one replaces (and calls).
trap '[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; bench_cleanup' EXIT

# real_python INTERPRETER...: the interpreter's own executable, past any shim.
real_python() { "$@" -c 'import os, sys; print(os.path.realpath(sys.executable))'; }
PY=$(real_python python3)
interleave() { "$PY" bench/interleave.py "$@"; }
line() { printf '%q ' "$@"; }

# How to run the AWS CLI: v1 is a Python script, run by the interpreter its
# shebang names (found past a pyenv shim); v2 is a binary, run as it is.
aws_cmd=()
aws_py=""
if a=$(command -v aws 2>/dev/null); then
	if head -c 64 "$a" | head -1 | grep -qE '^#!.*(ba|z|)sh( |$)' && command -v pyenv >/dev/null; then
		a=$(pyenv which aws 2>/dev/null || echo "$a")
	fi
	first=$(head -c 200 "$a" | head -1 || true)
	if [[ $first =~ ^#!.*python ]]; then
		read -r -a shebang <<<"${first#\#!}"
		aws_py=$(real_python "${shebang[@]}")
		aws_cmd=("$aws_py" "$a")
	elif [ "$(head -c 4 "$a" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		aws_cmd=("$a")
	else
		echo "note: $a is neither a Python script nor a binary; the botocore columns are left out" >&2
	fi
fi

# build_peer NAME MODULE VERSION PACKAGE LDFLAGS: the peer's binary into
# $cache_root/NAME-VERSION/NAME (kept for the next run). Returns non-zero,
# with the reason on stderr, when it cannot be built.
build_peer() {
	local name=$1 mod=$2 ver=$3 pkg=$4 ldflags=$5
	local dir="$cache_root/$name-$ver" log="$work/build-$name.log" src="$work/src-$name" mdir
	[ -x "$dir/$name" ] && return 0
	echo "building $name $ver from the module proxy ..." >&2
	if ! mdir=$(go mod download -json "$mod@$ver" 2>>"$log" | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error", "no Dir")))' 2>>"$log"); then
		echo "$name $ver: go mod download failed: $(tail -3 "$log")" >&2
		return 1
	fi
	cp -r "$mdir" "$src" && chmod -R u+w "$src"
	if ! (cd "$src" && GOWORK=off GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" \
		go build -ldflags "$ldflags" -o "$work/$name.bin" "$pkg") >>"$log" 2>&1; then
		echo "$name $ver: go build failed: $(tail -5 "$log")" >&2
		return 1
	fi
	mkdir -p "$cache_root"
	local tmp
	tmp=$(mktemp -d "$cache_root/.$name-XXXXXX")
	mv "$work/$name.bin" "$tmp/$name"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

av_ver=v7.2.0
gr_ver=v0.39.0
av=""
gr=""
assumego=""
if build_peer aws-vault github.com/99designs/aws-vault/v7 "$av_ver" . "-X main.Version=$av_ver"; then
	av="$cache_root/aws-vault-$av_ver/aws-vault"
fi
# A release build of granted names its folder ~/.granted and its binary
# assumego; a plain build says "dev" and uses ~/.dgranted. The assume side is
# the same binary run as assumego.
if build_peer granted github.com/common-fate/granted "$gr_ver" ./cmd/granted \
	"-X github.com/fwdcloudsec/granted/internal/build.Version=${gr_ver#v} -X github.com/fwdcloudsec/granted/internal/build.ConfigFolderName=.granted"; then
	gr="$cache_root/granted-$gr_ver/granted"
	ln -sf granted "$cache_root/granted-$gr_ver/assumego"
	assumego="$cache_root/granted-$gr_ver/assumego"
fi
rc="$work/rolecall"
go build -o "$work/profilegen" ./internal/profilegen/cmd

# The one config of granted's that every case uses: no browser wizard, no
# shell-alias wizard, the file keyring.
granted_home() {
	mkdir -p "$1/.granted"
	printf '%s\n' 'DefaultBrowser = "STDOUT"' 'DisableUsageTips = true' '[Keyring]' 'Backend = "file"' >"$1/.granted/config"
}
granted_env=(CF_KEYRING_FILE_PASSWORD=bench FORCE_NO_ALIAS=true SHELL=/bin/bash)
av_env=(AWS_VAULT_BACKEND=file AWS_VAULT_FILE_PASSPHRASE=bench)

peer() { if [ -n "$2" ]; then echo "$1"; else echo "(not built)"; fi; }
aws_version="no AWS CLI"
[ ${#aws_cmd[@]} -gt 0 ] && aws_version=$("${aws_cmd[@]}" --version 2>&1 | head -1)
echo "rolecall $(git describe --always --dirty 2>/dev/null || echo '?') against aws-vault $(peer "$av_ver" "$av"), granted $(peer "$gr_ver" "$gr"), $aws_version"
echo "$(nproc) cores $(uname -m), $(uname -sr), $(go version | cut -d' ' -f3), python $("$PY" -c 'import platform; print(platform.python_version())'), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ), $runs rounds"
cat <<'EOF'
Legend: times are wall time of the whole process in ms (spawned directly, stdout and stderr to
/dev/null), min and median over the rounds; ratio = median over rounds of (column / first column
of the same round); RSS = peak resident set, median, MiB; n = timed runs. Tools run interleaved,
one run each per round, after one untimed check run that must exit 0 and print what is expected.

EOF

case_list() {
	local n d lh
	lh="$work/list-home"
	mkdir -p "$lh"
	for n in 10 1000 10000 100000; do
		d="$work/list-$n"
		"$work/profilegen" -n "$n" -dir "$d"
		local cmds=(
			--cmd "rolecall list --json" "$(line "$rc" list --json)" --expect '"name":"user-payments-00000"' --min-lines "$n"
			--cmd "rolecall list" "$(line "$rc" list)" --expect user-payments-00000 --min-lines "$n"
		)
		[ -n "$av" ] && cmds+=(--cmd "aws-vault list --profiles" "$(line "${av_env[@]}" AWS_VAULT_FILE_DIR="$work/list-keyring" "$av" list --profiles)" --expect user-payments-00000 --min-lines "$n")
		[ -n "$gr" ] && cmds+=(--cmd "granted (assumego completion)" "$(line "$assumego" --generate-bash-completion)" --expect user-payments-00000 --min-lines "$n")
		if [ -n "$aws_py" ]; then
			cmds+=(--cmd "botocore available_profiles" "$(line "$aws_py" -c 'import botocore.session as s; print("\n".join(s.Session().available_profiles))')" --expect user-payments-00000 --min-lines "$n")
		elif [ ${#aws_cmd[@]} -gt 0 ]; then
			cmds+=(--cmd "aws configure list-profiles" "$(line "${aws_cmd[@]}" configure list-profiles)" --expect user-payments-00000 --min-lines "$n")
		fi
		HOME="$lh" AWS_CONFIG_FILE="$d/config" AWS_SHARED_CREDENTIALS_FILE="$d/credentials" ROLECALL_CACHE_DIR="$work/list-cache" \
			interleave --runs "$runs" --budget 20 --title "list: $n profiles (config $(du -k "$d/config" | cut -f1) KiB)" "${cmds[@]}"
	done
	[ -n "$aws_py" ] && echo "  (botocore: the AWS CLI v1 here has no 'configure list-profiles'; v2's is botocore's Session().available_profiles, timed as that)" && echo
	return 0
}

# start_sts: moto_server behind bench/tlsproxy, and a home whose config
# chains roles: one = src → one; three = src → hop1 → hop2 → three. src is
# an IAM user with static keys in the credentials file (moto accepts any
# key id that starts with AKIA). Sets $sts_url (https), $sts_proxy (http,
# for HTTPS_PROXY), $ca, $ahome.
sts_url=""
start_sts() {
	[ -n "$sts_url" ] && return 0
	start_moto
	go build -o "$work/tlsproxy" ./bench/tlsproxy
	ca="$work/ca.pem"
	"$work/tlsproxy" -target "http://127.0.0.1:$port" -ca "$ca" >"$work/proxy.out" 2>"$work/proxy.log" &
	proxy_pid=$!
	for _ in $(seq 100); do
		[ "$(wc -l <"$work/proxy.out")" -ge 2 ] && break
		sleep 0.05
	done
	sts_url=$(sed -n 1p "$work/proxy.out")
	sts_proxy=$(sed -n 2p "$work/proxy.out")
	[ -n "$sts_proxy" ] || { echo "tlsproxy did not start: $(cat "$work/proxy.log")" >&2; exit 1; }
	ahome="$work/sts-home"
	mkdir -p "$ahome/.aws"
	cat >"$ahome/.aws/config" <<-'EOF'
		[profile one]
		role_arn = arn:aws:iam::123456789012:role/one
		source_profile = src
		region = us-east-1

		[profile hop1]
		role_arn = arn:aws:iam::123456789012:role/hop1
		source_profile = src
		region = us-east-1

		[profile hop2]
		role_arn = arn:aws:iam::123456789012:role/hop2
		source_profile = hop1
		region = us-east-1

		[profile three]
		role_arn = arn:aws:iam::123456789012:role/three
		source_profile = hop2
		region = us-east-1
	EOF
	# granted reads the source's keys through the SDK's default credentials
	# path (~/.aws/credentials), whatever AWS_SHARED_CREDENTIALS_FILE says:
	# the files live there, and the variables name the same files.
	cat >"$ahome/.aws/credentials" <<-'EOF'
		[src]
		aws_access_key_id = AKIAROLECALLBENCH001
		aws_secret_access_key = bench-secret-not-real
	EOF
	granted_home "$ahome"
	# aws-vault keeps source keys in its keyring: a pristine one, copied
	# back before every cold run.
	if [ -n "$av" ] && ! HOME="$ahome" AWS_CONFIG_FILE="$ahome/.aws/config" AWS_VAULT_FILE_DIR="$work/av-pristine" \
		AWS_ACCESS_KEY_ID=AKIAROLECALLBENCH001 AWS_SECRET_ACCESS_KEY=bench-secret-not-real \
		env "${av_env[@]}" "$av" add --env src >"$work/av-add.log" 2>&1; then
		echo "aws-vault add --env src failed; its columns will fail: $(tail -2 "$work/av-add.log")" >&2
	fi
	return 0
}

# sts_env CMD...: runs CMD in the STS world (endpoint, CA, files, caches).
sts_env() {
	HOME="$ahome" AWS_CONFIG_FILE="$ahome/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$ahome/.aws/credentials" \
		AWS_CA_BUNDLE="$ca" AWS_ENDPOINT_URL_STS="$sts_url" AWS_PAGER="" ROLECALL_CACHE_DIR="$work/rc-cache" \
		"$@"
}

probe_args() {
	local stats="$sts_proxy/.tlsproxy/stats"
	printf '%s\0' --probe "curl -fsS $(printf %q "$stats")" --probe-label "counted by the TLS proxy (requests forwarded, TLS handshakes, CONNECT tunnels)"
}

# assume_cmds HOPS PROFILE: the interleave arguments for a cold assume.
assume_cmds() {
	local p=$1 q
	q=$(printf %q "$work")
	local out=(
		--cmd "rolecall env $p" "$(line "$rc" env "$p")" --prepare "rm -rf $q/rc-cache" --expect AWS_SESSION_TOKEN
	)
	[ -n "$av" ] && out+=(--cmd "aws-vault export $p" "$(line "${av_env[@]}" AWS_VAULT_FILE_DIR="$work/av-cold" HTTPS_PROXY="$sts_proxy" SSL_CERT_FILE="$ca" "$av" export --format=env --no-session "$p")" \
		--prepare "rm -rf $q/av-cold && cp -a $q/av-pristine $q/av-cold" --expect AWS_SESSION_TOKEN)
	[ -n "$gr" ] && out+=(--cmd "granted assumego $p" "$(line "${granted_env[@]}" "$assumego" "$p")" \
		--prepare "rm -rf $q/sts-home/.granted/secure-storage-aws-session-credentials" --expect GrantedAssume)
	[ ${#aws_cmd[@]} -gt 0 ] && out+=(--cmd "botocore sts get-caller-identity" "$(line "${aws_cmd[@]}" sts get-caller-identity --profile "$p")" \
		--prepare "rm -rf $q/sts-home/.aws/cli/cache" --expect "assumed-role/$p/")
	out+=(--cmd "rolecall env $p, via CONNECT" "$(line AWS_ENDPOINT_URL_STS= HTTPS_PROXY="$sts_proxy" "$rc" env "$p")" --prepare "rm -rf $q/rc-cache" --expect AWS_SESSION_TOKEN)
	printf '%s\0' "${out[@]}"
}

case_assume() {
	start_sts
	local probe one three
	mapfile -d '' probe < <(probe_args)
	mapfile -d '' one < <(assume_cmds one)
	mapfile -d '' three < <(assume_cmds three)
	sts_env interleave --runs "$runs" --title "cold assume, one hop (src → one), TLS" "${probe[@]}" --probe-require requests "${one[@]}"
	sts_env interleave --runs "$runs" --title "cold assume, three hops (src → hop1 → hop2 → three), TLS" "${probe[@]}" --probe-require requests \
		"${three[@]}" --cmd "rolecall env one (1 hop)" "$(line "$rc" env one)" --prepare "rm -rf $(printf %q "$work/rc-cache")" --expect AWS_SESSION_TOKEN \
		--pair "rolecall env three" "rolecall env one (1 hop)" --note "goal: rolecall three hops / one hop ≤ 1.5x"
	cat <<-'EOF'
		  Every tool reaches STS at the proxy's https endpoint (AWS_ENDPOINT_URL_STS, AWS_CA_BUNDLE),
		  except aws-vault: v7.2.0 builds its STS clients without the SDK's shared config, so it
		  honours neither; it goes to sts.us-east-1.amazonaws.com through HTTPS_PROXY=the proxy,
		  which answers each CONNECT with a certificate of the same authority (SSL_CERT_FILE).
		  "via CONNECT" is rolecall on that same path. Cold: the prepare step wipes the tool's cache
		  (aws-vault: a pristine keyring copied back). botocore makes one call more
		  (GetCallerIdentity) and gets one connection per call.

	EOF
}

case_warm() {
	start_sts
	local probe cmds
	mapfile -d '' probe < <(probe_args)
	cmds=(--cmd "rolecall credential-process three" "$(line "$rc" credential-process three)" --expect AccessKeyId)
	[ -n "$gr" ] && cmds+=(--cmd "granted credential-process" "$(line "${granted_env[@]}" "$gr" credential-process --profile three)" --expect AccessKeyId)
	[ -n "$av" ] && cmds+=(--cmd "aws-vault export --format=json" "$(line "${av_env[@]}" AWS_VAULT_FILE_DIR="$work/av-warm" HTTPS_PROXY="$sts_proxy" SSL_CERT_FILE="$ca" "$av" export --format=json three)" --expect AccessKeyId)
	rm -rf "$work/av-warm"
	cp -a "$work/av-pristine" "$work/av-warm" 2>/dev/null || true
	# Fill every cache once; the check run and the rounds are warm.
	sts_env "$rc" credential-process three >/dev/null 2>&1 || true
	[ -n "$gr" ] && sts_env env "${granted_env[@]}" "$gr" credential-process --profile three >/dev/null 2>&1 || true
	[ -n "$av" ] && sts_env env "${av_env[@]}" AWS_VAULT_FILE_DIR="$work/av-warm" HTTPS_PROXY="$sts_proxy" SSL_CERT_FILE="$ca" "$av" export --format=json three >/dev/null 2>&1 || true
	sts_env interleave --runs "$runs" --title "warm credential-process, profile three (cached session)" "${probe[@]}" "${cmds[@]}"
	cat <<-'EOF'
		  Each tool's own warm path for credential_process: rolecall and granted answer from their
		  cache; aws-vault caches only GetSessionToken (and AssumeRole with MFA), so for a role
		  chain without MFA it assumes every hop again on each call (see the proxy's count).

	EOF
}

case_tui() {
	local n d home marker rounds per=2 mode modes=("")
	[ "$with_tmux" = 1 ] && modes+=(--tmux)
	if [ "$with_tmux" = 1 ] && ! command -v tmux >/dev/null; then
		echo "tmux is not installed: the TUI is timed on a bare pty only" >&2
		modes=("")
	fi
	rounds=$(((runs + per - 1) / per))
	for n in 10 10000; do
		d="$work/list-$n"
		[ -f "$d/config" ] || "$work/profilegen" -n "$n" -dir "$d"
		home="$work/tui-home-$n"
		granted_home "$home"
		# The first profile in name order: both tools show it in their
		# first frame (rolecall in its list and detail, granted at the top).
		marker=$(AWS_CONFIG_FILE="$d/config" AWS_SHARED_CREDENTIALS_FILE="$d/credentials" ROLECALL_CACHE_DIR="$work/tui-cache" \
			"$rc" list --json | "$PY" -c 'import json, sys; print(sorted(p["name"] for p in json.load(sys.stdin))[0])')
		for mode in "${modes[@]}"; do
			local tag="tui-$n${mode:+-tmux}"
			: >"$work/$tag-rolecall.jsonl"
			: >"$work/$tag-granted.jsonl"
			for ((r = 0; r < rounds; r++)); do
				HOME="$home" AWS_CONFIG_FILE="$d/config" AWS_SHARED_CREDENTIALS_FILE="$d/credentials" ROLECALL_CACHE_DIR="$work/tui-cache" \
					"$PY" bench/tui_latency.py $mode --json --runs "$per" --marker "$marker" --prelude / --keys pla -- "$rc" \
					>>"$work/$tag-rolecall.jsonl"
				[ -n "$gr" ] && HOME="$home" AWS_CONFIG_FILE="$d/config" AWS_SHARED_CREDENTIALS_FILE="$d/credentials" \
					env "${granted_env[@]}" "$PY" bench/tui_latency.py $mode --json --runs "$per" --marker "$marker" --keys pla -- "$assumego" \
					>>"$work/$tag-granted.jsonl"
			done
			local cols=("rolecall" "$work/$tag-rolecall.jsonl")
			[ -n "$gr" ] && cols+=("granted (assumego picker)" "$work/$tag-granted.jsonl")
			local where="bare pty"
			[ -n "$mode" ] && where="through tmux (control mode)"
			interleave --samples --title "TUI, $n profiles, $where: $rounds rounds of $per runs each, alternating" "${cols[@]}"
		done
	done
	cat <<-'EOF'
		  first frame: from the start of the process (in tmux: from respawning the pane) to the
		  output holding the first profile's name. keystroke: from writing a key of "pla" to the
		  first byte of the answer; settled: to its last byte (before 150 ms of quiet). Each key
		  goes a random 0-100 ms after the output went quiet, so that it meets a frame clock at
		  any phase. rolecall gets "/" first (its filter key), untimed; granted's picker filters
		  as you type.

	EOF
}

for c in "${cases[@]}"; do
	t0=$(date +%s)
	if [[ $c == assume || $c == warm ]] && ! command -v moto_server >/dev/null; then
		echo "$c: skipped, moto_server is not installed (pip install 'moto[server]')"
		echo
		continue
	fi
	"case_$c"
	echo "  ($c took $(($(date +%s) - t0)) s)"
	echo
done
echo "total $(($(date +%s) - started)) s"
