package profiles

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// DefaultWrite is a session to write into [default] of the credentials file.
type DefaultWrite struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	// Profile is the profile the session belongs to; it is recorded in
	// [default] under a key the AWS CLI ignores.
	Profile string
}

// DefaultOptions are the options of WriteDefault, ClearDefault and
// CheckDefault.
type DefaultOptions struct {
	// Force lets WriteDefault replace keys rolecall did not write, after it
	// has copied them to a backup profile. ClearDefault never removes them.
	Force bool
	// Expect, when set, is what [default] must still hold for the call to
	// go ahead: typically the Default of an earlier WriteResult. When
	// [default] holds anything else the call changes nothing and returns a
	// *DefaultChangedError.
	Expect *DefaultState
}

// WriteResult says what WriteDefault did.
type WriteResult struct {
	// BackupProfile names the profile the old keys were copied to (only
	// with Force).
	BackupProfile string
	// Default is what [default] holds after the write; pass it as
	// DefaultOptions.Expect to write again only while nobody else has.
	Default DefaultState
}

// ErrForeignDefault is returned (wrapped) by WriteDefault and CheckDefault
// when [default] holds keys rolecall did not write and Force is false.
var ErrForeignDefault = errors.New("[default] holds keys rolecall did not write")

// ErrLongTermDefault is returned (wrapped) when those keys are long-term
// keys; such an error is also an ErrForeignDefault.
var ErrLongTermDefault = errors.New("[default] holds long-term keys")

// ErrNotWrittenByRolecall is returned (wrapped) by ClearDefault when
// [default] holds keys rolecall did not write.
var ErrNotWrittenByRolecall = errors.New("[default] was not written by rolecall")

// ErrDefaultChanged is returned (wrapped, as a *DefaultChangedError) when
// DefaultOptions.Expect is set and [default] holds something else.
var ErrDefaultChanged = errors.New("[default] has changed")

// DefaultChangedError says that [default] no longer holds what the caller
// expected, and who holds it now.
type DefaultChangedError struct {
	Path string
	Line int // [default]'s header line; 0 when there is none
	Want DefaultState
	Now  DefaultState
}

