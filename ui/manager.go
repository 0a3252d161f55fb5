package ui

import (
	"context"

	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// Manager is the part of *session.Manager the UI drives. The UI holds no
// session logic of its own: every action is one of these calls, which the
// subcommands make too. Tests pass a fake.
type Manager interface {
	Assume(ctx context.Context, profile string, opts ...session.CallOption) (*session.Session, error)
	Renew(ctx context.Context, profile string, opts ...session.CallOption) (*session.Session, error)
	Cached(profile string) (*session.Session, bool)
	Forget(profile string) error
	WhoAmI(ctx context.Context, s *session.Session) (session.Identity, error)
	NeedsMFA(profile string) string
	Use(ctx context.Context, profile string, force bool, opts ...session.CallOption) (session.UseResult, error)
	Set() *profiles.Set
}

// The real manager must keep satisfying the interface.
var _ Manager = (*session.Manager)(nil)
