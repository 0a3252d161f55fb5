package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// backupPrefix starts the name of the section WriteDefault with force
// copies [default]'s long-term keys to: default-backup-20060102-150405,
// with -2, -3, ... when that name is taken.
const backupPrefix = "default-backup-"

// ErrNoBackup is returned (wrapped) by RestoreDefault when the
// credentials file has no default-backup-… section.
var ErrNoBackup = errors.New("no default-backup section")

// RestoreResult says what RestoreDefault did.
type RestoreResult struct {
	// Backup is the section whose keys went back into [default].
	Backup string
	// Replaced is the profile whose session rolecall had written into
	// [default], now gone; "" when [default] held no keys.
	Replaced string
}

// NewestBackup returns the name of the newest default-backup-… section
// of the credentials file at path, or "" when it has none (or there is no
// file).
func NewestBackup(path string) (string, error) {
	data, err := readSettled(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("read %s: %v; check its permissions", path, errors.Unwrap(err))
	}
	secs := scanSections(splitLines(string(data)))
	if i := newestBackup(secs); i >= 0 {
		return secs[i].name, nil
	}
	return "", nil
}

// RestoreDefault copies the keys of the newest default-backup-… section
// back into [default], atomically and under the writer's lock: the session
// rolecall wrote there goes, [default]'s other lines stay, and the backup
// section stays as it is (the writer never drops a section; delete it by
// hand once it is no longer wanted). It refuses, changing nothing, when
// [default] holds keys rolecall did not write.
func RestoreDefault(path string) (RestoreResult, error) {
	var res RestoreResult
	err := editLocked(path, func(data string) (string, error) {
		out, r, err := restoreDefault(path, data)
		res = r
		return out, err
	})
	return res, err
}

// restoreDefault is RestoreDefault on the file's contents.
func restoreDefault(path, data string) (string, RestoreResult, error) {
	var res RestoreResult
	lines, eol, finish := normalizeLines(data)
	secs, def, err := findDefault(path, data, lines)
	if err != nil {
		return "", res, err
	}
	bi := newestBackup(secs)
	if bi < 0 {
		return "", res, fmt.Errorf("%s: %w to restore; rolecall use --force writes one when it moves long-term keys out of [default]", path, ErrNoBackup)
	}
	backup := secs[bi]
	res.Backup = backup.name
	if _, ok := backup.get("aws_access_key_id"); !ok {
		return "", res, fmt.Errorf("%s:%d: [%s] holds no aws_access_key_id; nothing to restore", path, backup.header+1, backup.name)
	}
	// The keys come back as the backup holds them; rolecall's records of
	// its own sessions go.
	var keys []rawLine
	want := map[string]string{}
	for k := range credentialKeys {
		want[k] = ""
	}
	for _, e := range backup.entries {
		if !credentialKeys[e.key] || !keepInBackup(e.key, DefaultState{}) {
			continue
		}
		for _, i := range e.lines() {
			keys = append(keys, lines[i])
		}
		want[e.key], _ = backup.get(e.key)
	}

	var out []rawLine
	if def == nil {
		// No [default] (use --clear removed it): a new one at the end.
		out = append(append(append(out, lines...), newLine("[default]", eol)), keys...)
	} else {
		held := stateAt(def)
		if held.Holder == DefaultLongTerm || held.Holder == DefaultOtherTool {
			return "", res, fmt.Errorf("%s:%d: %w: it holds %s, which restoring [%s] would overwrite; move them to a profile of their own first",
				path, def.header+1, ErrNotWrittenByRolecall, held, backup.name)
		}
		res.Replaced = held.Profile
		drop := map[int]bool{}
		at := -1
		for _, e := range def.entries {
			if !credentialKeys[e.key] {
				continue
			}
			if at < 0 {
				at = e.line
			}
			for _, i := range e.lines() {
				drop[i] = true
			}
		}
		if at < 0 {
			// No keys in [default]: after its last property, so that
			// trailing comments and blank lines stay where they were.
			at = def.last
		}
		out = append(out, lines[:def.header+1]...)
		for i := def.header + 1; i < def.end; i++ {
			if i == at {
				out = append(out, keys...)
			}
			if !drop[i] {
				out = append(out, lines[i])
			}
		}
		if at == def.end {
			out = append(out, keys...)
		}
		out = append(out, lines[def.end:]...)
	}
	if err := checkEdit(path, lines, out, nil, want, nil); err != nil {
		return "", res, err
	}
	return finish(out), res, nil
}

// newestBackup is the index in secs of the newest default-backup-…
// section, or -1: the latest time in its name, then the highest -N, then
// the last in the file. Sections of that prefix whose name is not one
// rolecall writes are not backups.
func newestBackup(secs []rawSection) int {
	best, bestAt, bestN := -1, "", 0
	for i, s := range secs {
		at, n, ok := parseBackupName(s.name)
		if !ok {
			continue
		}
		if best < 0 || at > bestAt || (at == bestAt && n >= bestN) {
			best, bestAt, bestN = i, at, n
		}
	}
	return best
}

// parseBackupName splits default-backup-20060102-150405[-N] into its time
// and N (1 when absent).
func parseBackupName(name string) (at string, n int, ok bool) {
	rest, found := strings.CutPrefix(name, backupPrefix)
	if !found || len(rest) < len("20060102-150405") {
		return "", 0, false
	}
	at, suffix := rest[:15], rest[15:]
	if _, err := time.Parse("20060102-150405", at); err != nil {
		return "", 0, false
	}
	n = 1
	if suffix != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(suffix, "-"))
		if err != nil || !strings.HasPrefix(suffix, "-") || v < 2 {
			return "", 0, false
		}
		n = v
	}
	return at, n, true
}