// Error implements error. It names both holders by profile and masked key
// id, never a secret.
func (e *DefaultChangedError) Error() string {
	at := e.Path
	if e.Line > 0 {
		at = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	return fmt.Sprintf("%s: [default] no longer holds %s but %s; rolecall left it alone", at, e.Want, e.Now)
}

// Is makes errors.Is(err, ErrDefaultChanged) true.
func (e *DefaultChangedError) Is(target error) bool { return target == ErrDefaultChanged }

// foreignDefaultError refuses to overwrite keys rolecall did not write.
type foreignDefaultError struct {
	msg string
	now DefaultState
}

func (e *foreignDefaultError) Error() string { return e.msg }

func (e *foreignDefaultError) Is(target error) bool {
	return target == ErrForeignDefault || (target == ErrLongTermDefault && e.now.Holder == DefaultLongTerm)
}

// Keys rolecall writes into [default] of the credentials file; the AWS CLI
// ignores keys it does not know. rolecall_access_key_id records the key id
// rolecall wrote: a [default] whose aws_access_key_id differs from it was
// changed by someone else, such as `aws configure set`, which leaves the
// rolecall_* lines in place.
const (
	KeyRolecallProfile     = "rolecall_profile"
	KeyRolecallAccessKeyID = "rolecall_access_key_id"
	KeyRolecallExpiration  = "rolecall_expiration"
)

// credentialKeys are the keys of [default] that make up its credentials;
// rolecall replaces them together. aws_security_token is the old name of
// aws_session_token that botocore still reads.
var credentialKeys = map[string]bool{
	"aws_access_key_id":     true,
	"aws_secret_access_key": true,
	"aws_session_token":     true,
	"aws_security_token":    true,
	KeyRolecallProfile:      true,
	KeyRolecallAccessKeyID:  true,
	KeyRolecallExpiration:   true,
}

// expiryKeys are where other tools record when their temporary keys in
// [default] expire (aws-vault, saml2aws, gimme-aws-creds, aws-sso-util and
// the like). They move with those keys to a backup profile.
var expiryKeys = []string{"aws_credential_expiration", "aws_session_expiration", "aws_expiration", "x_security_token_expires", "expiration"}

// WriteDefault replaces [default] in the credentials file at path with w,
// atomically and under a lock, keeping every other byte of the file. It
// refuses keys rolecall did not write unless opts.Force is set, and writes
// nothing when opts.Expect no longer matches.
func WriteDefault(path string, w DefaultWrite, opts DefaultOptions) (WriteResult, error) {
	if err := w.check(); err != nil {
		return WriteResult{}, err
	}
	var res WriteResult
	err := editLocked(path, func(data string) (string, error) {
		out, r, err := writeDefault(path, data, w, opts, time.Now())
		res = r
		return out, err
	})
	if err != nil {
		return WriteResult{}, err
	}
	return res, nil
}

// ClearDefault removes what rolecall wrote into [default], and nothing
// else, and returns what [default] held. A file or [default] that does not
// exist, or holds no keys, is not an error: the result's Holder is then
// DefaultEmpty. Keys rolecall did not write are refused under the lock with
// an error wrapping ErrNotWrittenByRolecall.
func ClearDefault(path string, opts DefaultOptions) (DefaultState, error) {
	t, err := inspect(path)
	if err != nil {
		return DefaultState{}, err
	}
	// Nothing to clear needs no lock file: what holds keys is decided
	// again under the lock.
	data, err := readCurrent(t.path)
	if err != nil {
		return DefaultState{}, err
	}
	if out, held, err := clearDefault(path, data, opts); err == nil && out == data && held.Holder == DefaultEmpty {
		return held, nil
	}
	var was DefaultState
	err = editLocked(path, func(data string) (string, error) {
		out, st, err := clearDefault(path, data, opts)
		was = st
		return out, err
	})
	if err != nil {
		return DefaultState{}, err
	}
	return was, nil
}

// CheckDefault reports, without writing or locking, the error WriteDefault
// would give, so that a caller can refuse before it spends an STS call or
// an MFA code. A missing file is fine.
func CheckDefault(path string, opts DefaultOptions) error {
	t, err := inspect(path)
	if err != nil {
		return err
	}
	data, err := readCurrent(t.path)
	if err != nil {
		return err
	}
	probe := DefaultWrite{AccessKeyID: "ASIAPROBEPROBEPROBE", SecretAccessKey: "probe", SessionToken: "probe", Profile: "probe"}
	_, _, err = writeDefault(path, data, probe, opts, time.Now())
	return err
}

// check refuses a session that cannot be written as one line per key.
func (w DefaultWrite) check() error {
	if w.AccessKeyID == "" || w.SecretAccessKey == "" || w.SessionToken == "" {
		return errors.New("no session to write into [default]: rolecall writes only temporary credentials with a session token")
	}
	if strings.HasPrefix(w.AccessKeyID, "AKIA") {
		return fmt.Errorf("%s is a long-term key id; rolecall writes only temporary sessions into [default]", MaskKeyID(w.AccessKeyID))
	}
	for _, v := range []string{w.AccessKeyID, w.SecretAccessKey, w.SessionToken} {
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
			return errors.New("the session's keys hold spaces or control characters; rolecall will not write them into [default]")
		}
	}
	if !validName(w.Profile) {
		return fmt.Errorf("profile name %q cannot be recorded in [default]", printable(w.Profile, 60))
	}
	return nil
}

// block is the [default] lines rolecall writes for w.
func (w DefaultWrite) block(eol string) []rawLine {
	block := []rawLine{
		newLine("aws_access_key_id = "+w.AccessKeyID, eol),
		newLine("aws_secret_access_key = "+w.SecretAccessKey, eol),
		newLine("aws_session_token = "+w.SessionToken, eol),
		newLine(KeyRolecallProfile+" = "+w.Profile, eol),
		newLine(KeyRolecallAccessKeyID+" = "+w.AccessKeyID, eol),
	}
	if !w.Expiration.IsZero() {
		block = append(block, newLine(KeyRolecallExpiration+" = "+w.Expiration.UTC().Format(time.RFC3339), eol))
	}
	return block
}

