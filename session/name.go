package session

import (
	"strconv"
	"strings"
	"time"
)

// maxSessionName is STS's limit on RoleSessionName.
const maxSessionName = 64

// The character rules of IAM and STS names, as functions rather than
// regular expressions compiled when the program starts: every command
// would pay for them, and few need one.

// nameChar reports whether r may appear in a role session name, a
// federated user's name or a role name: [\w+=,.@-].
func nameChar(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.ContainsRune("_+=,.@-", r)
}

// asNameChars replaces each character of s that nameChar refuses with _.
func asNameChars(s string) string {
	return strings.Map(func(r rune) rune {
		if nameChar(r) {
			return r
		}
		return '_'
	}, s)
}

// isRoleName reports whether s is a role name: 1 to 64 of [\w+=,.@-].
func isRoleName(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && strings.IndexFunc(s, func(r rune) bool { return !nameChar(r) }) < 0
}

// isAccountID reports whether s is an account id: 12 digits.
func isAccountID(s string) bool {
	return len(s) == 12 && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// sessionName is the profile's role_session_name, or a readable default
// that names who assumed the role and when, as CloudTrail shows it.
func sessionName(configured string, getenv func(string) string, now time.Time) string {
	if configured != "" {
		return configured
	}
	return defaultSessionName(getenv, now)
}

func defaultSessionName(getenv func(string) string, now time.Time) string {
	user := ""
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if user = getenv(k); user != "" {
			break
		}
	}
	suffix := "-" + strconv.FormatInt(now.Unix(), 10)
	name := "rolecall"
	if user = asNameChars(user); user != "" {
		name += "-" + user
	}
	if len(name)+len(suffix) > maxSessionName {
		name = name[:maxSessionName-len(suffix)]
	}
	return name + suffix
}
