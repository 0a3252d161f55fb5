package credserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// TestTwoHourJobOnOneHourSessions is the case on a clock the test
// moves: a job that asks the endpoint for credentials every minute for two
// hours, against a role whose sessions last one hour and that wants an MFA
// code. Every call STS gets is signed with credentials that have at least
// 15 minutes left; the code is asked once, for the 12-hour MFA session
// every renewal reuses.
func TestTwoHourJobOnOneHourSessions(t *testing.T) {
	c := &clock{now: time.Now().Truncate(time.Second)}
	fake := stsfake.Start(t)
	fake.Now = c.Now
	fake.AddUser("AKIAJOBUSER000000001", "999999999999", "user")
	dir := t.TempDir()
	files := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	os.WriteFile(files.Config, []byte("[profile job]\nrole_arn = arn:aws:iam::111111111111:role/job\nsource_profile = user\nmfa_serial = arn:aws:iam::999999999999:mfa/user\nregion = eu-west-1\n"), 0o600)
	os.WriteFile(files.Credentials, []byte("[user]\naws_access_key_id = AKIAJOBUSER000000001\naws_secret_access_key = job-secret-not-real\n"), 0o600)
	set, err := profiles.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	mgr := session.New(set, session.Options{
		Getenv:   func(k string) string { return map[string]string{"AWS_ENDPOINT_URL_STS": fake.URL}[k] },
		Now:      c.Now,
		CacheDir: filepath.Join(dir, "cache"),
		Prompt:   func(context.Context, string, string) (string, error) { asked++; return "123456", nil },
	})
	s := start(t, mgr.Provider("job"), Options{Name: "job", Now: c.Now})
	job := endpointcreds.New(s.URL(), func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token() })

	minLeft := time.Duration(1<<63 - 1)
	for minute := 0; minute <= 120; minute++ {
		got, err := job.Retrieve(ctx)
		if err != nil {
			t.Fatalf("minute %d: %v", minute, err)
		}
		if left := got.Expires.Sub(c.Now()); left < minLeft {
			minLeft = left
		}
		client := sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(fake.URL),
			Credentials: credentials.NewStaticCredentialsProvider(got.AccessKeyID, got.SecretAccessKey, got.SessionToken)})
		if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("minute %d: STS refused the endpoint's credentials: %v", minute, err)
		}
		waitIdle(t, s) // a renewal the request started is done before the next minute
		c.Add(time.Minute)
	}
	if minLeft < session.CredentialProcessWindow {
		t.Errorf("handed out credentials with %s left, want at least %s", minLeft, session.CredentialProcessWindow)
	}
	var assumes, mfa int
	for _, a := range stsfake.Actions(fake.Calls()) {
		switch a {
		case "AssumeRole":
			assumes++
		case "GetSessionToken":
			mfa++
		}
	}
	// Renewed at 45 and 90 minutes: three sessions in two hours.
	if assumes != 3 || mfa != 1 || asked != 1 {
		t.Errorf("%d AssumeRole, %d GetSessionToken, %d codes asked; want 3, 1 and 1", assumes, mfa, asked)
	}
	if st := s.Stats(); st.Served != 121 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// waitIdle waits until no renewal is under way.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	waitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.running == nil
	})
}