// wants is what [default] must read as after w is written.
func (w DefaultWrite) wants() map[string]string {
	want := map[string]string{
		"aws_access_key_id":     w.AccessKeyID,
		"aws_secret_access_key": w.SecretAccessKey,
		"aws_session_token":     w.SessionToken,
		"aws_security_token":    "",
		KeyRolecallProfile:      w.Profile,
		KeyRolecallAccessKeyID:  w.AccessKeyID,
		KeyRolecallExpiration:   "",
	}
	if !w.Expiration.IsZero() {
		want[KeyRolecallExpiration] = w.Expiration.UTC().Format(time.RFC3339)
	}
	return want
}

// writeDefault is WriteDefault on the file's contents.
func writeDefault(path, data string, w DefaultWrite, opts DefaultOptions, now time.Time) (string, WriteResult, error) {
	lines, eol, finish := normalizeLines(data)
	secs, def, err := findDefault(path, data, lines)
	if err != nil {
		return "", WriteResult{}, err
	}
	held := stateAt(def)
	if err := expect(path, def, held, opts); err != nil {
		return "", WriteResult{}, err
	}
	res := WriteResult{Default: DefaultState{Holder: DefaultRolecall, Profile: w.Profile, AccessKeyID: w.AccessKeyID}}
	block := w.block(eol)
	var out, backupLines []rawLine
	free := credentialKeys
	if def == nil {
		out = append(append(append(out, lines...), newLine("[default]", eol)), block...)
	} else {
		moved := credentialKeys
		if held.Holder == DefaultLongTerm || held.Holder == DefaultOtherTool {
			if !opts.Force {
				return "", WriteResult{}, &foreignDefaultError{now: held, msg: fmt.Sprintf(
					"%s:%d: [default] holds %s that rolecall did not write and will not overwrite; use --force to move them to a backup profile first",
					path, def.header+1, held)}
			}
			res.BackupProfile = backupName(secs, now)
			moved, free = movedKeys(), movedKeys()
			backupLines = append(backupLines, newLine("["+res.BackupProfile+"]", eol))
		}
		drop := map[int]bool{}
		at := -1
		for _, e := range def.entries {
			if !credentialKeys[e.key] && !moved[e.key] {
				continue
			}
			if at < 0 {
				at = e.line
			}
			for _, i := range e.lines() {
				drop[i] = true
				if res.BackupProfile != "" && moved[e.key] && keepInBackup(e.key, held) {
					backupLines = append(backupLines, lines[i])
				}
			}
		}
		if at < 0 {
			// No credential keys yet: put them after the last property so
			// that trailing comments and blank lines stay where they were.
			at = def.last
		}
		place := func(at int) []rawLine {
			out := append([]rawLine{}, lines[:def.header+1]...)
			for i := def.header + 1; i < def.end; i++ {
				if i == at {
					out = append(out, block...)
				}
				if !drop[i] {
					out = append(out, lines[i])
				}
			}
			if at == def.end {
				out = append(out, block...)
			}
			out = append(out, lines[def.end:]...)
			return append(out, backupLines...)
		}
		out = place(at)
		if at != def.end && checkEdit(path, lines, out, backupLines, w.wants(), free) != nil {
			// An indented line the reader skips would continue the last
			// key written before it: write at the end of [default] instead.
			out = place(def.end)
		}
	}
	if err := checkEdit(path, lines, out, backupLines, w.wants(), free); err != nil {
		return "", WriteResult{}, err
	}
	return finish(out), res, nil
}

// movedKeys are the keys of a foreign [default] that go to the backup
// profile: its credentials, rolecall's stale records of earlier sessions,
// and the other tool's note of when its keys expire.
func movedKeys() map[string]bool {
	m := map[string]bool{}
	for k := range credentialKeys {
		m[k] = true
	}
	for _, k := range expiryKeys {
		m[k] = true
	}
	return m
}

// keepInBackup says whether a moved key's lines belong in the backup
// profile. rolecall's own records do not; nor does a session token next to
// an AKIA key id, which can only be left over from an earlier session and
// would make the backed-up keys fail.
func keepInBackup(key string, held DefaultState) bool {
	switch key {
	case KeyRolecallProfile, KeyRolecallAccessKeyID, KeyRolecallExpiration:
		return false
	case "aws_session_token", "aws_security_token":
		return !strings.HasPrefix(held.AccessKeyID, "AKIA")
	}
	return true
}

