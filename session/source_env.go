package session

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// environmentProvider serves credential_source = Environment from the
// process environment (through Options.Getenv).
func (m *Manager) environmentProvider(t target) (aws.CredentialsProvider, error) {
	id, secret := m.getenv("AWS_ACCESS_KEY_ID"), m.getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, &Error{Kind: KindSource, Profile: t.profile,
			Msg: "profile " + t.profile + ": credential_source = Environment, but AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set.\nExport both (and AWS_SESSION_TOKEN for temporary keys)."}
	}
	return credentials.NewStaticCredentialsProvider(id, secret, m.getenv("AWS_SESSION_TOKEN")), nil
}
