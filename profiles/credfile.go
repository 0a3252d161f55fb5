package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
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

// WriteResult says what WriteDefault did besides writing [default].
type WriteResult struct {
	// BackupProfile names the profile the old long-term keys were copied
	// to (only with force).
	BackupProfile string
}

// ErrLongTermDefault is returned (wrapped) when [default] holds long-term
// keys and force is false.
var ErrLongTermDefault = errors.New("[default] holds long-term keys")

// ErrNotWrittenByRolecall is returned (wrapped) by ClearDefault when
// [default] holds keys rolecall did not write.
var ErrNotWrittenByRolecall = errors.New("[default] was not written by rolecall")

// credentialKeys are the keys of [default] that make up its credentials;
// rolecall replaces them together. aws_security_token is the old name of
// aws_session_token that botocore still reads.
var credentialKeys = map[string]bool{
	"aws_access_key_id":     true,
	"aws_secret_access_key": true,
	"aws_session_token":     true,
	"aws_security_token":    true,
	KeyRolecallProfile:      true,
	KeyRolecallExpiration:   true,
}

// WriteDefault replaces [default] in the credentials file at path with w,
// atomically and under a lock, keeping every other byte of the file.
func WriteDefault(path string, w DefaultWrite, force bool) (WriteResult, error) {
	if w.AccessKeyID == "" || w.SecretAccessKey == "" {
		return WriteResult{}, errors.New("no credentials to write into [default]")
	}
	var res WriteResult
	err := editLocked(path, func(data string) (string, error) {
		out, backup, err := writeDefault(path, data, w, force, time.Now())
		res.BackupProfile = backup
		return out, err
	})
	return res, err
}

// ClearDefault removes what rolecall wrote into [default], and nothing else.
// A file or [default] that does not exist is not an error.
func ClearDefault(path string) error {
	return editLocked(path, func(data string) (string, error) {
		return clearDefault(path, data)
	})
}

// writeDefault is WriteDefault on the file's contents.
func writeDefault(path, data string, w DefaultWrite, force bool, now time.Time) (out, backup string, err error) {
	lines, eol, finish := normalizeLines(data)
	secs := scanSections(lines)
	defs := findSections(secs, "default")
	if len(defs) > 1 {
		return "", "", duplicateDefault(path, defs)
	}
	block := []rawLine{
		{"aws_access_key_id = " + w.AccessKeyID, eol},
		{"aws_secret_access_key = " + w.SecretAccessKey, eol},
	}
	if w.SessionToken != "" {
		block = append(block, rawLine{"aws_session_token = " + w.SessionToken, eol})
	}
	block = append(block, rawLine{KeyRolecallProfile + " = " + w.Profile, eol})
	if !w.Expiration.IsZero() {
		block = append(block, rawLine{KeyRolecallExpiration + " = " + w.Expiration.UTC().Format(time.RFC3339), eol})
	}

	if len(defs) == 0 {
		lines = append(lines, rawLine{"[default]", eol})
		lines = append(lines, block...)
		return finish(lines), "", nil
	}

	def := defs[0]
	if why := longTerm(def); why != "" {
		if !force {
			return "", "", longTermError(path, def, why)
		}
		backup = backupName(secs, now)
	}

	var backupLines []rawLine
	var kept []rawLine
	kept = append(kept, lines[:def.header+1]...)
	placed := false
	for _, e := range def.entries {
		if !credentialKeys[e.key] {
			kept = append(kept, lines[e.start:e.end]...)
			continue
		}
		if backup != "" && e.key != KeyRolecallProfile && e.key != KeyRolecallExpiration {
			backupLines = append(backupLines, lines[e.start:e.end]...)
		}
		if !placed {
			kept = append(kept, block...)
			placed = true
		}
	}
	if !placed {
		// No credential keys yet: put them after the last property so that
		// trailing comments and blank lines stay where they were.
		at := def.header + 1
		for _, e := range def.entries {
			if e.key != "" {
				at = e.end
			}
		}
		insert := len(kept) - (def.end - at)
		kept = append(kept[:insert], append(append([]rawLine{}, block...), kept[insert:]...)...)
	}
	kept = append(kept, lines[def.end:]...)
	if backup != "" {
		kept = append(kept, rawLine{"[" + backup + "]", eol})
		kept = append(kept, backupLines...)
	}
	return finish(kept), backup, nil
}

