package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/profiles"
)

// Console sign-in follows AWS's "custom identity broker" flow: the
// session's keys go to the federation endpoint's getSigninToken, and the
// token it returns goes into a login URL with an issuer and a
// destination. A browser that opens the URL is signed in as the session.

// consoleIssuer is the Issuer of the login URL: where the console sends
// the user when the console session ends.
const consoleIssuer = "rolecall"

// allowAllPolicy is the session policy of a federation token: a
// GetFederationToken without one has no permissions at all; with it, the
// federated user has exactly the IAM user's own.
const allowAllPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// consoleMinLife is how long a cached session must still live to sign
// in with: the console session ends with it, so one about to expire is
// renewed first.
const consoleMinLife = 15 * time.Minute

// maxSigninToken bounds what is read from the federation endpoint; real
// sign-in tokens are a few kilobytes.
const maxSigninToken = 16 << 10

// Partition is an AWS partition's sign-in and console hosts.
type Partition struct {
	ID      string // aws, aws-cn, aws-us-gov
	Signin  string // signin.aws.amazon.com
	Console string // console.aws.amazon.com
}

// partitions are the partitions with a public console. The SDK keeps its
// partition data in an internal package, so the three hosts are here.
var partitions = []Partition{
	{ID: "aws", Signin: "signin.aws.amazon.com", Console: "console.aws.amazon.com"},
	{ID: "aws-cn", Signin: "signin.amazonaws.cn", Console: "console.amazonaws.cn"},
	{ID: "aws-us-gov", Signin: "signin.amazonaws-us-gov.com", Console: "console.amazonaws-us-gov.com"},
}

// PartitionOf is the partition a region belongs to: cn-* is aws-cn,
// us-gov-* is aws-us-gov, everything else (and no region) is aws.
func PartitionOf(region string) Partition {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitions[1]
	case strings.HasPrefix(region, "us-gov-"):
		return partitions[2]
	}
	return partitions[0]
}

// ConsoleOptions shape a console sign-in.
type ConsoleOptions struct {
	// Destination is a console URL of the profile's partition, or a
	// service name (s3, ec2, iam, ...); "" is the console's home page.
	Destination string
	// Region overrides the hand-off region for the console page.
	Region string
}

// Console is a console sign-in: the URL that signs a browser in, and what
// it was made from. The URL holds a sign-in token worth the session for
// 15 minutes: String (and so %v) and every error leave it out.
type Console struct {
	// URL is the sign-in URL: a secret for 15 minutes, to print only
	// where the user asked for it.
	URL         string
	Profile     string
	Destination string
	Partition   Partition
	// Session is the profile's session the console signed in with; nil
	// when an IAM user's keys went straight to a federation session.
	Session *Session
	// Federated is true when the IAM user's keys were turned into a
	// federation session (sts:GetFederationToken) for the console.
	Federated bool
}

// String implements fmt.Stringer without the sign-in token.
func (c *Console) String() string {
	return fmt.Sprintf("console sign-in for %s at %s", c.Profile, c.Destination)
}

// Console signs the profile's session in to the AWS console: it assumes
// the profile first when no usable session is cached (asking for MFA
// codes as Assume does), turns long-term IAM user keys into a federation
// session, and exchanges the session for a sign-in URL.
func (m *Manager) Console(ctx context.Context, profile string, co ConsoleOptions, opts ...CallOption) (*Console, error) {
	p, err := m.profile(profile)
	if err != nil {
		return nil, err
	}
	region := co.Region
	if region == "" {
		region = m.regionOf(p)
	}
	part := PartitionOf(region)
	if region == "" {
		// No region to open: the partition of where STS is reached.
		part = PartitionOf(m.newTarget(p).region)
	}
	dest, err := consoleDestination(profile, part, region, co.Destination)
	if err != nil {
		return nil, err
	}
	base, err := m.federationBase(part)
	if err != nil {
		return nil, err
	}
	c := &Console{Profile: profile, Destination: dest, Partition: part}
	var s *Session
	if len(p.Chain.Roles) > 0 || !iamUser(p.Chain.Root) {
		// An IAM user's own keys sign in through a federation session, so
		// its MFA session (which the console refuses) is never asked for.
		if s, err = m.get(ctx, profile, consoleMinLife, opts); err != nil {
			return nil, err
		}
		c.Session = s
	}
	var creds Credentials
	if s != nil {
		creds = s.Creds
	}
	if user := federationUser(p.Chain, s); user != nil {
		creds, err = m.federationToken(ctx, p, user)
		if err != nil {
			return nil, err
		}
		c.Federated = true
	}
	token, err := m.signinToken(ctx, profile, base, creds)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("Action", "login")
	q.Set("Issuer", consoleIssuer)
	q.Set("Destination", dest)
	q.Set("SigninToken", token)
	c.URL = base + "?" + q.Encode()
	return c, nil
}

