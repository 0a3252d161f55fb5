package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// Generated profiles go into the config file as one block per
// sso-session, between two marker comments. A later run replaces that
// block and nothing else: every byte outside it stays as it was, and a
// profile the user wrote by hand under the same name is left alone (the
// generated one is not written).

// DefaultSSOTemplate names generated profiles: account name, then role.
const DefaultSSOTemplate = "{{.AccountName}}-{{.RoleName}}"

// GeneratedProfile is one [profile NAME] section to write.
type GeneratedProfile struct {
	Name       string
	Assignment SSOAssignment
	// Props are the section's lines, in order.
	Props [][2]string
}

// GeneratedResult says what WriteSSOProfiles did.
type GeneratedResult struct {
	Added   []string // new profiles
	Kept    []string // rewritten as they were generated before
	Removed []string // generated before, no longer reachable
	// Skipped are names the user's own sections already take.
	Skipped []string
	// Changed is false when the file was left byte for byte as it was.
	Changed bool
}

// The expressions of SSOProfiles, compiled on first use rather than when
// any command starts.
var (
	unsafeNameRun = lazyRE(`[^A-Za-z0-9._@+=/-]+`)
	regionRE      = lazyRE(`^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$`)
	sessionNameRE = lazyRE(`^[A-Za-z0-9._@+=/-]+$`)
	headerRE      = lazyRE(`^\s*\[\s*(?:profile\s+)?([^\]]*?)\s*\]`)
)

