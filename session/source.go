package session

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
)

// rootCredentials fetches the credentials a chain starts from, through the
// SDK provider that matches the root's kind.
func (m *Manager) rootCredentials(ctx context.Context, t target, root *profiles.Root) (aws.Credentials, error) {
	var (
		prov aws.CredentialsProvider
		err  error
	)
	switch root.Kind {
	case profiles.RootStatic:
		prov, err = staticProvider(t, root)
	case profiles.RootEnvironment:
		prov, err = m.environmentProvider(t)
	case profiles.RootIMDS:
		prov, err = m.imdsProvider(t)
	case profiles.RootECS:
		prov, err = m.ecsProvider(t)
	case profiles.RootProcess:
		prov = processProvider(root)
	case profiles.RootSSO:
		prov, err = m.ssoProvider(ctx, t, root)
	case profiles.RootWebIdentity:
		prov = m.webIdentityProvider(t, root)
	default:
		return aws.Credentials{}, profileErr(t.profile, fmt.Sprintf("unknown credential source %q; use a static, Environment, Ec2InstanceMetadata, EcsContainer, SSO, process or web identity source", root.Kind), nil)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, m.classifyRoot(t, root, err)
	}
	return creds, nil
}

// classifyRoot explains a root failure in the words of its source.
func (m *Manager) classifyRoot(t target, root *profiles.Root, err error) error {
	switch root.Kind {
	case profiles.RootIMDS:
		return &Error{Kind: KindMetadata, Profile: t.profile, Endpoint: m.imdsEndpoint(), Err: err,
			Msg: fmt.Sprintf("profile %s: the EC2 instance metadata service at %s gave no credentials (%s).\nRun on an instance with a role, or set AWS_EC2_METADATA_SERVICE_ENDPOINT.", t.profile, m.imdsEndpoint(), oneLine(cause(err)))}
	case profiles.RootECS:
		ep, _ := m.ecsEndpoint()
		return &Error{Kind: KindMetadata, Profile: t.profile, Endpoint: ep, Err: err,
			Msg: fmt.Sprintf("profile %s: the container credentials endpoint %s gave no credentials (%s).\nCheck AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI and the authorization token.", t.profile, ep, oneLine(cause(err)))}
	case profiles.RootSSO:
		return m.classifySSO(t, root, err)
	case profiles.RootWebIdentity:
		return classify(op{profile: t.profile, action: "assume " + root.RoleARN + " with a web identity token", endpoint: t.stsName()}, err)
	}
	return &Error{Kind: KindSource, Profile: t.profile, Err: err,
		Msg: fmt.Sprintf("profile %s: no %s credentials (%s).", t.profile, root.Kind, oneLine(cause(err)))}
}

// cause is the innermost message of an SDK provider error, which wraps
// several layers of "failed to refresh cached credentials".
func cause(err error) string {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err.Error()
		}
		err = u.Unwrap()
	}
}