// federationUser is the IAM user whose long-term keys must become a
// federation session first, or nil when the session can sign in as it is.
// The federation endpoint takes role sessions (AssumeRole, SSO, instance
// and web identity roles) and federation tokens, never long-term keys or
// an MFA session from GetSessionToken.
func federationUser(c *profiles.Chain, s *Session) *Credentials {
	if len(c.Roles) > 0 {
		return nil
	}
	if iamUser(c.Root) || s == nil {
		return &Credentials{AccessKeyID: c.Root.AccessKeyID, SecretAccessKey: c.Root.SecretAccessKey}
	}
	if s.Creds.SessionToken == "" {
		// Keys without a token (the environment, a process) are an IAM
		// user's too.
		return &s.Creds
	}
	return nil
}

// federationToken gets a federation session for an IAM user's keys, with
// the user's own permissions, named after the user of this machine.
func (m *Manager) federationToken(ctx context.Context, p *profiles.Profile, user *Credentials) (Credentials, error) {
	t := m.newTarget(p)
	d := m.opts.Duration
	if d == 0 {
		d = DefaultRoleDuration
	}
	if d < profiles.MinDuration || d > 36*time.Hour {
		return Credentials{}, usageErr(p.Name, fmt.Sprintf("--duration %s is out of range for a federation session: use 15m to 36h", HumanDuration(d)))
	}
	client := m.stsClient(t, credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, ""))
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:            aws.String(federationName(m.getenv)),
		Policy:          aws.String(allowAllPolicy),
		DurationSeconds: aws.Int32(int32(d / time.Second)),
	})
	if err != nil {
		e := classify(op{profile: p.Name, action: "get a federation session for the console (sts:GetFederationToken)", endpoint: t.stsName()}, err)
		var se *Error
		if errors.As(e, &se) && se.Kind == KindAccessDenied {
			se.Msg = fmt.Sprintf("profile %s: the IAM user may not call sts:GetFederationToken, which the console needs for long-term keys.\nAllow it for the user, or open the console through a role: a profile with role_arn and source_profile = %s.", p.Name, p.Chain.Root.Profile)
		}
		return Credentials{}, e
	}
	return fromSTS(out.Credentials), nil
}

// federationName is the federated user's name: 2 to 32 of [\w+=,.@-].
func federationName(getenv func(string) string) string {
	name := "rolecall"
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if u := asNameChars(getenv(k)); u != "" {
			name += "-" + u
			break
		}
	}
	return name[:min(len(name), 32)]
}

// federationBase is the federation endpoint: ROLECALL_FEDERATION_ENDPOINT
// (a base URL, /federation appended), else the partition's sign-in host.
// The session's keys travel in its query, so it must be https, or http
// only to this machine.
func (m *Manager) federationBase(part Partition) (string, error) {
	base := m.getenv("ROLECALL_FEDERATION_ENDPOINT")
	if base == "" {
		return "https://" + part.Signin + "/federation", nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", usageErr("", fmt.Sprintf("ROLECALL_FEDERATION_ENDPOINT=%q is not a base URL such as https://signin.example.com; fix or unset it", base))
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return "", usageErr("", fmt.Sprintf("ROLECALL_FEDERATION_ENDPOINT=%q is plain http to another machine, which would send the session's keys in the clear; use https", base))
	}
	return strings.TrimRight(base, "/") + "/federation", nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// consoleServices maps the short names people type to console paths.
// Any other plain name opens <name>/home.
var consoleServices = map[string]string{
	"ec2": "ec2/home", "s3": "s3/home", "iam": "iam/home", "lambda": "lambda/home",
	"cloudformation": "cloudformation/home", "cfn": "cloudformation/home",
	"cloudwatch": "cloudwatch/home", "cw": "cloudwatch/home", "logs": "cloudwatch/home#logsV2:",
	"dynamodb": "dynamodbv2/home", "ddb": "dynamodbv2/home", "rds": "rds/home",
	"vpc": "vpcconsole/home", "ecs": "ecs/v2/home", "eks": "eks/home", "ecr": "ecr/home",
	"sqs": "sqs/v3/home", "sns": "sns/v3/home", "kms": "kms/home", "ssm": "systems-manager/home",
	"secretsmanager": "secretsmanager/home", "route53": "route53/v2/home", "billing": "billing/home",
	"cloudtrail": "cloudtrail/home", "organizations": "organizations/v2/home",
}

// globalServices have no region in their console URL.
var globalServices = map[string]bool{"iam": true, "route53": true, "billing": true, "organizations": true}

// isServiceName reports whether s can be a console service's name: a
// lower-case letter or digit, then up to 39 of those or -.
func isServiceName(s string) bool {
	if s == "" || len(s) > 40 || s[0] == '-' {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }) < 0
}

