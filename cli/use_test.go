package cli

import (
	"os"
	"strings"
	"testing"
)

// sectionsByHand splits a credentials file into what comes before its
// first section and each section's text (header line to the next
// header), the plain way a reviewer reads it. It shares no code with the
// writer it checks.
func sectionsByHand(data string) (preamble string, names, texts []string) {
	for _, l := range strings.SplitAfter(data, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			names = append(names, strings.TrimSpace(t[1:len(t)-1]))
			texts = append(texts, "")
		}
		if len(names) == 0 {
			preamble += l
		} else {
			texts[len(texts)-1] += l
		}
	}
	return preamble, names, texts
}

// without is the file's text with the named sections taken out.
func without(data string, skip ...string) string {
	pre, names, texts := sectionsByHand(data)
	out := pre
	for i, n := range names {
		if !strings.Contains(" "+strings.Join(skip, " ")+" ", " "+n+" ") {
			out += texts[i]
		}
	}
	return out
}

// TestUseKeepsTheRestOfTheFile runs `rolecall use` as a user types it,
// against the STS fake, on credentials files whose [default] stands
// first, between sections or last, and holds nothing or keys rolecall did
// not write (--force): every other section comes out byte for byte, in
// order, and --force adds only the backup it names.
func TestUseKeepsTheRestOfTheFile(t *testing.T) {
	const (
		top   = "# my keys: not a byte of this may change\n\n"
		other = "; odd spacing and a sub-property\n[other]\naws_access_key_id=AKIAOTHEREXAMPLE01\naws_secret_access_key  =  other-not-a-real-secret\ns3 =\n  max_concurrent_requests = 20\n\n"
	)
	for _, tc := range []struct {
		name, def string
		force     bool
	}{
		{"settings only", "[default]\nregion = eu-central-1\n\n", false},
		{"long-term keys", "[default]\naws_access_key_id = AKIAMYOWNDEFAULT0001\naws_secret_access_key = my-own-not-a-real-secret\n\n", true},
	} {
		for _, at := range []struct {
			name string
			file func(def string) string
		}{
			{"first", func(d string) string { return d + cmdCreds + "\n" + other }},
			{"between", func(d string) string { return top + cmdCreds + "\n" + d + other }},
			{"last", func(d string) string { return top + cmdCreds + "\n" + other + d }},
		} {
			t.Run(tc.name+" "+at.name, func(t *testing.T) {
				w := newCmdWorld(t)
				before := at.file(tc.def)
				if err := os.WriteFile(w.files.Credentials, []byte(before), 0o600); err != nil {
					t.Fatal(err)
				}
				args := []string{"use", "dev"}
				if tc.force {
					args = append(args, "--force")
				}
				code, out, errOut := runIn(w.env, "", false, args...)
				if code != exitOK {
					t.Fatalf("use exited %d: %s", code, firstLine(errOut))
				}
				after, _ := os.ReadFile(w.files.Credentials)
				skip := []string{"default"}
				_, names, _ := sectionsByHand(string(after))
				for _, n := range names {
					if strings.HasPrefix(n, "default-backup-") {
						if !tc.force || !strings.Contains(out, "["+n+"]") {
							t.Errorf("a backup [%s] that use did not name: %q", n, out)
						}
						skip = append(skip, n)
					}
				}
				if tc.force && len(skip) != 2 {
					t.Errorf("use --force kept no backup of the long-term keys")
				}
				if got, want := without(string(after), skip...), without(before, "default"); got != want {
					t.Errorf("bytes outside [default] changed:\n--- before\n%s--- after\n%s", want, got)
				}
				if key := w.key("dev"); !strings.Contains(string(after), "aws_access_key_id = "+key) {
					t.Errorf("[default] does not hold dev's session")
				}
			})
		}
	}
}
