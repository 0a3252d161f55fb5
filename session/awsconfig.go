package session

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/profiles"
)

// Timeouts chosen so that an unreachable STS fails within seconds rather
// than hanging the UI or a credential_process call.
const (
	dialTimeout     = 2 * time.Second
	responseTimeout = 10 * time.Second
	maxAttempts     = 3
	maxRetryBackoff = 2 * time.Second
)

// resolveRegion picks the STS region the way the AWS CLI does.
func (m *Manager) resolveRegion(p *profiles.Profile) string {
	for _, r := range []string{m.opts.Region, m.getenv("AWS_REGION"), m.getenv("AWS_DEFAULT_REGION"), p.Region} {
		if r != "" {
			return r
		}
	}
	return "us-east-1"
}

// resolveEndpoint returns the STS endpoint override, or "" for the SDK's
// regional endpoint.
func (m *Manager) resolveEndpoint(p *profiles.Profile) string {
	return m.serviceEndpoint(p, "STS", "sts")
}

// serviceEndpoint resolves a service's endpoint URL the way the AWS CLI
// does: AWS_ENDPOINT_URL_<ID>, AWS_ENDPOINT_URL, the profile's [services]
// section, then endpoint_url.
func (m *Manager) serviceEndpoint(p *profiles.Profile, envID, key string) string {
	if strings.EqualFold(m.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return ""
	}
	if u := m.getenv("AWS_ENDPOINT_URL_" + envID); u != "" {
		return u
	}
	if u := m.getenv("AWS_ENDPOINT_URL"); u != "" {
		return u
	}
	if p.Services != "" && m.set != nil {
		if s := m.set.Services[p.Services]; s != nil {
			if v := s.Sub[key]["endpoint_url"].Value; v != "" {
				return v
			}
		}
	}
	return p.EndpointURL
}

// newTarget resolves where the calls for profile p go.
func (m *Manager) newTarget(p *profiles.Profile) target {
	on := func(env, prop string) bool {
		if v := m.getenv(env); v != "" {
			return strings.EqualFold(v, "true")
		}
		return strings.EqualFold(p.Get(prop), "true")
	}
	return target{
		profile:     p.Name,
		region:      m.resolveRegion(p),
		endpoint:    m.resolveEndpoint(p),
		ssoEndpoint: m.serviceEndpoint(p, "SSO", "sso"),
		fips:        on("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
		dualStack:   on("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
	}
}

// endpointName is how an error names the endpoint in use.
func endpointName(endpoint, region string) string {
	if endpoint != "" {
		return endpoint
	}
	return "https://sts." + region + ".amazonaws.com"
}

// httpClient is shared by every SDK client the Manager builds, so
// connections to STS are reused across hops.
func (m *Manager) httpClient() aws.HTTPClient {
	m.httpOnce.Do(func() {
		m.http = awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
			WithTransportOptions(func(t *http.Transport) {
				t.ResponseHeaderTimeout = responseTimeout
				t.TLSHandshakeTimeout = dialTimeout
			})
	})
	return m.http
}

func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxRetryBackoff
	})
}

// stsClient builds an STS client by hand rather than through
// config.LoadDefaultConfig, which would read the shared files again.
func (m *Manager) stsClient(t target, creds aws.CredentialsProvider) *sts.Client {
	o := sts.Options{
		Region:      t.region,
		Credentials: creds,
		HTTPClient:  m.httpClient(),
		Retryer:     newRetryer(),
	}
	if t.endpoint != "" {
		o.BaseEndpoint = aws.String(t.endpoint)
	}
	if t.fips {
		o.EndpointOptions.UseFIPSEndpoint = aws.FIPSEndpointStateEnabled
	}
	if t.dualStack {
		o.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled
	}
	return sts.New(o)
}
