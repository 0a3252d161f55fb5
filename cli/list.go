package cli

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of rolecall list: its writers and how to
// load the profiles.
type ListOptions struct {
	Stdout io.Writer
	Stderr io.Writer
	JSON   bool
	Load   func() (*profiles.Set, error)
}

func newListCmd(g *globalOptions, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every profile with its kind, chain and problems",
		Long: "list shows every profile of the config and credentials files: its kind, the chain\n" +
			"of profiles from the credentials it starts from to itself, its account and region,\n" +
			"and what stops it from being used, if anything. --json prints the same as an array.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.Stdout, opts.Stderr, opts.Load = g.Stdout, g.Stderr, g.load
			if runF != nil {
				return runF(opts)
			}
			return runList(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array (no secrets)")
	return cmd
}

// listEntry is one profile in `list --json`. It never holds a secret.
type listEntry struct {
	Name             string   `json:"name"`
	Kind             string   `json:"kind"`
	RoleARN          string   `json:"role_arn"`
	SourceProfile    string   `json:"source_profile"`
	CredentialSource string   `json:"credential_source"`
	MFASerial        string   `json:"mfa_serial"`
	ExternalID       string   `json:"external_id"`
	Region           string   `json:"region"`
	DurationSeconds  int      `json:"duration_seconds"`
	RoleSessionName  string   `json:"role_session_name"`
	Chain            []string `json:"chain"`
	Error            string   `json:"error"`
	AccountID        string   `json:"account_id"`
	Root             string   `json:"root"`
	MultiHop         bool     `json:"multi_hop"`
	Capped           bool     `json:"capped"`
	File             string   `json:"file"`
	Line             int      `json:"line"`
}

// newListEntry is p's entry; its chain reuses names' array, so that
// writing 100,000 entries allocates none.
func newListEntry(p *profiles.Profile, names []string) listEntry {
	e := listEntry{
		Name:             p.Name,
		Kind:             string(p.Kind),
		RoleARN:          p.RoleARN(),
		SourceProfile:    p.SourceProfile(),
		CredentialSource: p.CredentialSource(),
		MFASerial:        p.MFASerial(),
		ExternalID:       p.ExternalID(),
		Region:           p.Region(),
		DurationSeconds:  p.DurationSeconds,
		RoleSessionName:  p.RoleSessionName(),
		Chain:            []string{},
		AccountID:        p.AccountID(),
		File:             p.Pos.File,
		Line:             p.Pos.Line,
	}
	if p.Chain != nil {
		e.Chain = names[:0]
		for n := range p.Chain.EachName {
			e.Chain = append(e.Chain, n)
		}
		e.Root = string(p.Chain.Root.Kind)
		e.MultiHop = p.Chain.MultiHop()
		e.Capped = p.Chain.Capped()
	}
	if p.Err != nil {
		e.Error = p.Err.Error()
	}
	return e
}

// holdCollector stops the garbage collector until the returned function
// is called, for a burst of work whose allocations stay live: reading the
// files builds the model the program then works on (at 10,000 profiles
// Load allocates 9 MiB, nearly all of it the model and the files' text,
// which a collection could not free; at 100,000, 89 MiB). What bounds
// memory is profiles.MaxFileSize (a larger file is refused unread); past
// the soft limit the collector runs again.
func holdCollector() (restore func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(256 << 20)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// runList prints the profiles as a table or as JSON. Broken profiles are
// listed with their problem; only a file that cannot be read fails.
func runList(opts *ListOptions) error {
	// Listing is short-lived and what it allocates stays live until the
	// output is written.
	defer holdCollector()()
	set, err := opts.Load()
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(opts.Stdout, 64<<10)
	if opts.JSON {
		err = writeListJSON(w, set)
	} else {
		writeListTable(w, set)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	for _, p := range set.Problems {
		fmt.Fprintln(opts.Stderr, "warning: "+termsafe.Lines(p.Error()))
	}
	return err
}

func writeListJSON(w *bufio.Writer, set *profiles.Set) error {
	if len(set.Profiles) == 0 {
		_, err := w.WriteString("[]\n")
		return err
	}
	// Written by hand rather than through encoding/json: reflection was
	// half the time of listing 10,000 profiles. TestListJSONEncoding
	// checks the output against encoding/json.
	w.WriteString("[\n")
	err := writeRows(w, set.Profiles, func(b []byte, i int, p *profiles.Profile, names *[]string) []byte {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		e := newListEntry(p, *names)
		*names = e.Chain
		return appendListEntry(b, e)
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("\n]\n")
	return err
}

// appendListEntry appends e as the JSON object encoding/json would write.
func appendListEntry(b []byte, e listEntry) []byte {
	str := func(b []byte, key, v string) []byte {
		b = append(b, `,"`...)
		b = append(b, key...)
		b = append(b, `":`...)
		return appendJSONString(b, v)
	}
	b = append(b, `{"name":`...)
	b = appendJSONString(b, e.Name)
	b = str(b, "kind", e.Kind)
	b = str(b, "role_arn", e.RoleARN)
	b = str(b, "source_profile", e.SourceProfile)
	b = str(b, "credential_source", e.CredentialSource)
	b = str(b, "mfa_serial", e.MFASerial)
	b = str(b, "external_id", e.ExternalID)
	b = str(b, "region", e.Region)
	b = append(b, `,"duration_seconds":`...)
	b = strconv.AppendInt(b, int64(e.DurationSeconds), 10)
	b = str(b, "role_session_name", e.RoleSessionName)
	b = append(b, `,"chain":[`...)
	for i, n := range e.Chain {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, n)
	}
	b = append(b, ']')
	b = str(b, "error", e.Error)
	b = str(b, "account_id", e.AccountID)
	b = str(b, "root", e.Root)
	b = append(b, `,"multi_hop":`...)
	b = strconv.AppendBool(b, e.MultiHop)
	b = append(b, `,"capped":`...)
	b = strconv.AppendBool(b, e.Capped)
	b = str(b, "file", e.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(e.Line), 10)
	return append(b, '}')
}

// jsonPlain marks the bytes appendJSONString copies as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && c != 0xe2
	}
	return t
}()

// appendJSONString appends s as a JSON string. The files were checked to
// be valid UTF-8 when read, so only quotes, backslashes and control
// characters need escaping (and, as encoding/json does, U+2028/U+2029).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonPlain[c] {
			continue
		}
		if c == 0xe2 {
			// U+2028 and U+2029 are E2 80 A8/A9.
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, hex[s[i+2]&0xf])
				i += 2
				start = i + 1
			}
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// chainLead is the credential source a chain is led by when it does not
// start from a profile's own keys, or "".
func chainLead(c *profiles.Chain) string {
	switch k := c.Root.Kind; k {
	case profiles.RootEnvironment, profiles.RootIMDS, profiles.RootECS:
		return string(k)
	}
	return ""
}

