package session

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/rolecall/rolecall/profiles"
)

// webIdentityProvider exchanges the token in web_identity_token_file for
// the profile's role through sts:AssumeRoleWithWebIdentity.
func (m *Manager) webIdentityProvider(t target, root *profiles.Root) aws.CredentialsProvider {
	client := m.stsClient(t, aws.AnonymousCredentials{})
	return stscreds.NewWebIdentityRoleProvider(client, root.RoleARN, stscreds.IdentityTokenFile(root.WebIdentityFile),
		func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = sessionName(root.RoleSessionName, m.getenv, m.now())
		})
}
