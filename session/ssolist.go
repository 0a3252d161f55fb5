package session

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/rolecall/rolecall/profiles"
	"golang.org/x/sync/errgroup"
)

// ssoListWorkers bounds the ListAccountRoles calls in flight: enough for
// an organisation of hundreds of accounts, few enough not to be throttled.
const ssoListWorkers = 4

// SSOAssignments lists every account and role the logged-in user of an
// sso-session can reach (ListAccounts, then ListAccountRoles for each,
// every page). Entries the portal sends that are not an account id and a
// role name are left out and reported in the warnings.
func (m *Manager) SSOAssignments(ctx context.Context, ssoSession string) ([]profiles.SSOAssignment, []string, error) {
	cfg, p, err := m.ssoTarget(SSOTarget{SSOSession: ssoSession})
	if err != nil {
		return nil, nil, err
	}
	t := m.newTarget(p)
	token, err := m.ssoAccessToken(ctx, t, cfg)
	if err != nil {
		return nil, nil, err
	}
	client := m.ssoClient(t, cfg.region)
	var (
		accounts []profiles.SSOAssignment
		warnings []string
	)
	pages := sso.NewListAccountsPaginator(client, &sso.ListAccountsInput{AccessToken: aws.String(token)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, nil, m.ssoListErr(t, cfg, "list the accounts", err)
		}
		for _, a := range out.AccountList {
			id := aws.ToString(a.AccountId)
			if !isAccountID(id) {
				warnings = append(warnings, fmt.Sprintf("the SSO portal listed an account id %q, which is not 12 digits; skipped", id))
				continue
			}
			accounts = append(accounts, profiles.SSOAssignment{AccountID: id, AccountName: aws.ToString(a.AccountName), Email: aws.ToString(a.EmailAddress)})
		}
	}
	var (
		mu  sync.Mutex
		all []profiles.SSOAssignment
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ssoListWorkers)
	for _, a := range accounts {
		g.Go(func() error {
			pages := sso.NewListAccountRolesPaginator(client, &sso.ListAccountRolesInput{AccessToken: aws.String(token), AccountId: aws.String(a.AccountID)})
			for pages.HasMorePages() {
				out, err := pages.NextPage(gctx)
				if err != nil {
					return m.ssoListErr(t, cfg, "list the roles of account "+a.AccountID, err)
				}
				mu.Lock()
				for _, r := range out.RoleList {
					name := aws.ToString(r.RoleName)
					if !isRoleName(name) {
						warnings = append(warnings, fmt.Sprintf("the SSO portal listed a role %q in account %s, which is not a role name; skipped", name, a.AccountID))
						continue
					}
					x := a
					x.RoleName = name
					all = append(all, x)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].AccountName != all[j].AccountName {
			return all[i].AccountName < all[j].AccountName
		}
		if all[i].AccountID != all[j].AccountID {
			return all[i].AccountID < all[j].AccountID
		}
		return all[i].RoleName < all[j].RoleName
	})
	return all, warnings, nil
}

func (m *Manager) ssoListErr(t target, cfg ssoConfig, action string, err error) error {
	root := &profiles.Root{Profile: cfg.profile, SSORegion: cfg.region, SSOSession: cfg.session, SSOStartURL: cfg.startURL}
	// Each portal call has a deadline of its own: a call that timed out
	// ran for that long.
	e := m.classifySSO(t, root, time.Now().Add(-m.callTimeout()), err)
	if se, ok := e.(*Error); ok && se.Kind == KindSource {
		se.Msg = fmt.Sprintf("%s: the SSO portal could not %s (%s).", cfg.name(), action, oneLine(cause(err)))
	}
	return e
}
