package session

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"
)

// autoRenewFile is the file in the cache directory that remembers which
// profiles have auto-renew on, so that a restart resumes them. It is not a
// session: Sessions and ForgetAll leave it alone.
const autoRenewFile = "auto-renew.json"

// autoRenewVersion marks files this program wrote.
const autoRenewVersion = 1

// Limits on what LoadAutoRenew accepts: the file is small, and a damaged
// or hostile one must not cost memory or time.
const (
	maxAutoRenewBytes = 1 << 20
	maxAutoRenewNames = 10000
	maxProfileName    = 1024
)

type autoRenewDoc struct {
	Version  int      `json:"rolecall_auto_renew"`
	Profiles []string `json:"profiles"`
}

// AutoRenewStore remembers which profiles have auto-renew on across
// restarts. *Manager is one: a small file in its cache directory.
type AutoRenewStore interface {
	LoadAutoRenew() ([]string, error)
	SaveAutoRenew(profiles []string) error
}

func (m *Manager) autoRenewPath() (string, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, autoRenewFile), nil
}

// LoadAutoRenew returns the profiles whose auto-renew was on when it was
// last saved, sorted and without duplicates; none when nothing was saved.
// A file it cannot use is an error that names it, and counts as none.
func (m *Manager) LoadAutoRenew() ([]string, error) {
	path, err := m.autoRenewPath()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: cannot read the auto-renew list (%v); auto-renew starts off", path, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAutoRenewBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the auto-renew list (%v); auto-renew starts off", path, unwrapPath(err))
	}
	bad := fmt.Errorf("%s: not a rolecall auto-renew list; ignored (turning auto-renew on or off rewrites it)", path)
	if len(b) > maxAutoRenewBytes {
		return nil, bad
	}
	var doc autoRenewDoc
	if err := json.Unmarshal(b, &doc); err != nil || doc.Version != autoRenewVersion || len(doc.Profiles) > maxAutoRenewNames {
		return nil, bad
	}
	out := make([]string, 0, len(doc.Profiles))
	for _, name := range doc.Profiles {
		if name == "" || len(name) > maxProfileName || !utf8.ValidString(name) {
			return nil, bad
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SaveAutoRenew records the profiles with auto-renew on, replacing the
// file atomically (0600 in the 0700 cache directory).
func (m *Manager) SaveAutoRenew(profiles []string) error {
	path, err := m.autoRenewPath()
	if err != nil {
		return err
	}
	names := slices.Compact(slices.Sorted(slices.Values(profiles)))
	if names == nil {
		names = []string{}
	}
	b, err := json.Marshal(autoRenewDoc{Version: autoRenewVersion, Profiles: names})
	if err != nil {
		return err
	}
	return m.writeCacheFile(path, append(b, '\n'))
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