// backupName is a section name not yet in the file.
func backupName(secs []rawSection, now time.Time) string {
	base := "default-backup-" + now.UTC().Format("20060102-150405")
	taken := map[string]bool{}
	for _, s := range secs {
		taken[s.name] = true
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// clearDefault is ClearDefault on the file's contents.
func clearDefault(path, data string, opts DefaultOptions) (string, DefaultState, error) {
	lines, _, finish := normalizeLines(data)
	_, def, err := findDefault(path, data, lines)
	if err != nil {
		return "", DefaultState{}, err
	}
	held := stateAt(def)
	if err := expect(path, def, held, opts); err != nil {
		return "", DefaultState{}, err
	}
	switch held.Holder {
	case DefaultEmpty:
		return data, held, nil
	case DefaultLongTerm, DefaultOtherTool:
		return "", DefaultState{}, fmt.Errorf("%s:%d: %w: it holds %s, which were left alone", path, def.header+1, ErrNotWrittenByRolecall, held)
	}
	drop := map[int]bool{}
	for _, e := range def.entries {
		if credentialKeys[e.key] {
			for _, i := range e.lines() {
				drop[i] = true
			}
		}
	}
	props := 0
	var body []rawLine
	for i := def.header + 1; i < def.end; i++ {
		if drop[i] {
			continue
		}
		if strings.TrimSpace(lines[i].text) != "" {
			props++
		}
		body = append(body, lines[i])
	}
	out := append([]rawLine{}, lines[:def.header]...)
	if props > 0 {
		out = append(out, lines[def.header])
		out = append(out, body...)
	}
	// Nothing of the user's is left in [default]: drop the header too, so a
	// section rolecall appended disappears entirely.
	out = append(out, lines[def.end:]...)
	want := map[string]string{}
	for k := range credentialKeys {
		want[k] = ""
	}
	if err := checkEdit(path, lines, out, nil, want, nil); err != nil {
		return "", DefaultState{}, err
	}
	return finish(out), held, nil
}

// checkEdit checks an edit of [default] before it is written: every line
// outside [default] is kept, in order, followed only by extra; there is at
// most one [default]; each key in want reads as its value there ("": not
// set); and every key of [default] in neither want nor free reads as
// before. It is the writer's promise, checked on every edit rather than
// trusted.
func checkEdit(path string, in, out, extra []rawLine, want map[string]string, free map[string]bool) error {
	secsIn, secsOut := scanSections(in), scanSections(out)
	before, after := outsideDefault(in, secsIn), outsideDefault(out, secsOut)
	ok := len(after) == len(before)+len(extra)
	for i := 0; ok && i < len(after); i++ {
		if i < len(before) {
			ok = after[i] == before[i]
		} else {
			ok = after[i] == extra[i-len(before)]
		}
	}
	defIn, defOut := findSections(secsIn, "default"), findSections(secsOut, "default")
	ok = ok && len(defOut) <= 1
	get := func(defs []rawSection, key string) string {
		if len(defs) == 0 {
			return ""
		}
		v, _ := defs[0].get(key)
		return v
	}
	for k, v := range want {
		ok = ok && get(defOut, k) == v
	}
	if len(defIn) == 1 {
		for _, e := range defIn[0].entries {
			if _, set := want[e.key]; !set && !free[e.key] {
				ok = ok && get(defOut, e.key) == get(defIn, e.key)
			}
		}
	}
	if !ok {
		line := 1
		if len(defIn) > 0 {
			line = defIn[0].header + 1
		}
		return fmt.Errorf("%s:%d: rewriting [default] would change how the lines around it read (look for indented or malformed lines in and right after [default]); fix them, then retry", path, line)
	}
	return nil
}

// outsideDefault is the file's lines without [default]'s (header included).
func outsideDefault(lines []rawLine, secs []rawSection) []rawLine {
	var out []rawLine
	next := 0
	for _, s := range secs {
		if s.broken || s.name != "default" {
			continue
		}
		out = append(out, lines[next:s.header]...)
		next = s.end
	}
	return append(out, lines[next:]...)
}
