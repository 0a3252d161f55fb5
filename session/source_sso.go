package session

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/rolecall/rolecall/profiles"
)

// ssoProvider exchanges the cached SSO token (written by `aws sso login`)
// for role credentials. It never starts a login itself.
func (m *Manager) ssoProvider(t target, root *profiles.Root) (aws.CredentialsProvider, error) {
	if root.SSOAccountID == "" || root.SSORoleName == "" || root.SSORegion == "" {
		return nil, profileErr(t.profile, "the SSO profile "+root.Profile+" needs sso_account_id, sso_role_name and sso_region to give credentials", nil)
	}
	client := m.ssoClient(t, root.SSORegion)
	key := root.SSOStartURL
	if root.SSOSession != "" {
		key = root.SSOSession
	}
	path, err := m.ssoTokenPath(key)
	if err != nil {
		return nil, &Error{Kind: KindSource, Profile: t.profile, Err: err, Msg: fmt.Sprintf("profile %s: no SSO token cache: %v", t.profile, err)}
	}
	if _, err := os.Stat(path); err != nil {
		return nil, &Error{Kind: KindSource, Profile: t.profile, Err: err,
			Msg: fmt.Sprintf("profile %s: no SSO token at %s.\nRun 'aws sso login --profile %s' first.", t.profile, path, root.Profile)}
	}
	return ssocreds.New(client, root.SSOAccountID, root.SSORoleName, root.SSOStartURL, func(so *ssocreds.Options) {
		so.CachedTokenFilepath = path
		if root.SSOSession != "" {
			so.SSOTokenProvider = ssocreds.NewSSOTokenProvider(m.oidcClient(t, root.SSORegion), path)
		}
	}), nil
}

// ssoTokenPath is where `aws sso login` caches the token for key (the
// sso-session name, or the start URL of a legacy profile):
// ~/.aws/sso/cache/<sha1 of key>.json, as ssocreds.StandardCachedTokenFilepath
// has it, but with HOME read through Options.Getenv.
func (m *Manager) ssoTokenPath(key string) (string, error) {
	home := m.getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		home = h
	}
	sum := sha1.Sum([]byte(key))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), nil
}
