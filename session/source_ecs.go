package session

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

const ecsHost = "http://169.254.170.2"

// ecsEndpoint is the container credentials URL from the environment.
func (m *Manager) ecsEndpoint() (string, bool) {
	if rel := m.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		return ecsHost + rel, true
	}
	if full := m.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full != "" {
		return full, true
	}
	return "", false
}

// ecsProvider serves credential_source = EcsContainer through the SDK's
// container credentials client.
func (m *Manager) ecsProvider(t target) (aws.CredentialsProvider, error) {
	ep, ok := m.ecsEndpoint()
	if !ok {
		return nil, &Error{Kind: KindMetadata, Profile: t.profile,
			Msg: "profile " + t.profile + ": credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set.\nRun inside a container with a task role, or use another credential source."}
	}
	tokenFile := m.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	token := m.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	return endpointcreds.New(ep, func(o *endpointcreds.Options) {
		o.HTTPClient = m.httpClient()
		o.Retryer = newRetryer()
		switch {
		case tokenFile != "":
			// Read on every call: the agent rotates the file.
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := readSmallFile(tokenFile, maxTokenFile)
				return strings.TrimSpace(string(b)), err
			})
		case token != "":
			o.AuthorizationToken = token
		}
	}), nil
}
