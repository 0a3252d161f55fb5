package session

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/rolecall/rolecall/profiles"
)

// webIdentityProvider exchanges the token in web_identity_token_file for
// the profile's role through sts:AssumeRoleWithWebIdentity.
func (m *Manager) webIdentityProvider(t target, root *profiles.Root) aws.CredentialsProvider {
	client := m.stsClient(t, aws.AnonymousCredentials{})
	return stscreds.NewWebIdentityRoleProvider(client, root.RoleARN, tokenFile(root.WebIdentityFile),
		func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = sessionName(root.RoleSessionName, m.getenv, m.now())
		})
}

// maxTokenFile bounds a token file (a JWT is a few kilobytes).
const maxTokenFile = 64 << 10

// tokenFile reads a web identity token from a file, as
// stscreds.IdentityTokenFile does, but no more than maxTokenFile of it.
type tokenFile string

// GetIdentityToken implements stscreds.IdentityTokenRetriever.
func (f tokenFile) GetIdentityToken() ([]byte, error) {
	b, err := readSmallFile(string(f), maxTokenFile)
	if err != nil {
		return nil, fmt.Errorf("web_identity_token_file: %w", err)
	}
	return b, nil
}
