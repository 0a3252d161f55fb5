package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// ErrorKind says what went wrong in terms a user can act on.
type ErrorKind string

// The kinds of session error.
const (
	KindAccessDenied   ErrorKind = "access_denied"   // trust policy or external id
	KindInvalidKeys    ErrorKind = "invalid_keys"    // source keys expired, deleted or wrong
	KindWrongMFA       ErrorKind = "wrong_mfa"       // the MFA code was not accepted
	KindNeedMFA        ErrorKind = "mfa_required"    // no MFA code could be had
	KindUnreachable    ErrorKind = "unreachable"     // STS did not answer
	KindThrottled      ErrorKind = "throttled"       // STS kept throttling after retries
	KindMetadata       ErrorKind = "metadata"        // IMDS or ECS credentials not reachable
	KindSource         ErrorKind = "source"          // root credentials could not be had
	KindProfile        ErrorKind = "profile"         // the profile cannot be used as it is
	KindUnknownProfile ErrorKind = "unknown_profile" // no profile has that name
	KindUsage          ErrorKind = "usage"           // a flag's value cannot be used
	KindOther          ErrorKind = "other"
)

// IsUsage reports whether err is a mistake on the command line (an unknown
// profile, an out-of-range --duration), which the command line reports
// with exit code 2.
func IsUsage(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Kind == KindUsage || e.Kind == KindUnknownProfile)
}

// Error is a failure to get or use a session, with a one- or two-line
// message that names the profile, the endpoint and what to do. It never
// holds a secret.
type Error struct {
	Kind     ErrorKind
	Profile  string
	Endpoint string
	Msg      string
	// Serial is the MFA device whose code is missing (KindNeedMFA).
	Serial string
	Err    error // the cause, for errors.Is/As; not printed
}

// Error implements error.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// op names the call that failed so a message can say what was attempted.
type op struct {
	profile  string
	action   string // "assume role arn:...", "get an MFA session", ...
	endpoint string // the STS endpoint in use
	mfa      bool   // an MFA code was sent with the call
	// at is where the hop's role_arn was read ("config:12"), if any.
	at string
	// start is when the call began, for "timed out after N s".
	start time.Time
}

// newOp starts timing a call.
func newOp(profile, action, endpoint string) op {
	return op{profile: profile, action: q(action), endpoint: q(endpoint), start: time.Now()}
}

// q makes a value read from a file, the environment or the network safe
// to quote in a message that may reach a terminal.
func q(s string) string { return termsafe.Clean(s) }

// classify turns an SDK or network error into an *Error a user can act on.
func classify(o op, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Kind: KindOther, Profile: o.profile, Endpoint: o.endpoint, Err: err}
	where := fmt.Sprintf("profile %s: %s", q(o.profile), o.action)
	var (
		api    smithy.APIError
		status *awshttp.ResponseError
	)
	switch {
	case errors.As(err, &api) && (api.ErrorCode() == "UnknownError" || api.ErrorCode() == "") && errors.As(err, &status):
		// Not an STS error document: a proxy, a wrong endpoint_url, or an
		// outage page.
		e.Kind = KindUnreachable
		code := status.HTTPStatusCode()
		if code >= 500 {
			e.Msg = fmt.Sprintf("%s: STS at %s failed with HTTP %d, even after retries.\nTry again in a minute.", where, o.endpoint, code)
		} else {
			e.Msg = fmt.Sprintf("%s: %s answered HTTP %d, which is not an STS answer.\nCheck AWS_ENDPOINT_URL_STS / endpoint_url, and any HTTP proxy.", where, o.endpoint, code)
		}
	case errors.As(err, &api):
		code, msg := api.ErrorCode(), q(oneLine(api.ErrorMessage()))
		switch {
		case o.mfa && (strings.Contains(strings.ToLower(msg), "mfa") || strings.Contains(strings.ToLower(msg), "one time pass")):
			e.Kind = KindWrongMFA
			e.Msg = fmt.Sprintf("%s: the MFA code was not accepted.\nWait for the next code and try again (check mfa_serial names your device).", where)
		case code == "ValidationError" && strings.Contains(msg, "role chaining"):
			e.Kind = KindProfile
			e.Msg = fmt.Sprintf("%s: the source credentials are themselves a role session, and STS limits a chained role to one hour.\nSet duration_seconds (or --duration) to 3600 or less for this profile.", where)
		case code == "AccessDenied" || code == "AccessDeniedException":
			e.Kind = KindAccessDenied
			e.Msg = fmt.Sprintf("%s: access denied (%s).\nCheck the role's trust policy allows the source identity, and external_id if the role requires one.", where, msg)
		case code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
			code == "ExpiredTokenException" || code == "UnrecognizedClientException" || code == "InvalidAccessKeyId":
			e.Kind = KindInvalidKeys
			e.Msg = fmt.Sprintf("%s: the source credentials were rejected (%s).\nThey are expired, deleted or mistyped: refresh or replace them.", where, code)
		case code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" || code == "TooManyRequestsException":
			e.Kind = KindThrottled
			e.Msg = fmt.Sprintf("%s: STS is throttling requests even after retries.\nWait a minute and try again.", where)
		case code == "ValidationError" || code == "MalformedPolicyDocument" || code == "InvalidParameterValue":
			e.Kind = KindProfile
			e.Msg = fmt.Sprintf("%s: STS refused the request as invalid (%s).\n%s", where, msg, validationHint(msg, o.at))
		case code == "RegionDisabledException":
			e.Kind = KindProfile
			e.Msg = fmt.Sprintf("%s: STS is not enabled in this region (%s).\nUse another region (--region, region), or have an administrator activate STS there.", where, msg)
		default:
			e.Msg = fmt.Sprintf("%s: %s: %s", where, q(code), msg)
		}
	case errors.Is(err, context.Canceled):
		e.Msg = where + ": cancelled"
	case badEndpointHost(err):
		e.Kind = KindProfile
		e.Msg = fmt.Sprintf("%s: the endpoint %s cannot be used: the AWS SDK for Go refuses an IPv6 address with the scheme's own port written out (as in http://[::1]:80).\nLeave the port out (http://[::1]) or use a host name, in AWS_ENDPOINT_URL_STS / endpoint_url.", where, o.endpoint)
	case isTimeout(err):
		e.Kind = KindUnreachable
		e.Msg = fmt.Sprintf("%s: %s.\nCheck the network, --region, and AWS_ENDPOINT_URL_STS / endpoint_url, or try again.", where, timeoutText("STS", o.endpoint, o.start, err))
	case isNetErr(err):
		e.Kind = KindUnreachable
		e.Msg = fmt.Sprintf("%s: STS at %s is not reachable (%s).\nCheck the network, --region, and AWS_ENDPOINT_URL_STS / endpoint_url.", where, o.endpoint, q(netCause(err)))
	default:
		e.Msg = fmt.Sprintf("%s: %s", where, q(oneLine(err.Error())))
	}
	return e
}

