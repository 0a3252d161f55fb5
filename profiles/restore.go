package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	data, err := os.ReadFile(path)
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

// RestoreDefault moves the keys of the newest default-backup-… section
// back into [default], atomically and under the writer's lock: the
// session rolecall wrote there goes, the section's other lines stay, and
// the backup section is removed once nothing of it is left. It refuses,
// changing nothing, when [default] holds keys rolecall did not write.
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
	secs := scanSections(lines)
	defs := findSections(secs, "default")
	if len(defs) > 1 {
		return "", res, duplicateDefault(path, defs)
	}
	bi := newestBackup(secs)
	if bi < 0 {
		return "", res, fmt.Errorf("%s: %w to restore; rolecall use --force writes one when it moves long-term keys out of [default]", path, ErrNoBackup)
	}
	backup := secs[bi]
	res.Backup = backup.name
	var keys, leftover []rawLine
	kept := 0 // comments and properties left in the backup section
	for _, e := range backup.entries {
		if credentialKeys[e.key] && e.key != KeyRolecallProfile && e.key != KeyRolecallExpiration {
			keys = append(keys, lines[e.start:e.end]...)
			continue
		}
		if e.key != "" || strings.TrimSpace(lines[e.start].text) != "" {
			kept++
		}
		leftover = append(leftover, lines[e.start:e.end]...)
	}
	if _, ok := backup.get("aws_access_key_id"); !ok {
		return "", res, fmt.Errorf("%s:%d: [%s] holds no aws_access_key_id; nothing to restore", path, backup.header+1, backup.name)
	}

	// What replaces the backup section: its other lines under its header,
	// or nothing.
	var newBackup []rawLine
	if kept > 0 {
		newBackup = append([]rawLine{lines[backup.header]}, leftover...)
	}

	if len(defs) == 0 {
		// No [default] (use --clear removed it): the backup section becomes
		// [default] where it stands.
		block := append([]rawLine{{"[default]", eol}}, keys...)
		if kept > 0 {
			block = append(block, newBackup...)
		}
		return finish(splice(lines, span{backup.header, backup.end, block})), res, nil
	}

	def := defs[0]
	owner, _ := def.get(KeyRolecallProfile)
	if _, has := def.get("aws_access_key_id"); has && owner == "" {
		return "", res, fmt.Errorf("%s:%d: %w: it holds other keys, which restoring [%s] would overwrite; move them to a profile of their own first",
			path, def.header+1, ErrNotWrittenByRolecall, backup.name)
	}
	res.Replaced = owner
	newDef := []rawLine{lines[def.header]}
	placed := false
	for _, e := range def.entries {
		if !credentialKeys[e.key] {
			newDef = append(newDef, lines[e.start:e.end]...)
			continue
		}
		if !placed {
			newDef = append(newDef, keys...)
			placed = true
		}
	}
	if !placed {
		// No keys in [default]: put them after its last property, so that
		// trailing comments and blank lines stay where they were.
		at := def.header + 1
		for _, e := range def.entries {
			if e.key != "" {
				at = e.end
			}
		}
		tail := def.end - at
		insert := len(newDef) - tail
		newDef = append(newDef[:insert:insert], append(append([]rawLine{}, keys...), newDef[insert:]...)...)
	}
	return finish(splice(lines, span{def.header, def.end, newDef}, span{backup.header, backup.end, newBackup})), res, nil
}

// span replaces lines[from:to] with with.
type span struct {
	from, to int
	with     []rawLine
}

// splice applies non-overlapping spans to lines, in any order.
func splice(lines []rawLine, spans ...span) []rawLine {
	if len(spans) == 2 && spans[1].from < spans[0].from {
		spans[0], spans[1] = spans[1], spans[0]
	}
	out := make([]rawLine, 0, len(lines))
	at := 0
	for _, s := range spans {
		out = append(out, lines[at:s.from]...)
		out = append(out, s.with...)
		at = s.to
	}
	return append(out, lines[at:]...)
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
