package session

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rolecall/rolecall/profiles"
)

// staticProvider serves the keys written in a profile.
func staticProvider(t target, root *profiles.Root) (aws.CredentialsProvider, error) {
	if root.AccessKeyID == "" || root.SecretAccessKey == "" {
		return nil, profileErr(t.profile, "profile "+root.Profile+" ("+root.Pos.String()+") has no aws_access_key_id and aws_secret_access_key; add both", nil)
	}
	return credentials.NewStaticCredentialsProvider(root.AccessKeyID, root.SecretAccessKey, root.SessionToken), nil
}
