package session

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
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
			Msg: fmt.Sprintf("profile %s: no SSO token at %s.\nLog in first: aws sso login --profile %s", q(t.profile), path, q(root.Profile))}
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

// classifySSO explains an SSO failure: above all, that the user must log
// in again when the cached token has expired or was revoked.
func (m *Manager) classifySSO(t target, root *profiles.Root, start time.Time, err error) error {
	prof := q(t.profile)
	portal := t.ssoEndpoint
	if portal == "" {
		portal = "https://portal.sso." + root.SSORegion + ".amazonaws.com"
	}
	e := &Error{Kind: KindSource, Profile: t.profile, Endpoint: q(portal), Err: err}
	var api smithy.APIError
	switch {
	case errors.Is(err, context.Canceled):
		e.Msg = fmt.Sprintf("profile %s: SSO credentials: cancelled", prof)
	case isTimeout(err):
		e.Kind = KindUnreachable
		e.Msg = fmt.Sprintf("profile %s: %s.\nCheck the network and sso_region, or try again.", prof, timeoutText("IAM Identity Center", q(portal), start, err))
	case ssoNeedsLogin(err):
		e.Kind = KindInvalidKeys
		e.Msg = fmt.Sprintf("profile %s: the SSO session has expired or was revoked (%s).\nLog in again: aws sso login --profile %s", prof, q(oneLine(cause(err))), q(root.Profile))
	case errors.As(err, &api) && api.ErrorCode() == "ForbiddenException":
		e.Kind = KindAccessDenied
		e.Msg = fmt.Sprintf("profile %s: IAM Identity Center does not give you role %s in account %s (%s).\nCheck sso_account_id and sso_role_name, or ask for the assignment.", prof, q(root.SSORoleName), q(root.SSOAccountID), q(oneLine(api.ErrorMessage())))
	case isNetErr(err):
		e.Kind = KindUnreachable
		e.Msg = fmt.Sprintf("profile %s: IAM Identity Center at %s is not reachable (%s).\nCheck the network and sso_region.", prof, q(portal), q(netCause(err)))
	default:
		e.Msg = fmt.Sprintf("profile %s: no SSO credentials (%s).", prof, q(oneLine(cause(err))))
	}
	return e
}

// ssoNeedsLogin reports an SSO token that only a new login can replace:
// expired, revoked, or refused on refresh.
func ssoNeedsLogin(err error) bool {
	var invalid *ssocreds.InvalidTokenError
	if errors.As(err, &invalid) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "UnauthorizedException", "InvalidGrantException", "ExpiredTokenException", "InvalidClientException", "AccessDeniedException":
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "cached SSO token is expired") || strings.Contains(msg, "refresh cached SSO token failed")
}
