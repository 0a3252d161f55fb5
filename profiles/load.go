package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Files names the config and credentials files in use.
type Files struct {
	Config      string
	Credentials string
	// ConfigExists and CredentialsExists are filled in by Load.
	ConfigExists      bool
	CredentialsExists bool
}

// Locate resolves the two paths the way the AWS SDKs do: the flags, then
// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/config and
// ~/.aws/credentials with the SDKs' home-directory rules. getenv is
// os.Getenv in production.
func Locate(configFlag, credentialsFlag string, getenv func(string) string) (Files, error) {
	return locate(runtime.GOOS, configFlag, credentialsFlag, getenv, os.UserHomeDir)
}

// locate is Locate for a given platform and runtime home lookup, so that
// the Windows rules can be tested anywhere.
func locate(platform, configFlag, credentialsFlag string, getenv func(string) string, userHome func() (string, error)) (Files, error) {
	var home string
	var homeErr error
	homeDone := false
	path := func(flag, env, base string) (string, error) {
		p := flag
		if p == "" {
			p = getenv(env)
		}
		if p != "" && !strings.HasPrefix(p, "~/") && !(platform == "windows" && strings.HasPrefix(p, `~\`)) {
			return p, nil
		}
		if !homeDone {
			home, homeErr = homeDir(platform, getenv, userHome)
			homeDone = true
		}
		if homeErr != nil {
			return "", fmt.Errorf("cannot find the home directory for %s (%v): set HOME or pass --%s", env, homeErr, strings.TrimPrefix(base, ".aws/"))
		}
		sep := "/"
		if platform == "windows" {
			sep = `\`
		}
		home = strings.TrimRight(home, sep)
		if p != "" {
			return home + sep + p[2:], nil
		}
		return home + sep + ".aws" + sep + strings.TrimPrefix(base, ".aws/"), nil
	}
	cfg, err := path(configFlag, "AWS_CONFIG_FILE", ".aws/config")
	if err != nil {
		return Files{}, err
	}
	cred, err := path(credentialsFlag, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
	if err != nil {
		return Files{}, err
	}
	return Files{Config: cfg, Credentials: cred}, nil
}

// homeDir applies the SDKs' rules: $HOME first everywhere; on Windows then
// %USERPROFILE%, then %HOMEDRIVE%%HOMEPATH%; last the runtime's own answer.
func homeDir(platform string, getenv func(string) string, userHome func() (string, error)) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	if platform == "windows" {
		if h := getenv("USERPROFILE"); h != "" {
			return h, nil
		}
		if d, p := getenv("HOMEDRIVE"), getenv("HOMEPATH"); d != "" && p != "" {
			return d + p, nil
		}
	}
	h, err := userHome()
	if err == nil && h == "" {
		err = errors.New("no home directory")
	}
	return h, err
}

// Set is every profile read from the two files, each resolved.
type Set struct {
	Files Files
	// Profiles is every profile, sorted by name.
	Profiles []*Profile
	// SSOSessions and Services are the [sso-session x] and [services x]
	// sections of the config file, by name.
	SSOSessions map[string]*Section
	Services    map[string]*Section
	// Default is who holds [default] of the credentials file.
	Default DefaultState
	// Problems are file-level problems that did not stop loading (a line
	// that could not be parsed, an ignored section), each naming file:line.
	Problems []error

	// sorted is true when Profiles is sorted by name (a Set from Load), so
	// Get can search it rather than keep a map of 10,000 names.
	sorted bool
}

// Section is one [sso-session x] or [services x] section.
type Section struct {
	Name  string
	Pos   Pos
	Props Props
	Sub   Blocks
}

// Get returns the profile with that name, or nil.
func (s *Set) Get(name string) *Profile {
	if s.sorted {
		i, ok := slices.BinarySearchFunc(s.Profiles, name, func(p *Profile, name string) int { return strings.Compare(p.Name, name) })
		if ok {
			return s.Profiles[i]
		}
		return nil
	}
	// A Set built by hand (tests, demos) has no index.
	for _, p := range s.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Load reads both files and resolves every profile. A missing file is not
// an error (its Exists flag stays false); an unreadable or binary file is.
// One broken profile never hides the others: its problem is on its Err.
func Load(files Files) (*Set, error) {
	cfgText, cfgOK, cfgBOM, err := readText(files.Config, "config")
	if err != nil {
		return nil, err
	}
	credText, credOK, credBOM, err := readText(files.Credentials, "credentials")
	if err != nil {
		return nil, err
	}
	files.ConfigExists, files.CredentialsExists = cfgOK, credOK
	m, _ := parseBoth(cfgText, files.Config, credText, files.Credentials, parseOptions{})
	for _, f := range []struct {
		path string
		bom  bool
	}{{files.Config, cfgBOM}, {files.Credentials, credBOM}} {
		if f.bom {
			m.problems = append(m.problems, &Error{Pos: Pos{File: f.path, Line: 1}, Msg: msgBOM})
		}
	}
	set := build(m)
	set.Files = files
	set.Default = defaultState(m.credDefault)
	return set, nil
}

// MaxFileSize is the largest config or credentials file rolecall reads.
// 16 MiB holds about 100,000 profiles; loading that many takes a few
// hundred megabytes, and a larger file (or a device or pipe that never
// ends) is refused before it is read, so memory stays bounded.
const MaxFileSize = 16 << 20

var errTooLarge = errors.New("file too large")

// msgBOM is the problem of a file that starts with a byte order mark. The
// reader still reads it, as the AWS SDKs for other languages may.
const msgBOM = "the file starts with a UTF-8 byte order mark, which the AWS CLI cannot read (\"Unable to parse config file\"); save it as UTF-8 without one"

// readText reads a file that should hold text. A missing file is not an
// error: ok is false. bom says the file started with a byte order mark,
// which text no longer holds.
func readText(path, what string) (text string, ok, bom bool, err error) {
	if path == "" {
		return "", false, false, nil
	}
	text, err = readSettled(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, false, nil
	}
	if errors.Is(err, errTooLarge) {
		return "", false, false, fmt.Errorf("the %s file %s is larger than %d MiB, more than any AWS %s file needs; rolecall does not read it (point --%s at the right file, or split it)",
			what, path, MaxFileSize>>20, what, what)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", false, false, fmt.Errorf("cannot read the %s file %s: %v (fix its permissions or pass --%s)", what, path, err, what)
	}
	text, bom = strings.CutPrefix(text, utf8BOM)
	if i := strings.IndexByte(text, 0); i >= 0 || !utf8.ValidString(text) {
		return "", false, false, fmt.Errorf("%s is not a text file (binary or not UTF-8): point --%s at the AWS %s file", path, what, what)
	}
	return text, true, bom, nil
}

// parseBoth reads the config and the credentials text and merges them: the
// credentials file wins on duplicate keys. sso-session and services
// sections only count in the config file.
func parseBoth(cfgText, cfgFile, credText, credFile string, opt parseOptions) (*merged, error) {
	// The two files parse on their own, at once when both are large
	// enough to pay for a goroutine.
	credOpt := opt
	credOpt.config = false
	var (
		cred    *parsed
		credErr error
		wg      sync.WaitGroup
	)
	if len(credText) >= 64<<10 && len(cfgText) >= 64<<10 {
		wg.Go(func() { cred, credErr = parseFile(credText, credFile, credOpt) })
	} else {
		cred, credErr = parseFile(credText, credFile, credOpt)
	}
	opt.config = true
	cfg, err := parseFile(cfgText, cfgFile, opt)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if credErr != nil {
		return nil, credErr
	}
	return mergeFiles(cfg, cred), nil
}

// defaultState is who holds [default] of the credentials file, as the
// reader sees it (s is nil when there is none).
func defaultState(s *section) DefaultState {
	if s == nil {
		return DefaultState{}
	}
	return defaultStateOf(func(key string) (string, bool) {
		v, ok := s.Props.Lookup(key)
		return v.Value, ok
	})
}

// SelectedProfile is the profile the AWS CLI uses when none is named:
// AWS_PROFILE, else "default".
func SelectedProfile(getenv func(string) string) string {
	if p := getenv("AWS_PROFILE"); p != "" {
		return p
	}
	return "default"
}

// ReadDefault reads who holds [default] of the credentials file at path
// now; a missing file or section is the zero DefaultState.
func ReadDefault(path string) (DefaultState, error) {
	text, _, _, err := readText(path, "credentials")
	if err != nil {
		return DefaultState{}, err
	}
	f, err := parse(text, path, parseOptions{})
	if err != nil {
		return DefaultState{}, err
	}
	return defaultState(f.profiles["default"]), nil
}
