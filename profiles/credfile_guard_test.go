package profiles

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

// sessionFor is a made-up session of profile, with key ids that tell the
// profiles apart.
func sessionFor(profile string) DefaultWrite {
	id := "ASIA" + strings.Repeat("X", max(0, 16-len(profile))) + strings.ToUpper(profile)
	return DefaultWrite{
		AccessKeyID:     id,
		SecretAccessKey: "secret-of-" + profile,
		SessionToken:    "token-of-" + profile,
		Expiration:      time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC),
		Profile:         profile,
	}
}

// credFile writes data into a fresh credentials file and returns its path.
func credFile(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// configureSet changes key in [section] the way `aws configure set` does:
// it reads the file, replaces the key's line (or adds one under the
// header), then truncates the file and writes it again in place, leaving
// every other line, rolecall's own included.
func configureSet(t *testing.T, path, section, key, value string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(setKey(string(data), section, key, value)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setKey is configureSet on text.
func setKey(data, section, key, value string) string {
	lines := strings.SplitAfter(data, "\n")
	in, header := false, -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			in = t == "["+section+"]"
			if in {
				header = i
			}
			continue
		}
		if k, _, ok := strings.Cut(t, "="); in && ok && strings.TrimSpace(k) == key {
			lines[i] = key + " = " + value + "\n"
			return strings.Join(lines, "")
		}
	}
	if header < 0 {
		if data != "" && !strings.HasSuffix(data, "\n") {
			data += "\n"
		}
		return data + "[" + section + "]\n" + key + " = " + value + "\n"
	}
	lines[header] += key + " = " + value + "\n"
	return strings.Join(lines, "")
}

// noSecret fails when a message holds a secret of w or of the fixtures.
func noSecret(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("message reveals a secret")
		}
	}
}