// timeoutText says how a call to service at endpoint timed out: before it
// could connect, or after connecting, with no (complete) answer.
func timeoutText(service, endpoint string, start time.Time, err error) string {
	after := "timed out after " + secondsText(time.Since(start))
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Sprintf("could not connect to %s at %s: %s", service, endpoint, after)
	}
	return fmt.Sprintf("%s at %s accepted the connection but gave no complete answer: %s", service, endpoint, after)
}

// secondsText is a duration as a user reads a timeout: "5 s", "0.4 s".
func secondsText(d time.Duration) string {
	if d < 950*time.Millisecond {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}

// isTimeout reports a call that ran out of time: its own deadline, the
// HTTP client's, or the command's.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) ||
		strings.Contains(err.Error(), errCallTimeout.Error())
}

// badEndpointHost reports the SDK's refusal of an endpoint URL whose host
// it cannot parse (an IPv6 literal).
func badEndpointHost(err error) bool {
	return strings.Contains(err.Error(), "invalid endpoint host")
}

// netCause is the innermost network error, e.g. "connection refused".
func netCause(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return oneLine(opErr.Err.Error())
	}
	return oneLine(cause(err))
}

// validationHint says which setting of the profile to check for an STS
// ValidationError, from the field STS names.
func validationHint(msg, at string) string {
	// at is the role_arn line; the other settings are in the same section.
	arnAt, in := "", ""
	if at != "" {
		arnAt, in = " at "+at, " in the profile whose role_arn is at "+at
	}
	switch m := strings.ToLower(msg); {
	case strings.Contains(m, "rolesessionname"):
		return "Check role_session_name" + in + ": 2 to 64 characters of letters, digits and _+=,.@- (or unset it)."
	case strings.Contains(m, "rolearn"):
		return "Check role_arn" + arnAt + ": it must look like arn:aws:iam::123456789012:role/NAME."
	case strings.Contains(m, "externalid"):
		return "Check external_id" + in + ": 2 to 1224 characters of letters, digits and _+=,.@:/-."
	case strings.Contains(m, "serialnumber"):
		return "Check mfa_serial" + in + ": the ARN (or serial) of your MFA device."
	case strings.Contains(m, "tokencode"):
		return "The MFA code must be the 6 digits your device shows."
	case strings.Contains(m, "durationseconds"):
		return "Check duration_seconds" + in + ", or --duration: 900 to 43200 seconds, and at most the role's own maximum."
	}
	return "Check role_arn, role_session_name, external_id, mfa_serial and duration_seconds" + in + "."
}

// isNetErr reports a failure to reach a host; *url.Error and
// *net.OpError are both net.Errors.
func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// oneLine keeps the first line of a message, short enough for a terminal.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}

func profileErr(profile, msg string, cause error) error {
	return &Error{Kind: KindProfile, Profile: profile, Msg: fmt.Sprintf("profile %s: %s", profile, msg), Err: cause}
}

func usageErr(profile, msg string) error {
	return &Error{Kind: KindUsage, Profile: profile, Msg: msg}
}
