// Package sandbox is the world `rolecall demo` runs in: a temporary AWS
// config and credentials file shaped like a real organisation's, and an
// STS + instance metadata emulator on a loopback port inside the process.
// It never reads or writes the real ~/.aws, and Close removes all of it.
package sandbox

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
)

// MFAHint tells demo users what to type into the MFA prompt.
const MFAHint = "demo sandbox: nothing reaches AWS · any 6 digits pass as an MFA code · SSO logins allow themselves · c shows the console URL"

// Sandbox is a running demo world.
type Sandbox struct {
	Dir             string
	ConfigFile      string
	CredentialsFile string
	CacheDir        string
	// URL is the emulator's address (http://127.0.0.1:PORT).
	URL string

	env map[string]string
	srv *http.Server
	sso *ssofake.Fake
	emu *emulator
}

// Start writes the files into a new temporary directory and starts the
// emulator. now is the emulator's clock (time.Now when nil).
func Start(now func() time.Time) (*Sandbox, error) {
	if now == nil {
		now = time.Now
	}
	dir, err := os.MkdirTemp("", "rolecall-demo-")
	if err != nil {
		return nil, fmt.Errorf("create the demo's temporary directory: %w (is $TMPDIR writable?)", err)
	}
	s := &Sandbox{
		Dir:             dir,
		ConfigFile:      filepath.Join(dir, "config"),
		CredentialsFile: filepath.Join(dir, "credentials"),
		CacheDir:        filepath.Join(dir, "cache"),
	}
	if err := s.writeFiles(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the demo's STS emulator on loopback: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.emu = newEmulator(now)
	s.sso = newSSO(s.emu)
	s.sso.URL = s.URL
	s.srv = &http.Server{Handler: handler(s.emu, s.sso), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()

	s.env = map[string]string{
		"AWS_CONFIG_FILE":                   s.ConfigFile,
		"AWS_SHARED_CREDENTIALS_FILE":       s.CredentialsFile,
		"AWS_ENDPOINT_URL_STS":              s.URL,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": s.URL,
		"AWS_ENDPOINT_URL_SSO":              s.URL,
		"AWS_ENDPOINT_URL_SSO_OIDC":         s.URL,
		"ROLECALL_FEDERATION_ENDPOINT":      s.URL,
		"ROLECALL_CACHE_DIR":                s.CacheDir,
		// Whatever the user's shell points at must not leak in.
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_ENDPOINT_URL":                       "",
		"AWS_EC2_METADATA_DISABLED":              "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	}
	return s, nil
}

func (s *Sandbox) writeFiles() error {
	if err := os.MkdirAll(s.CacheDir, 0o700); err != nil {
		return fmt.Errorf("create the demo's cache directory: %w", err)
	}
	if err := os.WriteFile(s.ConfigFile, []byte(configFile), 0o600); err != nil {
		return fmt.Errorf("write the demo's config file: %w", err)
	}
	if err := os.WriteFile(s.CredentialsFile, []byte(credentialsFile), 0o600); err != nil {
		return fmt.Errorf("write the demo's credentials file: %w", err)
	}
	return nil
}

// SetSessionLifetime caps every session the emulator issues from now on
// (roles, MFA sessions, instance credentials) at d, so that a test sees
// sessions end, and keys refused with ExpiredToken, within a minute; zero
// lifts the cap.
func (s *Sandbox) SetSessionLifetime(d time.Duration) { s.emu.setMaxLifetime(d) }

// Env returns the variables that point the app, the AWS SDK and the AWS
// CLI at the sandbox; empty values mean "unset".
func (s *Sandbox) Env() map[string]string {
	out := make(map[string]string, len(s.env))
	for k, v := range s.env {
		out[k] = v
	}
	return out
}

// Getenv overlays the sandbox's variables on base. With machine true it
// also gives the keys of the Environment credential source (the "CI
// runner" of the demo), which only the session manager should see.
func (s *Sandbox) Getenv(base func(string) string, machine bool) func(string) string {
	return func(k string) string {
		if machine {
			switch k {
			case "AWS_ACCESS_KEY_ID":
				return ciKeyID
			case "AWS_SECRET_ACCESS_KEY":
				return ciSecret
			case "HOME":
				// The demo's SSO token cache (~/.aws/sso/cache) is the
				// sandbox's, never the user's.
				return s.Dir
			}
		} else if k == "AWS_ACCESS_KEY_ID" || k == "AWS_SECRET_ACCESS_KEY" {
			return ""
		}
		if v, ok := s.env[k]; ok {
			return v
		}
		return base(k)
	}
}

// Environ returns base (os.Environ form) with the sandbox's variables set
// and its empty ones removed: the environment of the demo's subshell.
func (s *Sandbox) Environ(base []string) []string {
	drop := map[string]bool{"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true}
	for k := range s.env {
		drop[k] = true
	}
	out := make([]string, 0, len(base)+len(s.env))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(s.env))
	for k, v := range s.env {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+s.env[k])
	}
	return out
}

// Close stops the emulator and removes every file the sandbox wrote.
func (s *Sandbox) Close() error {
	var errs []error
	if s.srv != nil {
		errs = append(errs, s.srv.Close())
	}
	if err := os.RemoveAll(s.Dir); err != nil {
		errs = append(errs, fmt.Errorf("remove the demo's files in %s: %w", s.Dir, err))
	}
	return errors.Join(errs...)
}
