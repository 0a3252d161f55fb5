package session

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/rolecall/rolecall/profiles"
)

// ssoProvider exchanges the cached SSO token (written by rolecall login
// or `aws sso login`, refreshed here when it is about to expire) for role
// credentials through the SDK's provider. It never starts a login: a
// missing or expired token is a KindNeedLogin error.
func (m *Manager) ssoProvider(ctx context.Context, t target, root *profiles.Root) (aws.CredentialsProvider, error) {
	if root.SSOAccountID == "" || root.SSORoleName == "" || root.SSORegion == "" {
		return nil, profileErr(t.profile, "the SSO profile "+root.Profile+" needs sso_account_id, sso_role_name and sso_region to give credentials", nil)
	}
	cfg := ssoConfigOf(root)
	path, err := m.ssoTokenPath(cfg.key())
	if err != nil {
		return nil, &Error{Kind: KindSource, Profile: t.profile, Err: err, Msg: fmt.Sprintf("profile %s: no SSO token cache: %v", t.profile, err)}
	}
	if _, err := m.ssoAccessToken(ctx, t, cfg); err != nil {
		return nil, err
	}
	return ssocreds.New(m.ssoClient(t, root.SSORegion), root.SSOAccountID, root.SSORoleName, root.SSOStartURL, func(so *ssocreds.Options) {
		so.CachedTokenFilepath = path
	}), nil
}
