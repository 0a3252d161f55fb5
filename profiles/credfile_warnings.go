package profiles

import "fmt"

// ShadowWarnings lists the reasons the keys written into [default] would
// not be the ones the AWS CLI uses: config's [default] is a role, SSO or
// process profile; AWS_PROFILE or AWS_ACCESS_KEY_ID is set.
func ShadowWarnings(s *Set, getenv func(string) string) []string {
	var out []string
	if p := s.Get("default"); p != nil {
		for _, key := range []string{"role_arn", "credential_source", "credential_process", "web_identity_token_file", "sso_session", "sso_start_url", "sso_account_id", "sso_role_name"} {
			v, ok := p.Props.Lookup(key)
			if !ok {
				continue
			}
			out = append(out, fmt.Sprintf("%s: [default] sets %s, which AWS tools may use instead of the written keys; remove it from [default]", v.Pos, key))
			break
		}
	}
	if getenv != nil {
		if v := getenv("AWS_PROFILE"); v != "" && v != "default" {
			out = append(out, fmt.Sprintf("AWS_PROFILE=%s is set, so the AWS CLI uses that profile instead of [default]; unset AWS_PROFILE", v))
		} else if v := getenv("AWS_DEFAULT_PROFILE"); v != "" && v != "default" && getenv("AWS_PROFILE") == "" {
			out = append(out, fmt.Sprintf("AWS_DEFAULT_PROFILE=%s is set, so the AWS CLI uses that profile instead of [default]; unset AWS_DEFAULT_PROFILE", v))
		}
		if getenv("AWS_ACCESS_KEY_ID") != "" {
			out = append(out, "AWS_ACCESS_KEY_ID is set, so the AWS CLI uses the environment's keys instead of [default]; unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
		}
	}
	return out
}
