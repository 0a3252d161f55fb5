package session

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
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

// fallbackSTSRegion is where STS calls go when no region is set anywhere.
// It is only a way to reach STS, never a region handed on.
const fallbackSTSRegion = "us-east-1"

// target is where and how the calls of one chain go. It is built once per
// call by newTarget, the one place that reads endpoint settings.
type target struct {
	profile      string
	region       string // where STS is called; never exported
	endpoint     string // STS; "" for the regional default
	ssoEndpoint  string // the SSO portal; "" for the regional default
	oidcEndpoint string // SSO OIDC; "" for the regional default
	fips         bool
	dualStack    bool
}

// Region is the region a profile's session is handed on with, resolved as
// the AWS CLI does: --region, then AWS_REGION, then AWS_DEFAULT_REGION,
// then the profile's region. It is "" when none is set, and then no region
// is exported. It is decided at hand-off and never read from the cache.
func (m *Manager) Region(profile string) string {
	var p *profiles.Profile
	if m.set != nil {
		p = m.set.Get(profile)
	}
	return m.regionOf(p)
}

func (m *Manager) regionOf(p *profiles.Profile) string {
	for _, r := range []string{m.opts.Region, m.getenv("AWS_REGION"), m.getenv("AWS_DEFAULT_REGION")} {
		if r != "" {
			return r
		}
	}
	if p != nil {
		return p.Region
	}
	return ""
}

// newTarget resolves where the calls for profile p go.
func (m *Manager) newTarget(p *profiles.Profile) target {
	on := func(env, prop string) bool {
		if v := m.getenv(env); v != "" {
			return strings.EqualFold(v, "true")
		}
		return strings.EqualFold(p.Get(prop), "true")
	}
	region := m.regionOf(p)
	if region == "" {
		region = fallbackSTSRegion
	}
	return target{
		profile:      p.Name,
		region:       region,
		endpoint:     m.serviceEndpoint(p, "STS", "sts"),
		ssoEndpoint:  m.serviceEndpoint(p, "SSO", "sso"),
		oidcEndpoint: m.serviceEndpoint(p, "SSO_OIDC", "sso_oidc"),
		fips:         on("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
		dualStack:    on("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
	}
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

// stsName is how an error names the STS endpoint in use.
func (t target) stsName() string {
	if t.endpoint != "" {
		return t.endpoint
	}
	return "https://sts." + t.region + ".amazonaws.com"
}

// httpClient is shared by every SDK client the Manager builds, so
// connections are reused across hops and calls.
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

// config is the one aws.Config every client of a target is built from:
// region, endpoint, FIPS and dual-stack, the shared HTTP client and the
// retry policy. It is built by hand rather than by config.LoadDefaultConfig,
// which would read the shared files (and the environment) again.
func (m *Manager) config(t target, region, endpoint string, creds aws.CredentialsProvider) aws.Config {
	cfg := aws.Config{
		Region:        region,
		Credentials:   creds,
		HTTPClient:    m.httpClient(),
		Retryer:       newRetryer,
		ConfigSources: []any{endpointFlags{fips: t.fips, dualStack: t.dualStack}},
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg
}

func (m *Manager) stsClient(t target, creds aws.CredentialsProvider) *sts.Client {
	return sts.NewFromConfig(m.config(t, t.region, t.endpoint, creds))
}

// ssoClient and oidcClient call the SSO portal and SSO OIDC in the SSO
// region, which is the sso-session's, not the profile's.
func (m *Manager) ssoClient(t target, ssoRegion string) *sso.Client {
	return sso.NewFromConfig(m.config(t, ssoRegion, t.ssoEndpoint, nil))
}

func (m *Manager) oidcClient(t target, ssoRegion string) *ssooidc.Client {
	return ssooidc.NewFromConfig(m.config(t, ssoRegion, t.oidcEndpoint, nil))
}

// endpointFlags carries the FIPS and dual-stack settings into every
// client through aws.Config.ConfigSources, which each service reads.
type endpointFlags struct{ fips, dualStack bool }

// GetUseFIPSEndpoint is read by every service client's NewFromConfig.
func (f endpointFlags) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	if f.fips {
		return aws.FIPSEndpointStateEnabled, true, nil
	}
	return aws.FIPSEndpointStateUnset, false, nil
}

// GetUseDualStackEndpoint is read by every service client's NewFromConfig.
func (f endpointFlags) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	if f.dualStack {
		return aws.DualStackEndpointStateEnabled, true, nil
	}
	return aws.DualStackEndpointStateUnset, false, nil
}

// federationClient calls the console's federation endpoint, which is not
// an SDK service: the shared dialer settings, no redirects (the request's
// query holds the session's keys, which must not follow a redirect
// anywhere), and a deadline on every call.
func (m *Manager) federationClient() *http.Client {
	m.fedOnce.Do(func() {
		m.fed = &http.Client{
			Timeout: responseTimeout + dialTimeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: dialTimeout}).DialContext,
				TLSHandshakeTimeout:   dialTimeout,
				ResponseHeaderTimeout: responseTimeout,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return m.fed
}

// oidcBase is the SSO OIDC endpoint the authorization-code flow's
// /authorize page lives under, which is not an SDK operation: the
// endpoint override, else what the SDK's own resolver gives for the
// region, FIPS and dual-stack settings.
func (m *Manager) oidcBase(ctx context.Context, t target, ssoRegion string) (string, error) {
	if t.oidcEndpoint != "" {
		return strings.TrimRight(t.oidcEndpoint, "/"), nil
	}
	ep, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssooidc.EndpointParameters{
		Region: aws.String(ssoRegion), UseFIPS: aws.Bool(t.fips), UseDualStack: aws.Bool(t.dualStack),
	})
	if err != nil {
		return "", fmt.Errorf("no SSO OIDC endpoint for sso_region %q (%v); check sso_region", ssoRegion, err)
	}
	return strings.TrimRight(ep.URI.String(), "/"), nil
}
