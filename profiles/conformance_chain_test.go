package profiles

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// rsChainErrors maps the smithy-rs error categories of
// assume-role-tests.json onto this package's messages.
var rsChainErrors = map[string]string{
	"profile must contain `source_profile`":                                                       "needs a source_profile or a credential_source",
	"profile contained both source_profile and credential_source":                                 "has both source_profile and credential_source",
	"profile missing aws_secret_access_key":                                                       "aws_secret_access_key is missing",
	"profile missing aws_access_key_id":                                                           "aws_access_key_id is missing",
	"profile `B` did not contain credential information":                                          `profile "B" has no credentials`,
	"profile `A` did not contain credential information":                                          `profile "A" has no credentials`,
	"could not find source profile B referenced from A":                                           `source_profile "B" of profile "A" does not exist`,
	"No profiles were defined":                                                                    "no profiles are defined",
	"profile formed an infinite loop":                                                             "source_profile loop: ",
	"`role_arn` was missing":                                                                      "web_identity_token_file needs a role_arn",
	"if `sso_role_name` is set, then `sso_account_id` must also be set":                           "sso_role_name is set without sso_account_id",
	"if `sso_account_id` is set, then `sso_role_name` must also be set":                           "sso_account_id is set without sso_role_name",
	"`sso_region` can only be specified in the [sso-session] config when a session name is given": "sso_region belongs in [sso-session",
	"sso-session named `oops` (referenced by profile `A`) was not found":                          "[sso-session oops] does not exist",
}

// setFromProps builds a Set from already-parsed profiles, as the suite
// gives them.
func setFromProps(profiles, ssoSessions map[string]map[string]string) *Set {
	cfg := &parsed{ssoSessions: map[string]*section{}}
	for name, props := range profiles {
		s := newSection(secProfile, name, Pos{File: "config", Line: 1})
		for k, v := range props {
			s.setProp(k, Value{Value: v, Pos: Pos{File: "config", Line: 2}})
		}
		cfg.secs = append(cfg.secs, s)
	}
	for name, props := range ssoSessions {
		s := newSection(secSSOSession, name, Pos{File: "config", Line: 1})
		for k, v := range props {
			s.setProp(k, Value{Value: v})
		}
		cfg.ssoSessions[name] = s
	}
	return build(mergeFiles(cfg, &parsed{}))
}

// chainView renders a chain in the suite's ProfileChain shape.
func chainView(c *Chain) []map[string]any {
	opt := func(m map[string]string, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	var out []map[string]any
	r := c.Root
	base := map[string]string{}
	switch r.Kind {
	case RootStatic:
		base["access_key_id"], base["secret_access_key"] = r.AccessKeyID, r.SecretAccessKey
		opt(base, "session_token", r.SessionToken)
		opt(base, "account_id", r.AccountID)
		out = append(out, map[string]any{"AccessKey": base})
	case RootEnvironment, RootIMDS, RootECS:
		out = append(out, map[string]any{"NamedSource": string(r.Kind)})
	case RootWebIdentity:
		base["role_arn"], base["web_identity_token_file"] = r.RoleARN, r.WebIdentityFile
		opt(base, "role_session_name", r.RoleSessionName)
		out = append(out, map[string]any{"WebIdentityToken": base})
	case RootSSO:
		base["sso_region"], base["sso_start_url"] = r.SSORegion, r.SSOStartURL
		opt(base, "sso_session", r.SSOSession)
		opt(base, "sso_account_id", r.SSOAccountID)
		opt(base, "sso_role_name", r.SSORoleName)
		out = append(out, map[string]any{"Sso": base})
	default:
		out = append(out, map[string]any{string(r.Kind): map[string]string{}})
	}
	for _, h := range c.Roles {
		m := map[string]string{"role_arn": h.RoleARN()}
		opt(m, "external_id", h.ExternalID())
		opt(m, "role_session_name", h.RoleSessionName())
		out = append(out, map[string]any{"AssumeRole": m})
	}
	return out
}

// describe names a chain without its secrets, for failure output.
func describe(c []map[string]any) string {
	var parts []string
	for _, step := range c {
		for k, v := range step {
			if k == "AssumeRole" {
				parts = append(parts, k+"("+v.(map[string]string)["role_arn"]+")")
			} else {
				parts = append(parts, k)
			}
		}
	}
	return strings.Join(parts, " -> ")
}

func TestConformanceAssumeRole(t *testing.T) {
	var suite []struct {
		Docs  string
		Input struct {
			Profiles        map[string]map[string]string
			SelectedProfile string                       `json:"selected_profile"`
			SSOSessions     map[string]map[string]string `json:"sso_sessions"`
		}
		Output struct {
			ProfileChain []map[string]json.RawMessage
			Error        string
		}
	}
	readConformance(t, "assume-role-tests.json", &suite)
	if len(suite) != 28 {
		t.Errorf("assume-role-tests.json has %d cases, want 28", len(suite))
	}
	for i, tc := range suite {
		t.Run(caseName(i, tc.Docs), func(t *testing.T) {
			set := setFromProps(tc.Input.Profiles, tc.Input.SSOSessions)
			c, rerr := set.resolve(tc.Input.SelectedProfile)
			var err error
			if rerr != nil {
				err = rerr // not a nil *Error in a non-nil interface
			}
			if wantRSError(t, err, tc.Output.Error, rsChainErrors) {
				return
			}
			var want []map[string]any
			for _, step := range tc.Output.ProfileChain {
				for k, v := range step {
					var named string
					if json.Unmarshal(v, &named) == nil {
						want = append(want, map[string]any{k: named})
						continue
					}
					var m map[string]string
					if err := json.Unmarshal(v, &m); err != nil {
						t.Fatalf("step %s: %v", k, err)
					}
					want = append(want, map[string]any{k: m})
				}
			}
			got := chainView(c)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chain mismatch: got %s, want %s", describe(got), describe(want))
			}
		})
	}
}
