package session

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/profiles"
)

// Deadlines chosen so that a failed STS (or SSO, IMDS, ECS) is reported
// within seconds rather than hanging the UI, a command or the AWS CLI
// waiting on credential_process.
const (
	// dialTimeout bounds connecting (and the TLS handshake).
	dialTimeout = 2 * time.Second
	// CallTimeout bounds one attempt of every network call as a whole:
	// connecting, the headers and the body. An endpoint that accepted the
	// connection and then stalls is given up on after it.
	CallTimeout = 5 * time.Second
	// maxAttempts counts the attempts of a call that failed fast (refused
	// or reset connections, 5xx, throttling). A call that timed out is not
	// tried again: the same endpoint would most likely stall again, and a
	// user would wait three times as long for the same answer.
	maxAttempts     = 3
	maxRetryBackoff = time.Second
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
		return p.Region()
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
	if p.Services() != "" && m.set != nil {
		if s := m.set.Services[p.Services()]; s != nil {
			if v := s.Sub.Get(key).Get("endpoint_url").Value; v != "" {
				return v
			}
		}
	}
	return p.EndpointURL()
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
		limit := m.callTimeout()
		roots, caErr := m.caBundle()
		client := awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = min(dialTimeout, limit) }).
			WithTransportOptions(func(t *http.Transport) {
				t.TLSHandshakeTimeout = min(dialTimeout, limit)
				if roots != nil {
					if t.TLSClientConfig == nil {
						t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
					}
					t.TLSClientConfig.RootCAs = roots
				}
			})
		m.http = &deadlineClient{client: client, limit: limit, fail: caErr}
	})
	return m.http
}

// caBundle is the certificate bundle AWS_CA_BUNDLE names, as the AWS CLI
// and SDKs read it (a proxy that inspects TLS, a private endpoint), or nil
// for the system's roots.
func (m *Manager) caBundle() (*x509.CertPool, error) {
	path := m.getenv("AWS_CA_BUNDLE")
	if path == "" {
		return nil, nil
	}
	pem, err := readSmallFile(path, maxCABundle)
	if err != nil {
		return nil, fmt.Errorf("AWS_CA_BUNDLE=%s cannot be read (%v); fix the path or unset it", q(path), err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("AWS_CA_BUNDLE=%s holds no PEM certificate; point it at a PEM bundle or unset it", q(path))
	}
	return pool, nil
}

// maxCABundle bounds a certificate bundle (the system's is under 300 KiB).
const maxCABundle = 8 << 20

// callTimeout bounds one attempt of a network call: Options.CallTimeout,
// else CallTimeout.
func (m *Manager) callTimeout() time.Duration {
	if m.opts.CallTimeout > 0 {
		return m.opts.CallTimeout
	}
	return CallTimeout
}

func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxRetryBackoff
		o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(noRetryAfterTimeout)}, o.Retryables...)
	})
}

// noRetryAfterTimeout keeps a timed-out call from being tried again.
func noRetryAfterTimeout(err error) aws.Ternary {
	if isTimeout(err) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// deadlineClient gives each request one deadline for the whole exchange:
// connecting, the headers and reading the body to its end. (The HTTP
// client's own Timeout does too, but a body read it cuts short then
// fails as a closed connection, which cannot be told from a reset.) An
// SDK call that timed out once is not sent again: its retries (by the
// invocation id the SDK gives every attempt) fail at once.
type deadlineClient struct {
	client   aws.HTTPClient
	limit    time.Duration
	timedOut sync.Map // invocation id → error
	fail     error    // every call fails with it (AWS_CA_BUNDLE unusable)
}

// Do implements aws.HTTPClient.
func (d *deadlineClient) Do(req *http.Request) (*http.Response, error) {
	if d.fail != nil {
		return nil, d.fail
	}
	id := req.Header.Get("Amz-Sdk-Invocation-Id")
	if prev, ok := d.timedOut.Load(id); ok && id != "" {
		return nil, prev.(error)
	}
	ctx, cancel := context.WithTimeoutCause(req.Context(), d.limit, errCallTimeout)
	req = req.WithContext(ctx)
	if err := ownBody(req); err != nil {
		cancel()
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		defer cancel()
		return nil, d.timeoutOf(ctx, id, err)
	}
	resp.Body = &deadlineBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, d: d, id: id}
	return resp, nil
}

// ownBody gives the transport a copy of the request's small form body.
// The SDK closes its own body as soon as the response's headers are in;
// when that lands before the transport has finished with it, the request
// counts as not fully written and its kept-alive connection is dropped,
// so the next call (the next hop of a chain) pays for a new TLS handshake.
func ownBody(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody+1))
	req.Body.Close()
	if err != nil {
		return err
	}
	if len(b) > maxRequestBody {
		return fmt.Errorf("request body over %d bytes", maxRequestBody)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.ContentLength = int64(len(b))
	return nil
}

// maxRequestBody bounds a request's body: STS and SSO calls send a form or
// a small JSON document.
const maxRequestBody = 1 << 20

type deadlineBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	d      *deadlineClient
	id     string
}

// Read implements io.Reader.
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.d.timeoutOf(b.ctx, b.id, err)
	}
	return n, err
}

// Close implements io.Closer.
func (b *deadlineBody) Close() error {
	b.cancel()
	return b.ReadCloser.Close()
}

// timeoutOf marks err as the call's timeout when the request's own
// deadline is what ended it, and remembers the call.
func (d *deadlineClient) timeoutOf(ctx context.Context, id string, err error) error {
	// The transport may report the closed connection a moment before the
	// context says why it was closed.
	dl, _ := ctx.Deadline()
	if !errors.Is(context.Cause(ctx), errCallTimeout) && time.Until(dl) > 25*time.Millisecond {
		return err
	}
	err = callTimeoutError{err}
	if id != "" {
		d.timedOut.Store(id, err)
	}
	return err
}

// errCallTimeout is the cause of a request's context when its own
// deadline passed. Its text marks the error even where an SDK layer
// keeps only the text of what it wraps.
var errCallTimeout = errors.New("no complete answer before the call's deadline")

// callTimeoutError is a request cut short by its deadline.
type callTimeoutError struct{ err error }

func (e callTimeoutError) Error() string   { return errCallTimeout.Error() + " (" + e.err.Error() + ")" }
func (e callTimeoutError) Unwrap() error   { return e.err }
func (e callTimeoutError) Timeout() bool   { return true }
func (e callTimeoutError) Temporary() bool { return false }

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
			Timeout: m.callTimeout(),
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: min(dialTimeout, m.callTimeout())}).DialContext,
				TLSHandshakeTimeout:   min(dialTimeout, m.callTimeout()),
				ResponseHeaderTimeout: m.callTimeout(),
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
