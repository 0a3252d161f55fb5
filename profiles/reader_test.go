package profiles

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReaderRules loads files the way rolecall does (Load, lenient) and
// checks the rules of the shared config format that people's real files
// lean on. The expectations follow the AWS SDKs' format (SEP, which the
// Go SDK's reader implements too); each case says whether the AWS CLI
// (botocore, checked with `aws configure get`) reads the same, and where
// it does not, what it does instead.
func TestReaderRules(t *testing.T) {
	tests := []struct {
		name        string
		config      string
		credentials string
		// want is every property of each profile named; a profile not
		// named is not checked.
		want map[string]map[string]string
		// sub is every sub-property block of each profile in want.
		sub map[string]map[string]map[string]string
		// absent are profiles that must not exist.
		absent []string
		// problems are the file:line problems Load reports, in order.
		problems []string
	}{
		{
			// The AWS CLI agrees.
			name:   "quotes are part of the value",
			config: "[profile a]\nregion = \"us-west-2\"\nexternal_id = 'abc'\nrole_session_name = \"x y\"\n",
			want:   map[string]map[string]string{"a": {"region": `"us-west-2"`, "external_id": "'abc'", "role_session_name": `"x y"`}},
		},
		{
			// The AWS CLI agrees.
			name:   "; and # inside a value are kept",
			config: "[profile a]\nexternal_id = x;y\nrole_arn = arn:aws:iam::123456789012:role/a#b\nrole_session_name = x#y;z\n",
			want:   map[string]map[string]string{"a": {"external_id": "x;y", "role_arn": "arn:aws:iam::123456789012:role/a#b", "role_session_name": "x#y;z"}},
		},
		{
			// The AWS CLI keeps "x ;y" whole: botocore reads no inline
			// comments. The SDKs (and so every program built on them)
			// cut the value at the comment.
			name:   "; or # after a space or tab starts a comment",
			config: "[profile a]\nexternal_id = x ;y\nregion = eu-west-1 # Ireland\nrole_session_name = x\t#y\noutput = json\t;z\n",
			want:   map[string]map[string]string{"a": {"external_id": "x", "region": "eu-west-1", "role_session_name": "x", "output": "json"}},
		},
		{
			// The AWS CLI agrees.
			name:   "full-line comments, and comments after a header",
			config: "# top\n; top\n[profile a] # note\nregion = eu-west-1\n  \n[profile b];note\nregion = us-east-1\n",
			want:   map[string]map[string]string{"a": {"region": "eu-west-1"}, "b": {"region": "us-east-1"}},
		},
		{
			// The AWS CLI agrees, except that it keeps the case of a
			// sub-property's name (s3.Max_Attempts), where the SDKs
			// lower-case it as they do every property name.
			name: "sub-properties belong to their block",
			config: "[profile a]\ns3 =\n  max_concurrent_requests = 20\n\n  Addressing_Style = path\n  use_arn = x ;y\n" +
				"region = eu-west-1\n",
			want: map[string]map[string]string{"a": {"region": "eu-west-1"}},
			sub:  map[string]map[string]map[string]string{"a": {"s3": {"max_concurrent_requests": "20", "addressing_style": "path", "use_arn": "x ;y"}}},
		},
		{
			// The AWS CLI refuses the whole file; rolecall keeps the
			// other profiles and names the line.
			name:     "a sub-property without = is a problem of its profile only",
			config:   "[profile a]\ns3 =\n  addressing_style path\n[profile b]\nregion = eu-west-1\n",
			want:     map[string]map[string]string{"b": {"region": "eu-west-1"}},
			problems: []string{"config:3: profile \"a\": Expected an '=' sign defining a property in sub-property"},
		},
		{
			// The AWS CLI agrees: the role_arn that is indented by
			// mistake is part of source_profile, not a property.
			name:   "an indented line continues the value above it",
			config: "[profile a]\nrole_session_name = one\n  two # not a comment\n\tthree ; nor this\nsource_profile = base\n  role_arn = arn:aws:iam::123456789012:role/r\n",
			want:   map[string]map[string]string{"a": {"role_session_name": "one\ntwo # not a comment\nthree ; nor this", "source_profile": "base\nrole_arn = arn:aws:iam::123456789012:role/r"}},
		},
		{
			// The AWS CLI agrees.
			name:   "[profile default] beats an earlier [default] in config, without merging",
			config: "[default]\nregion = plain\noutput = text\n[profile default]\nregion = prefixed\n",
			want:   map[string]map[string]string{"default": {"region": "prefixed"}},
		},
		{
			// The AWS CLI reads whichever of the two comes last (here
			// [default]); the SDKs take [profile default] whatever the order.
			name:   "[profile default] beats a later [default] in config",
			config: "[profile default]\nregion = prefixed\n[default]\nregion = plain\noutput = text\n",
			want:   map[string]map[string]string{"default": {"region": "prefixed"}},
		},
		{
			// The AWS CLI agrees.
			name:   "[default] alone is the default profile in config",
			config: "[default]\nregion = eu-west-1\n",
			want:   map[string]map[string]string{"default": {"region": "eu-west-1"}},
		},
		{
			// The AWS CLI agrees: the credentials file has no "profile "
			// prefix, and its [default] wins over config's on the same key.
			name:        "[profile default] in credentials is ignored; [default] there overlays config",
			config:      "[default]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n",
			credentials: "[profile default]\naws_access_key_id = IGNORED\n[default]\naws_access_key_id = FROMCREDS\n",
			want:        map[string]map[string]string{"default": {"region": "eu-west-1", "aws_access_key_id": "FROMCREDS"}},
			absent:      []string{"profile default"},
			problems:    []string{"credentials:1: [profile default] is ignored: in the credentials file a profile is [default]"},
		},
		{
			// botocore's configparser reads no section from "[]" (a header
			// needs a name); the line is reported and skipped, and the
			// profiles after it are read as usual.
			name:     "an empty header [] is ignored with a warning",
			config:   "[]\nregion = x\n[profile a]\nregion = y\n",
			want:     map[string]map[string]string{"a": {"region": "y"}},
			problems: []string{"config:1: [] is ignored: the AWS CLI reads [profile name], [sso-session name] and [services name] here"},
		},
		{
			// The AWS CLI refuses a file with a duplicate section or key
			// (configparser's strict mode); the SDKs merge them.
			name:        "duplicate sections merge; the last value of a key wins, whatever its case",
			credentials: "[a]\naws_access_key_id = ONE\n[b]\naws_access_key_id = B\naws_secret_access_key = sb\n[a]\nAWS_ACCESS_KEY_ID = TWO\naws_secret_access_key = sa\n",
			want: map[string]map[string]string{
				"a": {"aws_access_key_id": "TWO", "aws_secret_access_key": "sa"},
				"b": {"aws_access_key_id": "B", "aws_secret_access_key": "sb"},
			},
		},
		{
			// The AWS CLI agrees: no value keeps a carriage return, not
			// even a secret key, which would break request signing.
			name:        "CRLF line ends",
			config:      "[profile a]\r\nrole_session_name = one\r\n  two\r\ns3 =\r\n  addressing_style = path\r\nregion = eu-west-1\r\n",
			credentials: "[a]\r\naws_access_key_id = AKID\r\naws_secret_access_key = secret\r\n",
			want:        map[string]map[string]string{"a": {"role_session_name": "one\ntwo", "region": "eu-west-1", "aws_access_key_id": "AKID", "aws_secret_access_key": "secret"}},
			sub:         map[string]map[string]map[string]string{"a": {"s3": {"addressing_style": "path"}}},
		},
		{
			// The AWS CLI refuses a file that starts with a BOM (as
			// Windows editors write it); rolecall reads it, says the AWS
			// CLI will not, and line numbers still count from the first
			// line.
			name:        "a UTF-8 byte order mark",
			config:      "\ufeff[profile a]\nregion = eu-west-1\nbroken\n",
			credentials: "\ufeff[default]\naws_access_key_id = AKID\naws_secret_access_key = secret\n",
			want:        map[string]map[string]string{"a": {"region": "eu-west-1"}, "default": {"aws_access_key_id": "AKID", "aws_secret_access_key": "secret"}},
			problems: []string{"config:3: profile \"a\": Expected an '=' sign defining a property",
				"config:1: the file starts with a UTF-8 byte order mark", "credentials:1: the file starts with a UTF-8 byte order mark"},
		},
		{
			// The AWS CLI reads "  region = x" as a property (configparser
			// allows indented properties); the SDKs reject a continuation
			// with nothing to continue.
			name:     "a continuation right after a header is a problem",
			config:   "[profile a]\n  region = eu-west-1\n[profile b]\nregion = us-east-1\n",
			want:     map[string]map[string]string{"a": {}, "b": {"region": "us-east-1"}},
			problems: []string{"config:2: profile \"a\": Expected a property definition, found continuation"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
			for path, text := range map[string]string{files.Config: tc.config, files.Credentials: tc.credentials} {
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(text, "\ufeff", "\xef\xbb\xbf")), 0o600); err != nil {
					t.Fatal(err)
				}
				age(t, path)
			}
			set, err := Load(files)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for name, props := range tc.want {
				p := set.Get(name)
				if p == nil {
					t.Errorf("profile %q not read", name)
					continue
				}
				got := map[string]string{}
				for _, pr := range p.Props {
					got[pr.Key] = pr.Value.Value
				}
				for k, v := range props {
					switch g, ok := got[k]; {
					case !ok:
						t.Errorf("profile %q has no %s", name, k)
					case g != v && isSecret(k):
						t.Errorf("profile %q: %s is not the fixture's", name, k)
					case g != v:
						t.Errorf("profile %q: %s = %q, want %q", name, k, g, v)
					}
				}
				for k := range got {
					if _, ok := props[k]; !ok {
						t.Errorf("profile %q has %s, which it should not", name, k)
					}
				}
				wantSub := tc.sub[name]
				if len(p.Sub) != len(wantSub) {
					t.Errorf("profile %q has sub-property blocks %v, want %v", name, p.Sub, slices.Sorted(maps.Keys(wantSub)))
				}
				for block, subs := range wantSub {
					got := map[string]string{}
					for _, v := range p.Sub.Get(block) {
						got[v.Key] = v.Value.Value
					}
					if !maps.Equal(got, subs) {
						t.Errorf("profile %q: %s = %q, want %q", name, block, got, subs)
					}
				}
			}
			for _, name := range tc.absent {
				if set.Get(name) != nil {
					t.Errorf("profile %q was read", name)
				}
			}
			var problems []string
			for _, e := range set.Problems {
				problems = append(problems, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
			}
			if len(problems) != len(tc.problems) {
				t.Fatalf("problems = %q, want %d like %q", problems, len(tc.problems), tc.problems)
			}
			for i, want := range tc.problems {
				if !strings.HasPrefix(problems[i], want) {
					t.Errorf("problem %d = %q, want it to start %q", i, problems[i], want)
				}
			}
		})
	}
}

// isSecret reports whether key holds a secret, whose value a failure
// message must not show.
func isSecret(key string) bool {
	return key == "aws_secret_access_key" || key == "aws_session_token"
}