// chainCap is what follows a chain whose own role is capped at an hour.
const chainCap = " (1h cap)"

// chainParts yields the parts of a chain's cell: its lead, if any, then
// each profile name. appendChain and chainWidth both walk it, so the
// column is measured as it is written.
func chainParts(c *profiles.Chain) iter.Seq[string] {
	return func(yield func(string) bool) {
		if lead := chainLead(c); lead != "" && !yield(lead) {
			return
		}
		c.EachName(yield)
	}
}

// chainWidth is the width of the chain cell appendChain writes, worked out
// without writing it: the first pass over 100,000 profiles only measures.
func chainWidth(p *profiles.Profile) int {
	if p.Chain == nil {
		return 1
	}
	width, count := 0, 0
	for part := range chainParts(p.Chain) {
		if count > 0 {
			width += 3 // " → "
		}
		width += termsafe.Width(part)
		count++
	}
	if p.Chain.Capped() {
		width += len(chainCap)
	}
	return width
}

// appendChain appends a profile's chain as "root → … → profile", each
// name escaped, and returns its width.
func appendChain(b []byte, p *profiles.Profile) ([]byte, int) {
	if p.Chain == nil {
		return append(b, '-'), 1
	}
	width, count := 0, 0
	for part := range chainParts(p.Chain) {
		if count > 0 {
			b = append(b, " → "...)
			width += 3
		}
		var n int
		b, n = appendClean(b, part)
		width += n
		count++
	}
	if p.Chain.Capped() {
		b = append(b, chainCap...)
		width += len(chainCap)
	}
	return b, width
}

