#!/usr/bin/env bash
# The breaks the tests must catch, each a one-line change: a copy of the
# repository gets one at a time, and the tests named for it must fail
# without any external tool on PATH. A break the tests let through, or one
# that no longer applies to the code (the code moved: update its pattern
# below), fails the script. It takes about a minute; bench/mutation.sh is
# the full mutation run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar --exclude=.git --exclude=./dist -cf - . | (cd "$work" && tar -xf -)

# The tests run without the external tools some tests drive.
. bench/notools.sh
mkdir -p "$work/.shadow"
testpath=$(notools_path "$work/.shadow")
unset ROLECALL_REQUIRE_TOOLS

# break NAME FILE PERL-SUBSTITUTION PACKAGE TESTS: the tests (a -run
# pattern) of the package must fail once FILE is changed.
failed=0
break_() {
	local name=$1 file=$2 expr=$3 pkg=$4 tests=$5
	cp "$work/$file" "$work/.orig"
	perl -0pi -e "$expr" "$work/$file"
	if cmp -s "$work/$file" "$work/.orig"; then
		echo "FAIL  $name: the break no longer applies to $file (update its pattern in $0)"
		failed=1
		return
	fi
	if (cd "$work" && PATH=$testpath go test -count=1 -short -run "$tests" "./$pkg" >"$work/.log" 2>&1); then
		echo "FAIL  $name: $pkg's tests ($tests) pass with it"
		failed=1
	else
		echo "ok    $name"
	fi
	mv "$work/.orig" "$work/$file"
}

break_ "a damaged cache file aborts the call" session/get.go \
	's|warning = err // a damaged|if err != nil { return nil, err }; warning = err // a damaged|' \
	session 'TestCacheFiles$'
break_ "every Assume error is just \"failed\"" session/errors.go \
	's|(\tvar already \*Error\n)|\treturn \&Error{Kind: KindOther, Profile: o.profile, Msg: "failed", Err: err}\n$1|' \
	session 'TestErrorsUsersCanActOn|TestConformanceDefaultChain'
break_ "the clock never wakes" ui/clock.go \
	's|(\tm.wakeAt = next\n)|\tif true { return nil }\n$1|' \
	ui 'TestCountdownRunsOnTheClock|TestTheClockWakesOnlyWhenNeeded'
break_ "the clock is not re-armed after a tick" ui/model.go \
	's|(\tif wake := m.armClock\(\); wake != nil \{\n)|\tif _, tick := msg.(tickMsg); tick { return m, cmd }\n$1|' \
	ui 'TestCountdownRunsOnTheClock|TestTheClockWakesOnlyWhenNeeded'
break_ "the MFA session is never reused" session/mfa.go \
	's|(\tif c, ok := m.cachedMFA\(root.AccessKeyID, serial\); ok) \{|$1 \&\& false {|' \
	session 'TestMFAStepsAndReuse'
break_ "the credentials file is written in place" profiles/credfile_atomic.go \
	's|(\tdir := filepath.Dir\(w.path\)\n\tmode, uid, gid, own := fs.FileMode\(0o600\), 0, 0, false\n)|\tif true { return nil, os.WriteFile(w.path, []byte(out), 0o600) }\n$1|' \
	profiles 'TestWriteReplacesTheFileWhole'
break_ "the credentials file is written without the lock" profiles/credfile_atomic.go \
	's|\tlk, err := lock\(t.path\)\n|\tlk, err := flock.New(t.path+".lock"), error(nil)\n|' \
	profiles 'TestSecondWriterWaitsForTheLock'
break_ "use drops the sections after [default]" profiles/credfile.go \
	's|\t\t\tout = append\(out, lines\[def.end:\]...\)\n||' \
	profiles 'TestUseKeepsEveryOtherByte'
break_ "auto-renew failures are not counted" session/renew.go \
	's|\t\tst.failures\+\+\n||' \
	ui 'TestAutoRenewOverHours|TestAutoRenewWithTheRealPolicy'
break_ "a FIFO in the cache hangs every call" session/cache_unix.go \
	's/\|syscall.O_NONBLOCK//' \
	session 'TestCacheFilesOfOddShapes'
exit $failed
