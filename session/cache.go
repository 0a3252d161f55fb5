package session

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// cacheVersion marks files this program wrote; others are foreign. Version
// 2 holds the expiry once (in the credentials) and the requested lifetime.
const cacheVersion = 2

type cacheFile struct {
	Version int      `json:"rolecall_cache"`
	Session *Session `json:"session"`
}

// cacheDir is Options.CacheDir, else ROLECALL_CACHE_DIR, else the user
// cache dir, once it has been checked: a directory the user owns that
// nobody else can write to. One that is group- or world-writable is
// tightened to 0700; one owned by someone else is not used at all, since
// whoever owns it could plant credentials in it. The check runs once per
// Manager.
func (m *Manager) cacheDir() (string, error) {
	m.cacheOnce.Do(func() { m.cachePath, m.cacheErr = m.checkCacheDir() })
	return m.cachePath, m.cacheErr
}

func (m *Manager) checkCacheDir() (string, error) {
	dir := m.opts.CacheDir
	if dir == "" {
		dir = m.getenv("ROLECALL_CACHE_DIR")
	}
	if dir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory (%v); set ROLECALL_CACHE_DIR", err)
		}
		dir = filepath.Join(d, "rolecall")
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dir, nil // created 0700 by the first write
	case err != nil:
		return "", fmt.Errorf("session cache %s: %v; set ROLECALL_CACHE_DIR to a directory of your own", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return "", fmt.Errorf("session cache %s is not a directory; remove it or set ROLECALL_CACHE_DIR", dir)
	}
	if who := foreignOwner(fi); who != "" {
		return "", fmt.Errorf("session cache %s belongs to %s, not you, so its sessions cannot be trusted and none is used; remove it or set ROLECALL_CACHE_DIR", dir, who)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("session cache %s is open to other users (mode %04o) and could not be closed (%v); chmod 700 it or set ROLECALL_CACHE_DIR", dir, fi.Mode().Perm(), errors.Unwrap(err))
		}
	}
	return dir, nil
}

// maxCacheFile bounds what a cache file may hold; rolecall's are under a
// kilobyte.
const maxCacheFile = 64 << 10

// errSymlink marks a cache file that is a symbolic link.
var errSymlink = errors.New("is a symbolic link")

// chainKey identifies what a session was made from. It is a hash, so no
// key id or secret ever shows in a file name.
func (m *Manager) chainKey(p *profiles.Profile) string {
	c := p.Chain
	r := c.Root
	id := r.AccessKeyID
	if r.Kind == profiles.RootEnvironment {
		id = m.getenv("AWS_ACCESS_KEY_ID")
	}
	parts := []string{"v1", p.Name, string(r.Kind), r.Profile, id, r.CredentialProcess,
		r.SSOSession, r.SSOStartURL, r.SSOAccountID, r.SSORoleName, r.WebIdentityFile, r.RoleARN,
		m.serviceEndpoint(p, "STS", "sts")}
	for _, h := range c.Roles {
		parts = append(parts, h.RoleARN(), h.ExternalID(), h.RoleSessionName(), h.MFASerial())
	}
	return hashKey(parts...)
}

func hashKey(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

func (m *Manager) sessionPath(key string) (string, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, key+".json"), nil
}

// readSession returns the cached session stored under key, if any. A file
// that cannot be used is reported as a warning and otherwise ignored.
func (m *Manager) readSession(key string) (*Session, error) {
	path, err := m.sessionPath(key)
	if err != nil {
		return nil, err
	}
	return readSessionFile(path)
}

func readSessionFile(path string) (*Session, error) {
	b, err := readCacheFile(path)
	if b == nil || err != nil {
		return nil, err
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: not a rolecall session file; ignored (delete it to silence this)", path)
	}
	if f.Version > 0 && f.Version != cacheVersion {
		return nil, nil // another rolecall version's: a miss, replaced on the next write
	}
	if f.Version == 0 || f.Session == nil || f.Session.Creds.AccessKeyID == "" {
		return nil, fmt.Errorf("%s: not a rolecall session file; ignored (delete it to silence this)", path)
	}
	return f.Session, nil
}

// readCacheFile reads one cache file; a missing one is (nil, nil). It is
// input, not truth: a symbolic link, a file someone else owns, or one
// that others could have written (not 0600) is ignored with a warning.
func readCacheFile(path string) ([]byte, error) {
	f, err := openNoFollow(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, errSymlink):
		return nil, fmt.Errorf("%s is a symbolic link, which rolecall never writes; ignored (delete it)", path)
	case err != nil:
		return nil, fmt.Errorf("%s: cannot read cached session (%v); ignored", path, errors.Unwrap(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: cannot read cached session (%v); ignored", path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file; ignored (delete it)", path)
	case foreignOwner(fi) != "":
		return nil, fmt.Errorf("%s belongs to %s, not you; ignored (delete it)", path, foreignOwner(fi))
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%s has mode %04o, so others could have written it (rolecall writes 0600); ignored (delete it)", path, fi.Mode().Perm())
	case fi.Size() > maxCacheFile:
		return nil, fmt.Errorf("%s is %d bytes, too large for a cached session; ignored (delete it)", path, fi.Size())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCacheFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read cached session (%v); ignored", path, err)
	}
	return b, nil
}

