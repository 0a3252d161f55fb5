package profiles

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

func readConformance(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.ConformanceDir(t), name))
	if err != nil {
		t.Fatalf("conformance data incomplete: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// parsedView is a parse result in the suites' shape: a property is a
// string, a sub-property block a map (SEP) or its raw text (smithy-rs).
type parsedView map[string]map[string]any

func view(secs map[string]*section, raw bool) parsedView {
	out := parsedView{}
	for name, s := range secs {
		m := map[string]any{}
		for _, pr := range s.Props {
			m[pr.Key] = pr.Value.Value
		}
		for _, b := range s.Sub {
			k, sub := b.Key, b.Props
			if raw {
				m[k] = s.raw[k].Value
				continue
			}
			sm := map[string]any{}
			for _, sv := range sub {
				sm[sv.Key] = sv.Value.Value
			}
			m[k] = sm
		}
		out[name] = m
	}
	return out
}

// normalise turns decoded JSON into the same shape as view.
func normalise(in map[string]map[string]any) parsedView {
	out := parsedView{}
	for name, props := range in {
		m := map[string]any{}
		for k, v := range props {
			m[k] = v
		}
		out[name] = m
	}
	return out
}

func TestConformanceConfigFileParser(t *testing.T) {
	var suite struct {
		Tests []struct {
			Name  string
			Input struct {
				ConfigFile      *string
				CredentialsFile *string
			}
			Output struct {
				Profiles        map[string]map[string]any
				SSOSessions     map[string]map[string]any `json:"ssoSessions"`
				ErrorContaining string
			}
		}
	}
	readConformance(t, "config-file-parser-tests.json", &suite)
	if len(suite.Tests) != 118 {
		t.Errorf("config-file-parser-tests.json has %d cases, want 118", len(suite.Tests))
	}
	for i, tc := range suite.Tests {
		t.Run(caseName(i, tc.Name), func(t *testing.T) {
			m, err := parseBoth(deref(tc.Input.ConfigFile), "config", deref(tc.Input.CredentialsFile), "credentials",
				parseOptions{strict: true})
			if want := tc.Output.ErrorContaining; want != "" {
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
					t.Fatalf("error = %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.Output.Profiles != nil {
				if got, want := view(m.profileMap(), false), normalise(tc.Output.Profiles); !reflect.DeepEqual(got, want) {
					t.Errorf("profiles:\n got %v\nwant %v", got, want)
				}
			}
			if tc.Output.SSOSessions != nil {
				if got, want := view(m.ssoSessions, false), normalise(tc.Output.SSOSessions); !reflect.DeepEqual(got, want) {
					t.Errorf("sso-sessions:\n got %v\nwant %v", got, want)
				}
			}
		})
	}
}

// rsErrors translates the smithy-rs wording ("profile") into the SEP one
// ("section") that the reader uses.
var rsErrors = map[string]string{
	"Profile definition must end with ']'":               msgSectionEnd,
	"Expected a profile definition":                      msgNoSection,
	"Expected an '=' sign defining a sub-property":       msgSubNoEquals,
	"Sub-property did not have a name":                   msgSubNoName,
	"Property did not have a name":                       msgNoName,
	"Expected an '=' sign defining a property":           msgNoEquals,
	"Expected a property definition":                     "Expected a property definition",
	"Expected a property definition, found continuation": msgContinuation,
}

// wantRSError checks err against the error a smithy-rs case expects
// (rsWant, "" for none), translated through table into this reader's
// wording; it reports whether the case expected an error.
func wantRSError(t *testing.T, err error, rsWant string, table map[string]string) bool {
	t.Helper()
	if rsWant == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return false
	}
	want, ok := table[rsWant]
	if !ok {
		t.Fatalf("no translation for the smithy-rs error %q", rsWant)
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q (smithy-rs: %q)", err, want, rsWant)
	}
	return true
}

// rsContradictions are smithy-rs cases that contradict
// config-file-parser-tests.json, which this reader follows.
var rsContradictions = map[string]string{}

func TestConformanceProfileParser(t *testing.T) {
	var suite struct {
		Tests []struct {
			Name  string
			Input struct {
				ConfigFile      *string `json:"configFile"`
				CredentialsFile *string `json:"credentialsFile"`
			}
			Output struct {
				Config *struct {
					Profiles    map[string]map[string]any
					SSOSessions map[string]map[string]any `json:"sso_sessions"`
				}
				ErrorContaining string `json:"errorContaining"`
			}
		}
	}
	readConformance(t, "profile-parser-tests.json", &suite)
	if len(suite.Tests) != 65 {
		t.Errorf("profile-parser-tests.json has %d cases, want 65", len(suite.Tests))
	}
	for i, tc := range suite.Tests {
		t.Run(caseName(i, tc.Name), func(t *testing.T) {
			if why, ok := rsContradictions[tc.Name]; ok {
				t.Skip(why)
			}
			m, err := parseBoth(deref(tc.Input.ConfigFile), "config", deref(tc.Input.CredentialsFile), "credentials",
				parseOptions{strict: true, raw: true})
			if wantRSError(t, err, tc.Output.ErrorContaining, rsErrors) {
				return
			}
			if tc.Output.Config == nil {
				t.Fatal("case has neither config nor errorContaining")
			}
			if got, want := view(m.profileMap(), true), normalise(tc.Output.Config.Profiles); !reflect.DeepEqual(got, want) {
				t.Errorf("profiles:\n got %v\nwant %v", got, want)
			}
			if got, want := view(m.ssoSessions, true), normalise(tc.Output.Config.SSOSessions); !reflect.DeepEqual(got, want) {
				t.Errorf("sso_sessions:\n got %v\nwant %v", got, want)
			}
		})
	}
}

type locationCase struct {
	Name                 string
	Environment          map[string]string
	LanguageSpecificHome *string
	Platform             string
	Profile              string
	ConfigLocation       string
	CredentialsLocation  string
}

func runLocation(t *testing.T, tc locationCase) {
	getenv := func(k string) string {
		if v := tc.Environment[k]; v != "ignored" {
			return v
		}
		return ""
	}
	userHome := func() (string, error) {
		if h := tc.LanguageSpecificHome; h != nil && *h != "ignored" {
			return *h, nil
		}
		return "", errors.New("no runtime home in this case")
	}
	files, err := locate(tc.Platform, "", "", getenv, userHome)
	if err != nil {
		t.Fatalf("locate: %v", err)
	}
	if files.Config != tc.ConfigLocation || files.Credentials != tc.CredentialsLocation {
		t.Errorf("got config %q credentials %q, want %q and %q", files.Config, files.Credentials, tc.ConfigLocation, tc.CredentialsLocation)
	}
	if tc.Profile != "" {
		if got := SelectedProfile(getenv); got != tc.Profile {
			t.Errorf("profile = %q, want %q", got, tc.Profile)
		}
	}
}

func TestConformanceConfigFileLocation(t *testing.T) {
	for _, file := range []string{"config-file-location-tests.json", "file-location-tests.json"} {
		t.Run(file, func(t *testing.T) {
			var suite struct{ Tests []locationCase }
			readConformance(t, file, &suite)
			if len(suite.Tests) == 0 {
				t.Fatal("no cases")
			}
			for i, tc := range suite.Tests {
				t.Run(caseName(i, tc.Name), func(t *testing.T) { runLocation(t, tc) })
			}
		})
	}
}

func caseName(i int, name string) string {
	return strings.TrimSuffix(name, ".") + "#" + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// profileMap is m's profiles by name.
func (m *merged) profileMap() map[string]*section {
	out := make(map[string]*section, len(m.byName))
	for _, s := range m.byName {
		out[s.Name] = s
	}
	return out
}