func TestCredfileForeignKeysAreKept(t *testing.T) {
	one := sessionFor("one")
	tests := []struct {
		name string
		// change turns the file rolecall wrote into someone else's.
		change     func(t *testing.T, path string)
		wantHolder DefaultHolder
		wantDesc   string
		longTerm   bool
		secrets    []string
		// inBackup and notInBackup are lines the --force backup must and
		// must not hold.
		inBackup, notInBackup []string
	}{
		{
			name: "aws configure set writes long-term keys over a rolecall session",
			change: func(t *testing.T, path string) {
				configureSet(t, path, "default", "aws_access_key_id", "AKIANEWLONGTERMKEY1")
				configureSet(t, path, "default", "aws_secret_access_key", "new-long-term-secret")
			},
			wantHolder: DefaultLongTerm, wantDesc: "long-term keys (AKIA…KEY1)", longTerm: true,
			secrets:     []string{"new-long-term-secret", one.SessionToken},
			inBackup:    []string{"aws_access_key_id = AKIANEWLONGTERMKEY1", "aws_secret_access_key = new-long-term-secret"},
			notInBackup: []string{"aws_session_token", "rolecall_"},
		},
		{
			name: "temporary keys typed over rolecall's lines",
			change: func(t *testing.T, path string) {
				configureSet(t, path, "default", "aws_access_key_id", "ASIATYPEDBYHAND0001")
				configureSet(t, path, "default", "aws_secret_access_key", "typed-secret")
				configureSet(t, path, "default", "aws_session_token", "typed-token")
			},
			wantHolder: DefaultOtherTool, wantDesc: "temporary keys written by another tool (ASIA…0001)",
			secrets:     []string{"typed-secret", "typed-token"},
			inBackup:    []string{"aws_access_key_id = ASIATYPEDBYHAND0001", "aws_session_token = typed-token"},
			notInBackup: []string{"rolecall_"},
		},
		{
			name: "another tool's session with its expiry",
			change: func(t *testing.T, path string) {
				os.WriteFile(path, []byte("[default]\naws_access_key_id = ASIASAML2AWS000042\naws_secret_access_key = saml-secret\n"+
					"aws_session_token = saml-token\nx_security_token_expires = 2026-11-23T17:00:00Z\n\n[x]\na = b\n"), 0o600)
			},
			wantHolder: DefaultOtherTool, wantDesc: "temporary keys written by another tool (ASIA…0042, expiring 2026-11-23T17:00:00Z)",
			secrets:  []string{"saml-secret", "saml-token"},
			inBackup: []string{"aws_session_token = saml-token", "x_security_token_expires = 2026-11-23T17:00:00Z"},
		},
		{
			name: "long-term keys without a token",
			change: func(t *testing.T, path string) {
				os.WriteFile(path, []byte("[default]\naws_access_key_id = ASIAODDBUTNOTOKEN1\naws_secret_access_key = plain-secret\n[x]\na = b\n"), 0o600)
			},
			wantHolder: DefaultLongTerm, wantDesc: "long-term keys (ASIA…KEN1)", longTerm: true,
			secrets: []string{"plain-secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := credFile(t, "[x]\na = b\n")
			if _, err := WriteDefault(path, one, DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			tt.change(t, path)
			before := readString(t, path)
			set, err := Load(Files{Credentials: path})
			if err != nil {
				t.Fatal(err)
			}
			if set.Default.Holder != tt.wantHolder || set.Default.String() != tt.wantDesc {
				t.Errorf("the reader sees %q (holder %d), want %q", set.Default, set.Default.Holder, tt.wantDesc)
			}

			two := sessionFor("two")
			for name, call := range map[string]func() error{
				"check": func() error { return CheckDefault(path, DefaultOptions{}) },
				"write": func() error { _, err := WriteDefault(path, two, DefaultOptions{}); return err },
			} {
				err := call()
				if !errors.Is(err, ErrForeignDefault) || errors.Is(err, ErrLongTermDefault) != tt.longTerm {
					t.Fatalf("%s: error %v; want ErrForeignDefault (long-term: %v)", name, err, tt.longTerm)
				}
				if !strings.Contains(err.Error(), tt.wantDesc) || !strings.Contains(err.Error(), "--force") {
					t.Errorf("%s: error %q does not say %q and --force", name, err, tt.wantDesc)
				}
				noSecret(t, err.Error(), tt.secrets...)
			}
			_, err = ClearDefault(path, DefaultOptions{})
			if !errors.Is(err, ErrNotWrittenByRolecall) || !strings.Contains(err.Error(), tt.wantDesc) {
				t.Fatalf("clear: error %v; want ErrNotWrittenByRolecall naming %q", err, tt.wantDesc)
			}
			noSecret(t, err.Error(), tt.secrets...)
			if readString(t, path) != before {
				t.Fatalf("a refused call changed the file")
			}

			res, err := WriteDefault(path, two, DefaultOptions{Force: true})
			if err != nil {
				t.Fatal(err)
			}
			set, err = Load(Files{Credentials: path})
			if err != nil {
				t.Fatal(err)
			}
			if set.Default != res.Default || !set.Default.Ours() || set.Default.Profile != "two" {
				t.Errorf("after --force [default] holds %q", set.Default)
			}
			b := set.Get(res.BackupProfile)
			if b == nil {
				t.Fatalf("no backup profile %q", res.BackupProfile)
			}
			text := readString(t, path)
			backup := text[strings.Index(text, "["+res.BackupProfile+"]"):]
			for _, l := range tt.inBackup {
				if !strings.Contains(backup, l) {
					t.Errorf("the backup lacks %q", strings.SplitN(l, "=", 2)[0])
				}
			}
			for _, l := range tt.notInBackup {
				if strings.Contains(backup, l) {
					t.Errorf("the backup holds %q", l)
				}
			}
			if x := set.Get("x"); x == nil || x.Get("a") != "b" {
				t.Errorf("[x] was not kept")
			}
		})
	}
}

// The AWS CLI itself is the other writer: `aws configure set` of long-term
// keys after `rolecall use` must make rolecall refuse, not overwrite.
func TestCredfileForeignKeysFromAWSCLI(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	path := credFile(t, "[x]\na = b\n")
	if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"aws_access_key_id", "AKIAFROMTHEAWSCLI01"}, {"aws_secret_access_key", "typed-into-the-aws-cli"}} {
		c := exec.Command(awsBin, "configure", "set", kv[0], kv[1], "--profile", "default")
		c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT"),
			"AWS_SHARED_CREDENTIALS_FILE=" + path, "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none")}
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("aws configure set: %v: %s", err, strings.SplitN(string(out), "\n", 2)[0])
		}
	}
	before := readString(t, path)
	if !strings.Contains(before, "rolecall_profile = one") {
		t.Fatalf("the AWS CLI no longer leaves rolecall's lines in place; the test's premise changed")
	}
	if _, err := WriteDefault(path, sessionFor("two"), DefaultOptions{}); !errors.Is(err, ErrLongTermDefault) {
		t.Errorf("use after aws configure set: %v, want a refusal", err)
	}
	if _, err := ClearDefault(path, DefaultOptions{}); !errors.Is(err, ErrNotWrittenByRolecall) {
		t.Errorf("use --clear after aws configure set: %v, want a refusal", err)
	}
	if readString(t, path) != before {
		t.Errorf("the keys typed into the AWS CLI were changed")
	}
}