// longTerm says why [default]'s keys are ones rolecall must not overwrite,
// or "" when it may.
func longTerm(def rawSection) string {
	_, hasID := def.get("aws_access_key_id")
	_, hasSecret := def.get("aws_secret_access_key")
	if !hasID && !hasSecret {
		return ""
	}
	tok, _ := def.get("aws_session_token")
	if tok == "" {
		tok, _ = def.get("aws_security_token")
	}
	if tok == "" {
		return "no session token"
	}
	if p, _ := def.get(KeyRolecallProfile); p == "" {
		return "not written by rolecall"
	}
	return ""
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

func duplicateDefault(path string, defs []rawSection) error {
	at := make([]string, len(defs))
	for i, d := range defs {
		at[i] = fmt.Sprint(d.header + 1)
	}
	return fmt.Errorf("%s: [default] appears %d times (lines %s); the AWS CLI rejects such a file. Merge them into one by hand, then retry",
		path, len(defs), strings.Join(at, ", "))
}

// clearDefault is ClearDefault on the file's contents.
func clearDefault(path, data string) (string, error) {
	lines, _, finish := normalizeLines(data)
	defs := findSections(scanSections(lines), "default")
	if len(defs) > 1 {
		return "", duplicateDefault(path, defs)
	}
	if len(defs) == 0 {
		return data, nil
	}
	def := defs[0]
	if p, _ := def.get(KeyRolecallProfile); p == "" {
		if _, has := def.get("aws_access_key_id"); has {
			return "", fmt.Errorf("%s:%d: %w; its keys were left alone", path, def.header+1, ErrNotWrittenByRolecall)
		}
		return data, nil
	}
	var body []rawLine
	props := 0
	for _, e := range def.entries {
		if credentialKeys[e.key] {
			continue
		}
		if e.key != "" || strings.TrimSpace(lines[e.start].text) != "" {
			props++
		}
		body = append(body, lines[e.start:e.end]...)
	}
	out := append([]rawLine{}, lines[:def.header]...)
	if props > 0 {
		out = append(out, lines[def.header])
		out = append(out, body...)
	}
	// Nothing of the user's is left in [default]: drop the header too, so a
	// section rolecall appended disappears entirely.
	out = append(out, lines[def.end:]...)
	return finish(out), nil
}

// ShadowWarnings lists the reasons the keys written into [default] would
// not be the ones the AWS CLI uses: config's [default] is a role, SSO or
// process profile; AWS_PROFILE or AWS_ACCESS_KEY_ID is set.
func ShadowWarnings(s *Set, getenv func(string) string) []string {
	var out []string
	if p := s.Get("default"); p != nil {
		for _, key := range []string{"role_arn", "credential_source", "credential_process", "web_identity_token_file", "sso_session", "sso_start_url", "sso_account_id", "sso_role_name"} {
			v, ok := p.Props.Lookup(key)
			if !ok {
				continue
			}
			out = append(out, fmt.Sprintf("%s: [default] sets %s, which AWS tools may use instead of the written keys; remove it from [default]", v.Pos, key))
			break
		}
	}
	if getenv != nil {
		if v := getenv("AWS_PROFILE"); v != "" && v != "default" {
			out = append(out, fmt.Sprintf("AWS_PROFILE=%s is set, so the AWS CLI uses that profile instead of [default]; unset AWS_PROFILE", v))
		} else if v := getenv("AWS_DEFAULT_PROFILE"); v != "" && v != "default" && getenv("AWS_PROFILE") == "" {
			out = append(out, fmt.Sprintf("AWS_DEFAULT_PROFILE=%s is set, so the AWS CLI uses that profile instead of [default]; unset AWS_DEFAULT_PROFILE", v))
		}
		if getenv("AWS_ACCESS_KEY_ID") != "" {
			out = append(out, "AWS_ACCESS_KEY_ID is set, so the AWS CLI uses the environment's keys instead of [default]; unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
		}
	}
	return out
}

// CheckDefault reports, without writing, the error WriteDefault would give
// for [default]'s current keys, so a caller can refuse before it spends an
// STS call or an MFA code. A missing file is fine.
func CheckDefault(path string, force bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read %s: %v; check its permissions", path, errors.Unwrap(err))
	}
	defs := findSections(scanSections(splitLines(string(data))), "default")
	if len(defs) > 1 {
		return duplicateDefault(path, defs)
	}
	if len(defs) == 1 && !force {
		if why := longTerm(defs[0]); why != "" {
			return longTermError(path, defs[0], why)
		}
	}
	return nil
}

func longTermError(path string, def rawSection, why string) error {
	return fmt.Errorf("%s:%d: %w (%s) that rolecall will not overwrite; use --force to move them to a backup profile first",
		path, def.header+1, ErrLongTermDefault, why)
}
