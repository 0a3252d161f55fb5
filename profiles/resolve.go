package profiles

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// The credential_source values the AWS CLI knows.
var credentialSources = map[string]RootKind{
	"Environment":         RootEnvironment,
	"Ec2InstanceMetadata": RootIMDS,
	"EcsContainer":        RootECS,
}

// resolve walks name's chain the way the AWS CLI and SDKs do: on the
// selected profile role_arn wins over static keys; after the first hop a
// source profile's static keys win over its own role_arn; a profile may
// name itself as source_profile to use its own keys. Errors are reported
// against the selected profile, at the line that causes them.
func (s *Set) resolve(name string) (*Chain, *Error) {
	r := resolver{budget: -1}
	c, err := s.resolveInto(name, s.Get(name), &r)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// MaxChainHops is how many source_profile hops rolecall follows from a
// profile before it calls the chain too long. Real chains are one to three
// roles deep (each hop is an STS call capped at an hour), and the AWS CLI
// itself gives up near 130; the cap keeps resolution linear in the size of
// the config whatever it holds.
const MaxChainHops = 64

// A Set holds its chains' hops once per profile, so a config of a long
// chain that branches into many profiles would hold the long chain once
// per branch. Chains of up to shortChain roles (real ones) always
// resolve; longer ones share a budget of deepHopsPerProfile hops per
// profile plus hopsSpare, and past it a profile gets an error instead.
const (
	shortChain         = 4
	deepHopsPerProfile = 1
	hopsSpare          = 1 << 16
)

// resolver is what resolving many profiles shares: an arena for the hops,
// the roots already built, since most chains start at one of a few IAM
// users, and the marks of the walk under way.
type resolver struct {
	arena []*Profile
	roots *rootCache // nil: keep nothing (resolving one profile)
	// budget is how many more hops the chains longer than shortChain may
	// take; < 0 for no limit.
	budget int
	// mark[idx] == walk marks the profiles the current walk has visited,
	// so that the loop check costs one lookup, not a scan of the path.
	mark []uint32
	walk uint32
	// visited and hops are the scratch space of resolveInto.
	visited []string
	hops    []*Profile
}

// rootCache holds the roots built so far, by way and Set.Profiles index.
// The resolvers of both halves share it, so its slots are atomic.
type rootCache [rootWays][]atomic.Pointer[Root]

// The ways a profile can be a root: through its keys (as a source
// profile, or its own static keys), or through its own settings (SSO,
// process, web identity, credential_source; a profile has at most one
// of those that resolves).
const (
	rootViaKeys = iota
	rootViaSettings
	rootWays
)

func newRootCache(n int) *rootCache {
	var c rootCache
	for i := range c {
		c[i] = make([]atomic.Pointer[Root], n)
	}
	return &c
}

// cached returns the root already built from p reached that way, or nil.
func (r *resolver) cached(p *Profile, how int) *Root {
	if r.roots == nil || int(p.idx) >= len(r.roots[how]) {
		return nil
	}
	return r.roots[how][p.idx].Load()
}

// share returns the root already built from p reached that way, or keeps
// root as it.
func (r *resolver) share(p *Profile, how int, root Root) *Root {
	if root.Kind == RootStatic {
		how = rootViaKeys // the profile's own keys, whichever way it was reached
	}
	if r.roots == nil || int(p.idx) >= len(r.roots[how]) {
		return newRoot(root)
	}
	slot := &r.roots[how][p.idx]
	if old := slot.Load(); old != nil {
		return old
	}
	if rp := newRoot(root); slot.CompareAndSwap(nil, rp) {
		return rp
	}
	return slot.Load()
}

// newRoot copies root to the heap. Taking &root instead would move every
// argument of share to the heap, cached or not.
func newRoot(root Root) *Root {
	rp := new(Root)
	*rp = root
	return rp
}

// resolveInto is resolve of the profile first (nil when none has that
// name) without allocating the Chain. It only reads the Set, so that
// halves of the profiles can be resolved at once, each with its own
// resolver.
func (s *Set) resolveInto(name string, first *Profile, r *resolver) (Chain, *Error) {
	if len(s.Profiles) == 0 {
		return Chain{}, &Error{Profile: name, Msg: "no profiles are defined (create ~/.aws/config or pass --config)"}
	}
	fail := func(pos Pos, msg string) (Chain, *Error) {
		return Chain{}, &Error{Pos: pos, Profile: name, Msg: msg}
	}
	// The path and the hops are scratch space that the resolver keeps
	// from one profile to the next: chain copies the hops it keeps.
	visited, hops := r.visited[:0], r.hops[:0]
	defer func() { r.visited, r.hops = visited[:0], hops[:0] }()
	cur := name
	var from *Profile // the profile whose source_profile led here
	r.walk++
	if r.walk == 0 { // wrapped: old marks could match again
		clear(r.mark)
		r.walk = 1
	}
	for {
		p := first
		if from != nil {
			p = from.src
		}
		if p == nil {
			if from == nil {
				return fail(Pos{}, "profile does not exist")
			}
			return fail(from.Props.Get(keySourceProfile).Pos, "source_profile "+strconv.Quote(cur)+
				" of profile "+strconv.Quote(from.Name)+" does not exist (add [profile "+cur+"] or fix the name)")
		}
		if r.seen(p, visited, cur) {
			return fail(from.Props.Get(keySourceProfile).Pos, "source_profile loop: "+pathText(append(visited, cur))+
				" (end the chain at a profile with keys or a credential_source)")
		}
		if len(visited) > MaxChainHops {
			return fail(from.Props.Get(keySourceProfile).Pos, fmt.Sprintf("the chain of source profiles is longer than %d: %s "+
				"(rolecall follows at most %d; end the chain sooner)", MaxChainHops, pathText(append(visited, cur)), MaxChainHops))
		}
		visited = append(visited, cur)
		k := p.walkKeys()
		if len(visited) > 1 && k.hasKeys {
			if root := r.cached(p, rootViaKeys); root != nil {
				return r.chain(root, hops)
			}
			root, err := staticRoot(name, p)
			if err != nil {
				return Chain{}, err
			}
			return r.chain(r.share(p, rootViaKeys, root), hops)
		}
		if k.roleARN == "" || k.webIdentity {
			if root := r.cached(p, rootViaSettings); root != nil {
				return r.chain(root, hops)
			}
			root, err := s.baseRoot(name, p)
			if err != nil {
				return Chain{}, err
			}
			return r.chain(r.share(p, rootViaSettings, root), hops)
		}
		switch {
		case k.sourceProfile != "" && k.credentialSource:
			return fail(p.Props.Get(keyCredentialSource).Pos, profileRef(name, p)+"has both source_profile and credential_source; keep one")
		case k.sourceProfile == "" && !k.credentialSource:
			return fail(p.Props.Get(keyRoleARN).Pos, profileRef(name, p)+"role_arn needs a source_profile or a credential_source")
		}
		hops = append(hops, p)
		if k.credentialSource {
			csrc := p.Props.Get(keyCredentialSource)
			kind, ok := credentialSources[csrc.Value]
			if !ok {
				return fail(csrc.Pos, profileRef(name, p)+"unknown credential_source "+strconv.Quote(csrc.Value)+
					" (use Environment, Ec2InstanceMetadata or EcsContainer)")
			}
			root := Root{Kind: kind, Profile: p.Name, Pos: csrc.Pos}
			return r.chain(r.share(p, rootViaSettings, root), hops)
		}
		if k.sourceProfile == p.Name {
			root, err := s.baseRoot(name, p)
			if err != nil {
				return Chain{}, err
			}
			return r.chain(r.share(p, rootViaSettings, root), hops)
		}
		from = p
		cur = k.sourceProfile
	}
}

// walkKeys are the settings that decide where a chain goes from a
// profile.
type walkKeys struct {
	roleARN, sourceProfile        string
	webIdentity, credentialSource bool
	hasKeys                       bool
}

// walkKeys reads them in one pass over the profile's properties, with
// the same answers as RoleARN, SourceProfile, WebIdentityFile,
// CredentialSource and HasKeys.
func (p *Profile) walkKeys() walkKeys {
	var k walkKeys
	var access, secret bool
	for i := range p.Props {
		v := p.Props[i].Value.Value
		switch p.Props[i].Key {
		case keyRoleARN:
			k.roleARN = v
		case keySourceProfile:
			k.sourceProfile = v
		case keyWebIdentity:
			k.webIdentity = v != ""
		case keyCredentialSource:
			k.credentialSource = v != ""
		case keyAccessKeyID:
			access = v != ""
		case keySecretKey:
			secret = v != ""
		}
	}
	k.hasKeys = access && secret
	return k
}

// profileRef prefixes a message about another profile of the chain.
func profileRef(selected string, p *Profile) string {
	if p.Name == selected {
		return ""
	}
	return "source profile " + strconv.Quote(p.Name) + ": "
}

// chain stores hops (collected from the selected profile outwards) in
// reverse, so that the selected profile's role is assumed last. Every
// chain's hops share one arena: one allocation instead of one per profile.
func (r *resolver) chain(root *Root, hops []*Profile) (Chain, *Error) {
	if len(hops) == 0 {
		return Chain{Root: root}, nil
	}
	if r.budget >= 0 && len(hops) > shortChain {
		if len(hops) > r.budget {
			last := hops[0] // the selected profile's own role
			return Chain{}, &Error{Pos: last.RoleARNPos(), Profile: last.Name, Msg: fmt.Sprintf("this chain of %d roles is one too many: "+
				"the config's chains of more than %d roles hold more hops than rolecall keeps for a config of its size; "+
				"shorten the long chains", len(hops), shortChain)}
		}
		r.budget -= len(hops)
	}
	a := r.arena
	if cap(a)-len(a) < len(hops) {
		// A new chunk rather than a grown copy: earlier chains keep
		// pointing into the old one.
		a = make([]*Profile, 0, max(1024, len(hops)))
	}
	start := len(a)
	for i := len(hops) - 1; i >= 0; i-- {
		a = append(a, hops[i])
	}
	r.arena = a
	return Chain{Root: root, Roles: a[start:len(a):len(a)]}, nil
}

// seen reports whether the walk under way has visited p (named cur)
// already: one mark per profile of a loaded Set, a scan of the path for a
// Set built by hand.
func (r *resolver) seen(p *Profile, visited []string, cur string) bool {
	if p.idx >= 0 && int(p.idx) < len(r.mark) {
		if r.mark[p.idx] == r.walk {
			return true
		}
		r.mark[p.idx] = r.walk
		return false
	}
	return slices.Contains(visited, cur)
}

// pathText joins a path of profile names, keeping a long one short: the
// first and last few names, and how many were left out.
func pathText(names []string) string {
	const ends = 5
	if len(names) <= 2*ends+1 {
		return strings.Join(names, " -> ")
	}
	return strings.Join(names[:ends], " -> ") + fmt.Sprintf(" -> … (%d more) -> ", len(names)-2*ends) +
		strings.Join(names[len(names)-ends:], " -> ")
}

// baseRoot is a profile that is not assuming a role itself: a
// credential_source, web identity, SSO, a process, or static keys.
func (s *Set) baseRoot(selected string, p *Profile) (Root, *Error) {
	fail := func(pos Pos, msg string) (Root, *Error) {
		return Root{}, &Error{Pos: pos, Profile: selected, Msg: profileRef(selected, p) + msg}
	}
	if p.CredentialSource() != "" {
		v := p.Props.Get(keyCredentialSource)
		kind, ok := credentialSources[v.Value]
		if !ok {
			return fail(v.Pos, "unknown credential_source "+strconv.Quote(v.Value)+" (use Environment, Ec2InstanceMetadata or EcsContainer)")
		}
		return Root{Kind: kind, Profile: p.Name, Pos: v.Pos}, nil
	}
	if p.WebIdentityFile() != "" {
		v := p.Props.Get(keyWebIdentity)
		if p.RoleARN() == "" {
			return fail(v.Pos, "web_identity_token_file needs a role_arn to assume with it")
		}
		return Root{Kind: RootWebIdentity, Profile: p.Name, Pos: v.Pos, WebIdentityFile: v.Value,
			RoleARN: p.RoleARN(), RoleSessionName: p.RoleSessionName()}, nil
	}
	if root, err, ok := s.ssoRoot(selected, p); ok {
		return root, err
	}
	if p.CredentialProcess() != "" {
		v := p.Props.Get(keyProcess)
		return Root{Kind: RootProcess, Profile: p.Name, Pos: v.Pos, CredentialProcess: v.Value}, nil
	}
	return staticRoot(selected, p)
}

func staticRoot(selected string, p *Profile) (Root, *Error) {
	var accessKey Value
	var secretKey, sessionToken, accountID string
	for _, prop := range p.Props {
		switch prop.Key {
		case keyAccessKeyID:
			accessKey = prop.Value
		case keySecretKey:
			secretKey = prop.Value.Value
		case keySessionToken:
			sessionToken = prop.Value.Value
		case keyAccountID:
			accountID = prop.Value.Value
		}
	}
	switch {
	case accessKey.Value == "" && secretKey == "":
		return Root{}, &Error{Pos: p.Pos, Profile: selected, Msg: profileRef(selected, p) +
			"profile " + strconv.Quote(p.Name) + " has no credentials (add aws_access_key_id and aws_secret_access_key, a role_arn, SSO or credential_process)"}
	case secretKey == "":
		return Root{}, &Error{Pos: accessKey.Pos, Profile: selected, Msg: profileRef(selected, p) + "aws_secret_access_key is missing next to aws_access_key_id"}
	case accessKey.Value == "":
		return Root{}, &Error{Pos: p.Props.Get(keySecretKey).Pos, Profile: selected, Msg: profileRef(selected, p) + "aws_access_key_id is missing next to aws_secret_access_key"}
	}
	return Root{
		Kind:            RootStatic,
		Profile:         p.Name,
		Pos:             accessKey.Pos,
		AccessKeyID:     accessKey.Value,
		SecretAccessKey: secretKey,
		SessionToken:    sessionToken,
		AccountID:       accountID,
		MFASerial:       p.MFASerial(),
	}, nil
}

// ssoRoot reads SSO settings, from the profile or its [sso-session]; ok is
// false when the profile has none.
func (s *Set) ssoRoot(selected string, p *Profile) (root Root, err *Error, ok bool) {
	if p.SSOSession() == "" && p.SSOStartURL() == "" && p.SSORegion() == "" && p.SSOAccountID() == "" && p.SSORoleName() == "" {
		return Root{}, nil, false
	}
	fail := func(pos Pos, msg string) (Root, *Error, bool) {
		return Root{}, &Error{Pos: pos, Profile: selected, Msg: profileRef(selected, p) + msg}, true
	}
	root = Root{Kind: RootSSO, Profile: p.Name, Pos: p.Pos, SSOAccountID: p.SSOAccountID(), SSORoleName: p.SSORoleName(),
		SSOStartURL: p.SSOStartURL(), SSORegion: p.SSORegion()}
	if p.SSOSession() != "" {
		at := p.Props.Get(keySSOSession).Pos
		root.Pos = at
		if v := p.Props.Get(keySSOStartURL); v.Value != "" {
			return fail(v.Pos, "sso_start_url belongs in [sso-session "+p.SSOSession()+"] when sso_session is set; remove it here")
		}
		if v := p.Props.Get(keySSORegion); v.Value != "" {
			return fail(v.Pos, "sso_region belongs in [sso-session "+p.SSOSession()+"] when sso_session is set; remove it here")
		}
		sess := s.SSOSessions[p.SSOSession()]
		if sess == nil {
			return fail(at, "[sso-session "+p.SSOSession()+"] does not exist (add it to the config file or fix sso_session)")
		}
		root.SSOSession = p.SSOSession()
		root.SSOStartURL = sess.Props.Get(keySSOStartURL).Value
		root.SSORegion = sess.Props.Get(keySSORegion).Value
	}
	switch {
	case p.SSOAccountID() != "" && p.SSORoleName() == "":
		return fail(p.Props.Get(keySSOAccountID).Pos, "sso_account_id is set without sso_role_name; add it")
	case p.SSOAccountID() == "" && p.SSORoleName() != "":
		return fail(p.Props.Get(keySSORoleName).Pos, "sso_role_name is set without sso_account_id; add it")
	case root.SSORegion == "":
		return fail(root.Pos, "sso_region is missing; add it")
	case root.SSOStartURL == "":
		return fail(root.Pos, "sso_start_url is missing; add it")
	}
	return root, nil, true
}