func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// SSOProfiles turns SSO assignments into profiles named by tmpl (a
// text/template over AccountID, AccountName, RoleName, Email and
// SSOSession; DefaultSSOTemplate when empty) behind prefix. Characters a
// profile name should not hold become '-'; two assignments that would
// share a name are told apart by their account id. region, when set, is
// each profile's region.
func SSOProfiles(ssoSession, region string, as []SSOAssignment, prefix, tmpl string) ([]GeneratedProfile, error) {
	if !sessionNameRE().MatchString(ssoSession) {
		return nil, fmt.Errorf("sso-session name %q cannot go into a profile; use letters, digits and ._@+=/-", ssoSession)
	}
	if region != "" && !regionRE().MatchString(region) {
		return nil, fmt.Errorf("region %q is not an AWS region name such as eu-west-1", region)
	}
	if tmpl == "" {
		tmpl = DefaultSSOTemplate
	}
	t, err := template.New("name").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("--template %q: %v", tmpl, err)
	}
	var out []GeneratedProfile
	seen := map[string]int{}
	for _, a := range as {
		var b bytes.Buffer
		err := t.Execute(&b, struct {
			AccountID, AccountName, RoleName, Email, SSOSession string
		}{a.AccountID, a.AccountName, a.RoleName, a.Email, ssoSession})
		if err != nil {
			return nil, fmt.Errorf("--template %q: %v (fields: .AccountID .AccountName .RoleName .Email .SSOSession)", tmpl, err)
		}
		name := strings.Trim(unsafeNameRun().ReplaceAllString(prefix+b.String(), "-"), "-")
		if name == "" || name == "default" {
			name = strings.Trim(unsafeNameRun().ReplaceAllString(prefix+a.AccountID+"-"+a.RoleName, "-"), "-")
		}
		if seen[name] > 0 {
			name = unusedName(seen, name+"-"+a.AccountID)
		}
		seen[name]++
		props := [][2]string{{"sso_session", ssoSession}, {"sso_account_id", a.AccountID}, {"sso_role_name", a.RoleName}}
		if region != "" {
			props = append(props, [2]string{"region", region})
		}
		out = append(out, GeneratedProfile{Name: name, Assignment: a, Props: props})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func beginMarker(ssoSession string) string {
	return "# >>> rolecall sso profiles: sso-session " + ssoSession + " >>>"
}

func endMarker(ssoSession string) string {
	return "# <<< rolecall sso profiles: sso-session " + ssoSession + " <<<"
}

// WriteSSOProfiles writes the generated profiles of an sso-session into
// the config file at path: their block is replaced (or appended), under
// the lock and atomically, as the credentials file is written. Nothing
// outside the block changes; names the user's own sections take are
// skipped. The result is parsed before it is written: a file it would
// break is not written.
func WriteSSOProfiles(path, ssoSession string, gens []GeneratedProfile) (GeneratedResult, error) {
	if path == "" {
		return GeneratedResult{}, errors.New("no config file path (set AWS_CONFIG_FILE or --config)")
	}
	var (
		res     GeneratedResult
		dropped []string
	)
	err := editLockedDropping(path, &dropped, func(data string) (string, error) {
		out, r, err := writeGenerated(path, data, ssoSession, gens)
		res, dropped = r, nil
		for _, name := range r.Removed {
			dropped = append(dropped, "profile "+name)
		}
		return out, err
	})
	if err != nil {
		return GeneratedResult{}, err
	}
	return res, nil
}

// writeGenerated is WriteSSOProfiles on the file's contents.
func writeGenerated(path, data, ssoSession string, gens []GeneratedProfile) (string, GeneratedResult, error) {
	var res GeneratedResult
	lines := strings.SplitAfter(data, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	eol := "\n"
	if strings.Contains(data, "\r\n") {
		eol = "\r\n"
	}
	begin, end := -1, -1
	bm, em := beginMarker(ssoSession), endMarker(ssoSession)
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case bm:
			if begin >= 0 {
				return "", res, fmt.Errorf("%s:%d: a second block of profiles generated for sso-session %s (the first is at line %d); remove one by hand", path, i+1, ssoSession, begin+1)
			}
			begin = i
		case em:
			if begin < 0 || end >= 0 {
				return "", res, fmt.Errorf("%s:%d: the end of a generated block without its beginning; remove the line by hand", path, i+1)
			}
			end = i
		}
	}
	if begin >= 0 && end < 0 {
		return "", res, fmt.Errorf("%s:%d: the block of profiles generated for sso-session %s has no end line (%q); fix or remove it by hand", path, begin+1, ssoSession, em)
	}
	// Names taken outside the block are the user's, and names inside it
	// are what the last run generated.
	users, before := map[string]bool{}, map[string]bool{}
	for i, l := range lines {
		m := headerRE().FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if begin >= 0 && i > begin && i < end {
			before[m[1]] = true
		} else {
			users[m[1]] = true
		}
	}
	var block []string
	written := map[string]bool{}
	for _, g := range gens {
		if users[g.Name] {
			res.Skipped = append(res.Skipped, g.Name)
			continue
		}
		if strings.ContainsAny(g.Name, "[]\r\n#;") || g.Name == "" {
			return "", res, fmt.Errorf("generated profile name %q cannot be a section name", g.Name)
		}
		if written[g.Name] {
			continue
		}
		written[g.Name] = true
		if before[g.Name] {
			res.Kept = append(res.Kept, g.Name)
		} else {
			res.Added = append(res.Added, g.Name)
		}
		block = append(block, "", "[profile "+g.Name+"]")
		for _, p := range g.Props {
			if strings.ContainsAny(p[0]+p[1], "\r\n") {
				return "", res, fmt.Errorf("profile %s: %s holds a line break", g.Name, p[0])
			}
			block = append(block, p[0]+" = "+p[1])
		}
	}
	for name := range before {
		if !written[name] {
			res.Removed = append(res.Removed, name)
		}
	}
	sort.Strings(res.Removed)
	var rendered []string
	if len(block) > 0 {
		rendered = append(rendered, bm,
			"# Written by 'rolecall sso profiles --sso-session "+ssoSession+" --write', which rewrites this block",
			"# and nothing else; a profile of your own with the same name outside it is never replaced.")
		rendered = append(rendered, block...)
		rendered = append(rendered, em)
	}
	var b strings.Builder
	if begin >= 0 {
		for _, l := range lines[:begin] {
			b.WriteString(l)
		}
		for _, l := range rendered {
			b.WriteString(l + eol)
		}
		for _, l := range lines[end+1:] {
			b.WriteString(l)
		}
	} else {
		b.WriteString(data)
		if len(rendered) > 0 {
			if data != "" && !strings.HasSuffix(data, "\n") {
				b.WriteString(eol)
			}
			if strings.TrimSpace(data) != "" {
				b.WriteString(eol)
			}
			for _, l := range rendered {
				b.WriteString(l + eol)
			}
		}
	}
	out := b.String()
	res.Changed = out != data
	if err := checkGenerated(path, data, out, written); err != nil {
		return "", res, err
	}
	return out, res, nil
}

// checkGenerated parses the new text before it replaces the file: no new
// problem, and every written profile there as an SSO profile.
func checkGenerated(path, old, out string, written map[string]bool) error {
	before, err := parse(old, path, parseOptions{config: true})
	if err != nil {
		return err
	}
	after, err := parse(out, path, parseOptions{config: true})
	if err != nil {
		return err
	}
	if len(after.problems) > len(before.problems) {
		return fmt.Errorf("the generated profiles would make %s unreadable (%v); nothing was written", path, after.problems[len(after.problems)-1])
	}
	for name := range written {
		s := after.profiles[name]
		if s == nil || s.Props.Get(keySSOAccountID).Value == "" {
			return fmt.Errorf("profile %s would not read back from %s as written; nothing was written", name, path)
		}
	}
	return nil
}

// unusedName is name, or name-2, name-3, … when an earlier assignment
// already took it: an account name can itself end in another account's
// id, and a profile that shares its name with another is never written.
func unusedName(seen map[string]int, name string) string {
	for base, n := name, 2; seen[name] > 0; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}