// consoleDestination is the page the console opens: a URL of the
// partition's console as given, a known service's page, or the home page,
// in the region when there is one.
func consoleDestination(profile string, part Partition, region, dest string) (string, error) {
	if strings.Contains(dest, "://") {
		u, err := url.Parse(dest)
		if err != nil || u.Scheme != "https" || !(u.Hostname() == part.Console || strings.HasSuffix(u.Hostname(), "."+part.Console)) {
			return "", usageErr(profile, fmt.Sprintf("--destination %q is not an https URL of the %s console (%s); give such a URL or a service name such as s3", dest, part.ID, part.Console))
		}
		return dest, nil
	}
	host := part.Console
	if region != "" {
		host = region + "." + part.Console
	}
	name := strings.ToLower(strings.TrimSpace(dest))
	if name == "" {
		u := "https://" + host + "/console/home"
		if region != "" {
			u += "?region=" + url.QueryEscape(region)
		}
		return u, nil
	}
	if !isServiceName(name) {
		return "", usageErr(profile, fmt.Sprintf("--destination %q is neither a console URL nor a service name such as s3 or ec2", dest))
	}
	path, ok := consoleServices[name]
	if !ok {
		path = name + "/home"
	}
	if globalServices[name] || region == "" {
		return "https://" + part.Console + "/" + path, nil
	}
	frag := ""
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag = path[:i], path[i:]
	}
	return "https://" + host + "/" + path + "?region=" + url.QueryEscape(region) + frag, nil
}

// signinToken exchanges credentials for a sign-in token. Neither the keys
// (in the request's query) nor the token ever reach an error message.
func (m *Manager) signinToken(ctx context.Context, profile, base string, c Credentials) (string, error) {
	sess, err := json.Marshal(map[string]string{
		"sessionId":    c.AccessKeyID,
		"sessionKey":   c.SecretAccessKey,
		"sessionToken": c.SessionToken,
	})
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("Action", "getSigninToken")
	q.Set("Session", string(sess))
	ctx, cancel := context.WithTimeout(ctx, m.callTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("profile %s: cannot build the federation request for %s", profile, base)
	}
	fail := func(kind ErrorKind, why string) error {
		return &Error{Kind: kind, Profile: profile, Endpoint: base,
			Msg: fmt.Sprintf("profile %s: the console sign-in endpoint %s %s", profile, base, why)}
	}
	resp, err := m.federationClient().Do(req)
	if err != nil {
		// *url.Error carries the request URL, and with it the keys: only
		// the cause below it is told.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) || isNetErr(err) {
			return "", fail(KindUnreachable, fmt.Sprintf("did not answer (%s).\nCheck the network, or ROLECALL_FEDERATION_ENDPOINT.", oneLine(err.Error())))
		}
		return "", fail(KindOther, "failed: "+oneLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninToken+1))
	if err != nil {
		return "", fail(KindUnreachable, "broke off its answer: "+oneLine(err.Error()))
	}
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
		return "", fail(KindAccessDenied, fmt.Sprintf("refused the session (HTTP %d).\nThe console takes role sessions and federation tokens, not an MFA session or expired keys: sign in through a role, or renew the session.", resp.StatusCode))
	case resp.StatusCode != http.StatusOK:
		return "", fail(KindUnreachable, fmt.Sprintf("answered HTTP %d; try again in a minute.", resp.StatusCode))
	case len(body) > maxSigninToken:
		return "", fail(KindOther, "sent an answer too large to be a sign-in token")
	}
	var out struct {
		SigninToken string `json:"SigninToken"`
	}
	if err := json.Unmarshal(body, &out); err != nil || !printableToken(out.SigninToken) {
		return "", fail(KindOther, "sent no sign-in token (not the federation endpoint?)")
	}
	return out.SigninToken, nil
}

// printableToken checks a sign-in token before it goes into a URL that a
// browser, and maybe a terminal, will see.
func printableToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
