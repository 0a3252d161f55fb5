package profiles

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func loadChains(t *testing.T) *Set {
	t.Helper()
	set, err := Load(Files{Config: filepath.Join("testdata", "chains.config"), Credentials: filepath.Join("testdata", "chains.credentials")})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestResolveKindsAndErrors(t *testing.T) {
	set := loadChains(t)
	tests := []struct {
		name   string
		kind   Kind
		root   RootKind
		names  string
		errSub string
	}{
		{name: "user", kind: KindStatic, root: RootStatic, names: "user"},
		{name: "ops", kind: KindRole, root: RootStatic, names: "user,ops"},
		{name: "ops-admin", kind: KindRole, root: RootStatic, names: "user,ops,ops-admin"},
		{name: "self", kind: KindRole, root: RootStatic, names: "self"},
		{name: "both", kind: KindRole, errSub: "chains.config:28: profile \"both\": has both source_profile and credential_source"},
		{name: "weird-source", kind: KindRole, errSub: "chains.config:32: profile \"weird-source\": unknown credential_source \"Ec2Metadata\""},
		{name: "bare-role", kind: KindRole, errSub: "chains.config:35: profile \"bare-role\": role_arn needs a source_profile or a credential_source"},
		{name: "sso-user", kind: KindSSO, root: RootSSO, names: "sso-user"},
		{name: "sso-broken", kind: KindSSO, errSub: "chains.config:43: profile \"sso-broken\": [sso-session missing] does not exist"},
		{name: "proc", kind: KindProcess, root: RootProcess, names: "proc"},
		{name: "web", kind: KindWebIdentity, root: RootWebIdentity, names: "web"},
		{name: "bad-duration", kind: KindRole, errSub: "chains.config:57: profile \"bad-duration\": duration_seconds = \"one hour\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := set.Get(tc.name)
			if p == nil {
				t.Fatal("not loaded")
			}
			if p.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", p.Kind, tc.kind)
			}
			if tc.errSub != "" {
				if p.Err == nil || !strings.Contains(p.Err.Error(), tc.errSub) {
					t.Fatalf("error = %v, want %q", p.Err, tc.errSub)
				}
				if p.Chain != nil {
					t.Error("a broken profile has a chain")
				}
				return
			}
			if p.Err != nil {
				t.Fatalf("unexpected error: %v", p.Err)
			}
			if p.Chain.Root.Kind != tc.root || strings.Join(p.Chain.Names(), ",") != tc.names {
				t.Errorf("root %q chain %v, want %q %s", p.Chain.Root.Kind, p.Chain.Names(), tc.root, tc.names)
			}
		})
	}
}

func TestResolveHopFields(t *testing.T) {
	set := loadChains(t)
	c := set.Get("ops-admin").Chain
	if !c.MultiHop() || len(c.Roles) != 2 {
		t.Fatalf("ops-admin: %d hops, want 2 (multi-hop)", len(c.Roles))
	}
	type hop struct {
		Profile                                         string
		Pos                                             Pos
		RoleARN, ExternalID, RoleSessionName, MFASerial string
		DurationSeconds                                 int
	}
	hopOf := func(p *Profile) hop {
		return hop{p.Name, p.RoleARNPos(), p.RoleARN(), p.ExternalID(), p.RoleSessionName(), p.MFASerial(), p.DurationSeconds}
	}
	want := hop{
		Profile: "ops", Pos: Pos{File: filepath.Join("testdata", "chains.config"), Line: 6},
		RoleARN: "arn:aws:iam::222222222222:role/Ops", ExternalID: "ext-ops", RoleSessionName: "alice-ops",
		MFASerial: "arn:aws:iam::111111111111:mfa/alice", DurationSeconds: 7200,
	}
	if got := hopOf(c.Roles[0]); got != want {
		t.Errorf("first hop = %+v\nwant %+v", got, want)
	}
	if c.Roles[1].Name != "ops-admin" || c.Roles[1].RoleARN() != "arn:aws:iam::333333333333:role/Admin" {
		t.Errorf("last hop = %s %s, want ops-admin's role", c.Roles[1].Name, c.Roles[1].RoleARN())
	}
	r := c.Root
	if r.Profile != "user" || r.MFASerial != "arn:aws:iam::111111111111:mfa/alice" ||
		r.Pos.Line != 2 || !strings.HasSuffix(r.Pos.File, "chains.credentials") {
		t.Errorf("root = profile %q mfa %q at %s", r.Profile, r.MFASerial, r.Pos)
	}
	if r.AccessKeyID != "AKIDUSER" || r.SecretAccessKey != "secret-user" {
		t.Error("root keys mismatch")
	}
	sso := set.Get("sso-user").Chain.Root
	if sso.SSOStartURL != "https://corp.awsapps.com/start" || sso.SSORegion != "eu-west-1" || sso.SSOSession != "corp" {
		t.Errorf("sso root = %+v", sso)
	}
	if got := set.Get("ops").AccountID(); got != "222222222222" {
		t.Errorf("account = %q", got)
	}
	names := make([]string, 0, len(set.Profiles))
	for _, p := range set.Profiles {
		names = append(names, p.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
}

// TestRootsAreSharedPerWayReached checks that chains starting at one
// profile share its root, and that a profile reached as a source (its
// keys) and selected itself (its own base, here SSO) keep different roots.
func TestRootsAreSharedPerWayReached(t *testing.T) {
	cfg := "[profile u]\nsso_account_id = 111111111111\nsso_role_name = R\nsso_region = us-east-1\nsso_start_url = https://x.awsapps.com/start\n" +
		"[profile r1]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = u\n" +
		"[profile r2]\nrole_arn = arn:aws:iam::333333333333:role/B\nsource_profile = u\n"
	cred := "[u]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
	m, err := parseBoth(cfg, "config", cred, "credentials", parseOptions{strict: true})
	if err != nil {
		t.Fatal(err)
	}
	set := build(m)
	u, r1, r2 := set.Get("u"), set.Get("r1"), set.Get("r2")
	for _, p := range []*Profile{u, r1, r2} {
		if p.Chain == nil {
			t.Fatalf("profile %s did not resolve: %v", p.Name, p.Err)
		}
	}
	if u.Chain.Root.Kind != RootSSO {
		t.Errorf("u selected: root %s, want sso", u.Chain.Root.Kind)
	}
	if r1.Chain.Root.Kind != RootStatic || r1.Chain.Root.AccessKeyID != "AKIAEXAMPLE" {
		t.Errorf("r1: root %s, want u's static keys", r1.Chain.Root.Kind)
	}
	if r1.Chain.Root != r2.Chain.Root {
		t.Error("r1 and r2 start at the same keys but do not share the root")
	}
}

// TestMultiHop: a chain is multi-hop (as "rolecall list --json" reports) only
// when it assumes more than one role.
func TestMultiHop(t *testing.T) {
	set := loadChains(t)
	for name, want := range map[string]bool{"user": false, "ops": false, "self": false, "ops-admin": true} {
		p := set.Get(name)
		if p == nil || p.Chain == nil {
			t.Fatalf("%s: no chain", name)
		}
		if got := p.Chain.MultiHop(); got != want {
			t.Errorf("%s (%d roles): MultiHop = %v, want %v", name, len(p.Chain.Roles), got, want)
		}
	}
}
