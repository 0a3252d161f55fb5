package ui

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// Manager is the part of *session.Manager the UI drives. The UI holds no
// session rule of its own: every action is one of these calls, which the
// subcommands make too, and what it shows of a chain (MFA devices, the
// one-hour cap, the region) comes from Plan. Tests pass a fake.
type Manager interface {
	Assume(ctx context.Context, profile string, opts ...session.CallOption) (*session.Session, error)
	RenewAndUse(ctx context.Context, profile string, opts ...session.CallOption) (session.RenewResult, error)
	Use(ctx context.Context, profile string, force bool, opts ...session.CallOption) (session.UseResult, error)
	Cached(profile string) (*session.Session, bool)
	CachedSessions(profiles []string) map[string]*session.Session
	Forget(profile string) (int, error)
	WhoAmI(ctx context.Context, s *session.Session) (session.Identity, error)
	Plan(profile string) (session.Plan, error)
	Handoff(s *session.Session) session.Handoff
	Provider(profile string, opts ...session.CallOption) aws.CredentialsProvider
	Set() *profiles.Set
	// The browser side: console sign-in and IAM Identity Center login.
	Console(ctx context.Context, profile string, co session.ConsoleOptions, opts ...session.CallOption) (*session.Console, error)
	// NeedLogins says which of the profiles need an SSO login first.
	NeedLogins(profiles []string) map[string]bool
	BeginLogin(ctx context.Context, who session.SSOTarget, lo session.LoginOptions) (*session.Login, error)
	// LoadAutoRenew and SaveAutoRenew remember which profiles have
	// auto-renew on, across restarts.
	session.AutoRenewStore
}

// The real manager must keep satisfying the interface.
var _ Manager = (*session.Manager)(nil)
