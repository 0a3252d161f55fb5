package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
)

func TestSSOAssignmentsPaginated(t *testing.T) {
	w := newSSOWorld(t)
	m := w.mgr()
	_, _, err := m.SSOAssignments(context.Background(), "corp")
	if !needsLogin(err) {
		t.Fatalf("before login: %v", err)
	}
	w.login(m, SSOTarget{SSOSession: "corp"}, LoginOptions{})
	w.sso.Accounts = append(w.sso.Accounts, ssofake.Account{ID: "not-an-id", Name: "odd", Roles: []string{"X"}})
	w.sso.Calls()
	got, warns, err := m.SSOAssignments(context.Background(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.AccountName+"/"+a.RoleName)
	}
	if want := "audit/Auditor,audit/ReadOnly,dev/Admin,dev/Dev,dev/ReadOnly,prod/ReadOnly"; strings.Join(names, ",") != want {
		t.Errorf("assignments %v, want %s", names, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "not-an-id") {
		t.Errorf("warnings %v", warns)
	}
	n := map[string]int{}
	for _, c := range w.sso.Calls() {
		n[c.Op]++
	}
	// 4 accounts at 2 a page; 3, 1 and 2 roles at 2 a page.
	if n["ListAccounts"] != 2 || n["ListAccountRoles"] != 4 {
		t.Errorf("calls %v, want every page read", n)
	}
}

// BenchmarkSSOAssignments lists an organisation of 500 accounts with 4
// roles each from the portal fake on loopback, 100 accounts and 20 roles
// a page (the portal's own page sizes), with the worker limit in place.
func BenchmarkSSOAssignments(b *testing.B) {
	dir := b.TempDir()
	fake := ssofake.Start(b)
	fake.PageSize = 100
	for i := range 500 {
		fake.Accounts = append(fake.Accounts, ssofake.Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("acct-%03d", i),
			Roles: []string{"Admin", "Developer", "ReadOnly", "Billing"}})
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(ssoConfigText), 0o600); err != nil {
		b.Fatal(err)
	}
	set, err := profiles.Load(profiles.Files{Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	e := env{"HOME": dir, "AWS_ENDPOINT_URL_SSO": fake.URL, "AWS_ENDPOINT_URL_SSO_OIDC": fake.URL}
	m := New(set, Options{Getenv: e.get, CacheDir: filepath.Join(dir, "cache")})
	ctx := context.Background()
	l, err := m.BeginLogin(ctx, SSOTarget{SSOSession: "corp"}, LoginOptions{DeviceCode: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := ssofake.Visit(l.URL); err != nil {
		b.Fatal(err)
	}
	if _, err := l.Wait(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		as, _, err := m.SSOAssignments(ctx, "corp")
		if err != nil || len(as) != 2000 {
			b.Fatalf("%d assignments, %v", len(as), err)
		}
	}
}

// TestSSOPortalUnreachableNamesItsEndpoint: when the portal set by
// AWS_ENDPOINT_URL_SSO cannot be reached, the message names that
// endpoint, not the region's default one.
func TestSSOPortalUnreachableNamesItsEndpoint(t *testing.T) {
	w := newSSOWorld(t)
	w.login(w.mgr(), SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	refusing := stsfake.Refusing(t)
	m := w.manager(env{"HOME": w.home, "AWS_ENDPOINT_URL_SSO": refusing, "AWS_ENDPOINT_URL_SSO_OIDC": w.sso.URL}, Options{})
	_, err := m.Assume(context.Background(), "sso-dev")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnreachable || !strings.Contains(e.Msg, "the SSO portal at "+refusing+" is not reachable") {
		t.Errorf("assume through a portal that refuses: %v, want it named as not reachable", err)
	}
}