// appendClean appends s escaped (every field is read from the files: a
// region holding ESC [2J must not clear the screen, nor a tab shift the
// columns) and returns its width.
func appendClean(b []byte, s string) ([]byte, int) {
	if termsafe.PlainASCII(s) { // nearly every cell: as it is, a column per byte
		return append(b, s...), len(s)
	}
	s = termsafe.Clean(s)
	return append(b, s...), utf8.RuneCountInString(s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// listColumns are the cells of the table before its last, PROBLEM.
const listColumns = 5

var listHeader = [listColumns]string{"NAME", "KIND", "CHAIN", "ACCOUNT", "REGION"}

// listWidths are the widths of the table's columns, and how many rows
// have a problem.
type listWidths struct {
	cols   [listColumns]int
	broken int
}

// measure widens the columns to fit the rows of ps.
func (lw *listWidths) measure(ps []*profiles.Profile) {
	for _, p := range ps {
		lw.cols[0] = max(lw.cols[0], termsafe.Width(p.Name))
		lw.cols[1] = max(lw.cols[1], len(p.Kind))
		lw.cols[2] = max(lw.cols[2], chainWidth(p))
		lw.cols[3] = max(lw.cols[3], termsafe.Width(dash(p.AccountID())))
		lw.cols[4] = max(lw.cols[4], termsafe.Width(dash(p.Region())))
		if p.Err != nil {
			lw.broken++
		}
	}
}

// writeListTable writes the table as text/tabwriter would lay it out
// (each column as wide as its widest cell plus two spaces), but streamed:
// a first pass measures the columns, a second formats the rows a chunk at
// a time, so that no cell waits in memory until the end.
func writeListTable(w *bufio.Writer, set *profiles.Set) {
	if len(set.Profiles) == 0 {
		writeNoProfiles(w, set.Files)
		return
	}
	var lw listWidths
	for i, c := range listHeader {
		lw.cols[i] = len(c)
	}
	var mu sync.Mutex
	eachPart(set.Profiles, func(part []*profiles.Profile) {
		var own listWidths
		own.measure(part)
		mu.Lock()
		defer mu.Unlock()
		for i, c := range own.cols {
			lw.cols[i] = max(lw.cols[i], c)
		}
		lw.broken += own.broken
	})
	const gap = 2
	pad := strings.Repeat(" ", slices.Max(lw.cols[:])+gap)
	padTo := func(b []byte, col, width int) []byte { return append(b, pad[:lw.cols[col]+gap-width]...) }
	var head []byte
	for i, c := range listHeader {
		head = padTo(append(head, c...), i, len(c))
	}
	w.Write(append(head, "PROBLEM\n"...))
	writeRows(w, set.Profiles, func(b []byte, _ int, p *profiles.Profile, _ *[]string) []byte {
		var n int
		b, n = appendClean(b, p.Name)
		b = padTo(b, 0, n)
		b = padTo(append(b, p.Kind...), 1, len(p.Kind))
		b, n = appendChain(b, p)
		b = padTo(b, 2, n)
		b, n = appendClean(b, dash(p.AccountID()))
		b = padTo(b, 3, n)
		b, n = appendClean(b, dash(p.Region()))
		b = padTo(b, 4, n)
		if p.Err != nil {
			b, _ = appendClean(b, p.Err.Error())
		} else {
			b = append(b, '-')
		}
		return append(b, '\n')
	})
	fmt.Fprintf(w, "\n%d %s", len(set.Profiles), plural(len(set.Profiles), "profile", "profiles"))
	if lw.broken > 0 {
		fmt.Fprintf(w, ", %d with %s", lw.broken, plural(lw.broken, "a problem", "problems"))
	}
	fmt.Fprintf(w, " (config %s, credentials %s)\n", termsafe.Clean(describeFile(set.Files.Config, set.Files.ConfigExists)),
		termsafe.Clean(describeFile(set.Files.Credentials, set.Files.CredentialsExists)))
}

func describeFile(path string, exists bool) string {
	if !exists {
		return path + ": not found"
	}
	return path
}

// writeNoProfiles explains where rolecall looked and how to start.
func writeNoProfiles(w io.Writer, f profiles.Files) {
	if !f.ConfigExists && !f.CredentialsExists {
		fmt.Fprintf(w, "No AWS config found: neither %s nor %s exists.\n", termsafe.Clean(f.Config), termsafe.Clean(f.Credentials))
	} else {
		fmt.Fprintf(w, "No profiles in %s or %s.\n", termsafe.Clean(f.Config), termsafe.Clean(f.Credentials))
	}
	fmt.Fprint(w, "Create one with `aws configure` (access keys) or `aws configure sso`,\n"+
		"add role profiles ([profile name] with role_arn and source_profile) to the config file,\n"+
		"or point --config / --credentials (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) at your files.\n")
}
