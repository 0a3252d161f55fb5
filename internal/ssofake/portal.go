package ssofake

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// bearer checks the portal's access token header.
func (f *Fake) bearer(w http.ResponseWriter, r *http.Request) bool {
	tok := r.Header.Get("x-amz-sso_bearer_token")
	f.mu.Lock()
	exp, ok := f.tokens[tok]
	f.mu.Unlock()
	if !ok || !f.now().Before(exp) {
		apiError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return false
	}
	return true
}

func (f *Fake) account(id string) *Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.Accounts {
		if f.Accounts[i].ID == id {
			a := f.Accounts[i]
			return &a
		}
	}
	return nil
}

func (f *Fake) roleCredentials(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("GetRoleCredentials", map[string]string{"accountId": q.Get("account_id"), "roleName": q.Get("role_name")})
	if !f.bearer(w, r) {
		return
	}
	a := f.account(q.Get("account_id"))
	if a == nil || !contains(a.Roles, q.Get("role_name")) {
		apiError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	f.mu.Lock()
	ttl, issue := f.RoleTTL, f.Issue
	f.mu.Unlock()
	if ttl == 0 {
		ttl = time.Hour
	}
	var c Creds
	if issue != nil {
		c = issue(a.ID, q.Get("role_name"), ttl)
	} else {
		c = Creds{AccessKeyID: "ASIASSOFAKE" + strings.ToUpper(randomHex(5)), SecretAccessKey: "sso-fake-secret-" + randomHex(12),
			SessionToken: "sso-fake-token-" + randomHex(24), Expires: f.now().Add(ttl).Truncate(time.Second)}
	}
	writeJSON(w, map[string]any{"roleCredentials": map[string]any{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey,
		"sessionToken": c.SessionToken, "expiration": c.Expires.UnixMilli()}})
}

// page cuts one page out of n items at next_token.
func (f *Fake) page(q url.Values, n int) (start, end int, next string, ok bool) {
	size := f.PageSize
	if size == 0 {
		size = 2
	}
	if m, err := strconv.Atoi(q.Get("max_result")); err == nil && m > 0 && m < size {
		size = m
	}
	if t := q.Get("next_token"); t != "" {
		s, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil || s < 0 || s > n {
			return 0, 0, "", false
		}
		start = s
	}
	end = min(start+size, n)
	if end < n {
		next = "page-" + strconv.Itoa(end)
	}
	return start, end, next, true
}

func (f *Fake) listAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("ListAccounts", map[string]string{"nextToken": q.Get("next_token")})
	if !f.bearer(w, r) {
		return
	}
	f.mu.Lock()
	accts := append([]Account(nil), f.Accounts...)
	f.mu.Unlock()
	sort.Slice(accts, func(i, j int) bool { return accts[i].ID < accts[j].ID })
	start, end, next, ok := f.page(q, len(accts))
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestException", "bad next token")
		return
	}
	list := []map[string]string{}
	for _, a := range accts[start:end] {
		list = append(list, map[string]string{"accountId": a.ID, "accountName": a.Name, "emailAddress": a.Email})
	}
	out := map[string]any{"accountList": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, out)
}

func (f *Fake) listRoles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("ListAccountRoles", map[string]string{"accountId": q.Get("account_id"), "nextToken": q.Get("next_token")})
	if !f.bearer(w, r) {
		return
	}
	a := f.account(q.Get("account_id"))
	if a == nil {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "no such account")
		return
	}
	start, end, next, ok := f.page(q, len(a.Roles))
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestException", "bad next token")
		return
	}
	list := []map[string]string{}
	for _, role := range a.Roles[start:end] {
		list = append(list, map[string]string{"roleName": role, "accountId": a.ID})
	}
	out := map[string]any{"roleList": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, out)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
