package session

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
)

// worldConfig is a small organisation: an IAM user with an MFA device, a
// role chain, roles with their own devices, and sources that set their own
// lifetimes.
const worldConfig = `[profile user]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::111111111111:role/dev
source_profile = user
region = eu-west-1

[profile nodefault]
role_arn = arn:aws:iam::111111111111:role/nodefault
source_profile = user

[profile long]
role_arn = arn:aws:iam::111111111111:role/long
source_profile = user
duration_seconds = 43200

[profile chained]
role_arn = arn:aws:iam::222222222222:role/chained
source_profile = dev
duration_seconds = 7200

[profile a]
role_arn = arn:aws:iam::333333333333:role/a
source_profile = user
mfa_serial = arn:aws:iam::999999999999:mfa/x

[profile a2]
role_arn = arn:aws:iam::333333333333:role/a2
source_profile = user
mfa_serial = arn:aws:iam::999999999999:mfa/x

[profile b]
role_arn = arn:aws:iam::444444444444:role/b
source_profile = a
mfa_serial = arn:aws:iam::999999999999:mfa/y

[profile mfauser]
mfa_serial = arn:aws:iam::999999999999:mfa/z

[profile proc]
credential_process = /bin/false
`

const worldCreds = `[user]
aws_access_key_id = AKIAWORLDUSER0000001
aws_secret_access_key = world-user-secret-not-real

[mfauser]
aws_access_key_id = AKIAWORLDUSER0000002
aws_secret_access_key = world-mfauser-secret-not-real
`

// world is a config, a credentials file, a cache, a fake STS and a clock
// the test moves.
type world struct {
	t     testing.TB
	dir   string
	files profiles.Files
	sts   *stsfake.Fake
	clock *fakeClock
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newWorld(t testing.TB) *world {
	t.Helper()
	dir := t.TempDir()
	w := &world{t: t, dir: dir, files: profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")},
		sts: stsfake.Start(t), clock: &fakeClock{now: time.Now().Truncate(time.Second)}}
	w.sts.Now = w.clock.Now
	w.sts.AddUser("AKIAWORLDUSER0000001", "999999999999", "user")
	w.sts.AddUser("AKIAWORLDUSER0000002", "999999999999", "mfauser")
	w.write(worldConfig, worldCreds)
	return w
}

func (w *world) write(config, creds string) {
	w.t.Helper()
	if err := os.WriteFile(w.files.Config, []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(w.files.Credentials, []byte(creds), 0o600); err != nil {
		w.t.Fatal(err)
	}
	// People's files were written long ago; the reader waits a moment
	// for a young, empty one, which another program may be writing.
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{w.files.Config, w.files.Credentials} {
		if err := os.Chtimes(p, old, old); err != nil {
			w.t.Fatal(err)
		}
	}
}

// manager loads the files afresh, as a new process would, with extra
// environment variables and options.
func (w *world) manager(e env, opts Options) *Manager {
	w.t.Helper()
	set, err := profiles.Load(w.files)
	if err != nil {
		w.t.Fatal(err)
	}
	vars := env{"AWS_ENDPOINT_URL_STS": w.sts.URL, "USER": "tester"}
	for k, v := range e {
		vars[k] = v
	}
	opts.Getenv = vars.get
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(w.dir, "cache")
	}
	opts.Now = w.clock.Now
	return New(set, opts)
}