func TestCredfileExpect(t *testing.T) {
	one, two := sessionFor("one"), sessionFor("two")
	t.Run("a write that still finds its session goes ahead", func(t *testing.T) {
		path := credFile(t, "[x]\na = b\n")
		r1, err := WriteDefault(path, one, DefaultOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := WriteDefault(path, one, DefaultOptions{Expect: &r1.Default})
		if err != nil || r2.Default != r1.Default {
			t.Fatalf("renewal with the expected [default]: %v (%+v)", err, r2.Default)
		}
		if _, err := ClearDefault(path, DefaultOptions{Expect: &r2.Default}); err != nil {
			t.Fatalf("clear with the expected [default]: %v", err)
		}
		if got := readString(t, path); got != "[x]\na = b\n" {
			t.Errorf("after clear: %q", got)
		}
	})
	tests := []struct {
		name    string
		other   func(t *testing.T, path string)
		wantNow string
		secrets []string
	}{
		{name: "another rolecall wrote another profile", wantNow: "two's session (ASIA…XTWO)",
			other: func(t *testing.T, path string) {
				if _, err := WriteDefault(path, two, DefaultOptions{}); err != nil {
					t.Fatal(err)
				}
			}, secrets: []string{two.SecretAccessKey, two.SessionToken}},
		{name: "another rolecall cleared it", wantNow: "no keys",
			other: func(t *testing.T, path string) {
				if _, err := ClearDefault(path, DefaultOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "the user put long-term keys there", wantNow: "long-term keys (AKIA…0007)",
			other: func(t *testing.T, path string) {
				configureSet(t, path, "default", "aws_access_key_id", "AKIALONGTERMKEY0007")
				configureSet(t, path, "default", "aws_secret_access_key", "users-secret")
			}, secrets: []string{"users-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := credFile(t, "[x]\na = b\n")
			mine, err := WriteDefault(path, one, DefaultOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tt.other(t, path)
			before := readString(t, path)
			calls := map[string]func() error{
				"write": func() error { _, err := WriteDefault(path, one, DefaultOptions{Expect: &mine.Default}); return err },
				"forced write": func() error {
					_, err := WriteDefault(path, one, DefaultOptions{Expect: &mine.Default, Force: true})
					return err
				},
				"clear":        func() error { _, err := ClearDefault(path, DefaultOptions{Expect: &mine.Default}); return err },
				"check":        func() error { return CheckDefault(path, DefaultOptions{Expect: &mine.Default}) },
				"forced check": func() error { return CheckDefault(path, DefaultOptions{Expect: &mine.Default, Force: true}) },
			}
			for name, call := range calls {
				err := call()
				var changed *DefaultChangedError
				if !errors.Is(err, ErrDefaultChanged) || !errors.As(err, &changed) {
					t.Fatalf("%s: error %v, want ErrDefaultChanged", name, err)
				}
				if changed.Now.String() != tt.wantNow || !strings.Contains(err.Error(), tt.wantNow) || !strings.Contains(err.Error(), "one's session (ASIA…XONE)") {
					t.Errorf("%s: %q; want it to name one's session and %q", name, err, tt.wantNow)
				}
				noSecret(t, err.Error(), append(tt.secrets, one.SecretAccessKey, one.SessionToken)...)
			}
			if readString(t, path) != before {
				t.Errorf("a write that expected another [default] changed the file")
			}
		})
	}
}

// headerCase is a file whose headers the reader, the writer and botocore
// must agree on.
type headerCase struct {
	name, in string
	// refused is a substring of the error; "" when the write goes ahead.
	refused string
	// want is the file after writing sessionFor("new").
	want string
	// keep are profile/key/value triples both readers must still see.
	keep [][3]string
}

var headerCases = []headerCase{
	{name: "indented header at the top", in: "  [default]\nregion = eu-west-1\n[x]\na = b\n",
		want: "  [default]\nregion = eu-west-1\n" + newBlock + "[x]\na = b\n",
		keep: [][3]string{{"x", "a", "b"}, {"default", "region", "eu-west-1"}}},
	{name: "indented header after a section header", in: "[x]\n\t[default]\nregion = eu-west-1\n",
		want: "[x]\n\t[default]\nregion = eu-west-1\n" + newBlock,
		keep: [][3]string{{"default", "region", "eu-west-1"}}},
	{name: "indented header under a property is part of its value", in: "[x]\na = b\n  [default]\nc = d\n",
		want: "[x]\na = b\n  [default]\nc = d\n[default]\n" + newBlock,
		keep: [][3]string{{"x", "c", "d"}}},
	{name: "double closing bracket is another section", in: "[default]]\nc = d\n",
		want: "[default]]\nc = d\n[default]\n" + newBlock},
	{name: "comment after the header", in: "[default] # mine\nregion = eu-west-1\n[x]\na = b\n",
		want: "[default] # mine\nregion = eu-west-1\n" + newBlock + "[x]\na = b\n",
		keep: [][3]string{{"x", "a", "b"}, {"default", "region", "eu-west-1"}}},
	{name: "comment right after the bracket", in: "[default];mine\nregion = eu-west-1\n",
		want: "[default];mine\nregion = eu-west-1\n" + newBlock,
		keep: [][3]string{{"default", "region", "eu-west-1"}}},
	{name: "byte order mark", in: utf8BOM + "[default]\nregion = eu-west-1\n", refused: "byte order mark"},
	{name: "spaces inside the brackets", in: "[ default ]\nregion = eu-west-1\n", refused: "disagree"},
	{name: "text after the bracket", in: "[default]x\nregion = eu-west-1\n", refused: "disagree"},
}

// newBlock is what WriteDefault writes for sessionFor("new").
const newBlock = "aws_access_key_id = ASIAXXXXXXXXXXXXXNEW\naws_secret_access_key = secret-of-new\naws_session_token = token-of-new\n" +
	"rolecall_profile = new\nrolecall_access_key_id = ASIAXXXXXXXXXXXXXNEW\nrolecall_expiration = 2026-11-23T16:00:00Z\n"
