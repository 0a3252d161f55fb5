package session

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/rolecall/rolecall/profiles"
)

// processProvider runs the profile's credential_process.
func processProvider(root *profiles.Root) aws.CredentialsProvider {
	return processcreds.NewProvider(root.CredentialProcess)
}