// trusted checks what a cached session claims before it is handed out:
// every field present, and an expiry no further ahead than its source can
// issue (limit) — a planted or damaged entry with an expiry of 2099, or
// none, would otherwise be reused for years.
func trusted(path string, s *Session, now time.Time, limit time.Duration) error {
	c := s.Creds
	switch {
	case s.Profile == "" || c.AccessKeyID == "" || c.SecretAccessKey == "":
		return fmt.Errorf("%s: a cached session without its keys; ignored (delete it to silence this)", path)
	case c.Expires.IsZero():
		return fmt.Errorf("%s: a cached session without an expiry, which rolecall never caches; ignored (delete it)", path)
	case c.Expires.After(now.Add(limit)):
		return fmt.Errorf("%s: a cached session that claims to last until %s, longer than its source can issue (%s); ignored (delete it)",
			path, c.Expires.UTC().Format(time.RFC3339), HumanDuration(limit))
	}
	return nil
}

// writeSession stores s atomically: a reader sees the old file or the new
// one, never half of one.
func (m *Manager) writeSession(s *Session) error {
	path, err := m.sessionPath(s.Key)
	if err != nil {
		return err
	}
	b, err := json.Marshal(cacheFile{Version: cacheVersion, Session: s})
	if err != nil {
		return err
	}
	return m.writeCacheFile(path, b)
}

// writeCacheFile writes one cache file atomically, 0600 in a 0700
// directory.
func (m *Manager) writeCacheFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the session cache %s: %v (set ROLECALL_CACHE_DIR to a writable directory)", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write the session cache in %s: %v (set ROLECALL_CACHE_DIR to a writable directory)", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}

// Forget drops a profile's cached session: the one under its current
// chain key and any older one its files no longer give (a profile since
// removed from the files included). The MFA session other roles share
// stays. It returns how many files it removed; a name that is neither a
// profile nor in the cache is an unknown-profile error.
func (m *Manager) Forget(profile string) (int, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return 0, err
	}
	n := 0
	remove := func(path string) error {
		err := os.Remove(path)
		if err == nil {
			n++
			return nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("cannot remove %s: %v", path, errors.Unwrap(err))
	}
	p, perr := m.profile(profile)
	if perr == nil {
		if err := remove(filepath.Join(dir, m.chainKey(p)+".json")); err != nil {
			return n, err
		}
	}
	all, _ := m.Sessions()
	for _, s := range all {
		if s.Profile == profile && s.Key != "" && filepath.Base(s.Key) == s.Key {
			if err := remove(filepath.Join(dir, s.Key+".json")); err != nil {
				return n, err
			}
		}
	}
	if n == 0 && IsUsage(perr) {
		return 0, perr
	}
	return n, nil
}

// ForgetAll drops every cached session and MFA session, and returns how
// many files it removed. Which profiles have auto-renew on is kept.
func (m *Manager) ForgetAll() (int, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot read the session cache %s: %v", dir, err)
	}
	n := 0
	for _, e := range entries {
		// The auto-renew list is a preference, not a session: it stays.
		if name := e.Name(); e.Type().IsRegular() && strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".") && name != autoRenewFile {
			path := filepath.Join(dir, name)
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return n, fmt.Errorf("cannot remove %s: %v", path, errors.Unwrap(err))
			}
			n++
		}
	}
	return n, nil
}

// Sessions lists every cached session, expired ones included; warnings name
// files it ignored.
func (m *Manager) Sessions() ([]*Session, []error) {
	dir, err := m.cacheDir()
	if err != nil {
		return nil, []error{err}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("cannot read the session cache %s: %v", dir, err)}
	}
	var (
		out   []*Session
		warns []error
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, mfaFilePrefix) || strings.HasPrefix(name, ".") || name == autoRenewFile {
			continue
		}
		path := filepath.Join(dir, name)
		s, err := readSessionFile(path)
		if err == nil && s != nil {
			err = trusted(path, s, m.now(), profiles.MaxMFASessionDuration)
		}
		if err != nil {
			warns = append(warns, err)
			continue
		}
		if s != nil {
			s.FromCache = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Profile != out[j].Profile {
			return out[i].Profile < out[j].Profile
		}
		return out[i].Expires().Before(out[j].Expires())
	})
	return out, warns
}

// readSmallFile reads a file that should be small, refusing one larger
// than limit rather than reading it all (a device, a pipe, a planted
// file).
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d KiB, far more than it should hold", path, limit>>10)
	}
	return b, nil
}
