package session

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// WhoAmI calls sts:GetCallerIdentity with the session's credentials, at
// the STS endpoint of the session's profile.
func (m *Manager) WhoAmI(ctx context.Context, s *Session) (Identity, error) {
	p, err := m.profile(s.Profile)
	if err != nil {
		return Identity{}, err
	}
	t := m.newTarget(p)
	client := m.stsClient(t, credentials.NewStaticCredentialsProvider(s.Creds.AccessKeyID, s.Creds.SecretAccessKey, s.Creds.SessionToken))
	o := newOp(s.Profile, "get the caller identity", t.stsName())
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, classify(o, err)
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}
