package session

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
)

// rootCredentials fetches the credentials a chain starts from, through the
// SDK provider that matches the root's kind.
func (m *Manager) rootCredentials(ctx context.Context, t target, root *profiles.Root) (aws.Credentials, error) {
	var (
		prov aws.CredentialsProvider
		run  *processRun
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
		prov, run, err = m.processProvider(t, root)
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
	start := time.Now()
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		if root.Kind == profiles.RootProcess {
			return aws.Credentials{}, classifyProcess(ctx, t, root, run, start, err)
		}
		return aws.Credentials{}, m.classifyRoot(t, root, start, err)
	}
	return creds, nil
}

// classifyRoot explains a root failure in the words of its source.
func (m *Manager) classifyRoot(t target, root *profiles.Root, start time.Time, err error) error {
	prof := q(t.profile)
	switch root.Kind {
	case profiles.RootIMDS:
		ep := q(m.imdsEndpoint())
		e := &Error{Kind: KindMetadata, Profile: t.profile, Endpoint: ep, Err: err,
			Msg: fmt.Sprintf("profile %s: the EC2 instance metadata service at %s gave no credentials (%s).\nRun on an instance with a role, or set AWS_EC2_METADATA_SERVICE_ENDPOINT.", prof, ep, q(oneLine(cause(err))))}
		switch {
		case badEndpointHost(err):
			e.Msg = fmt.Sprintf("profile %s: the instance metadata endpoint %s cannot be used: the AWS SDK for Go refuses an IPv6 address with the scheme's own port written out (as in http://[::1]:80).\nLeave the port out of AWS_EC2_METADATA_SERVICE_ENDPOINT, or use a host name.", prof, ep)
		case isTimeout(err):
			e.Msg = fmt.Sprintf("profile %s: %s.\nRun on an instance with a role, or set AWS_EC2_METADATA_SERVICE_ENDPOINT.", prof, timeoutText("the EC2 instance metadata service", ep, start, err))
		}
		return e
	case profiles.RootECS:
		raw, _ := m.ecsEndpoint()
		ep := q(raw)
		e := &Error{Kind: KindMetadata, Profile: t.profile, Endpoint: ep, Err: err,
			Msg: fmt.Sprintf("profile %s: the container credentials endpoint %s gave no credentials (%s).\nCheck AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI and the authorization token.", prof, ep, q(oneLine(cause(err))))}
		if isTimeout(err) {
			e.Msg = fmt.Sprintf("profile %s: %s.\nCheck AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI.", prof, timeoutText("the container credentials endpoint", ep, start, err))
		}
		return e
	case profiles.RootWebIdentity:
		o := newOp(t.profile, "assume "+root.RoleARN+" with a web identity token", t.stsName())
		o.start = start
		return classify(o, err)
	case profiles.RootSSO:
		return m.classifySSO(t, root, start, err)
	}
	return &Error{Kind: KindSource, Profile: t.profile, Err: err,
		Msg: fmt.Sprintf("profile %s: no %s credentials (%s).", prof, root.Kind, q(oneLine(cause(err))))}
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
