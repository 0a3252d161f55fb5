package session

import (
	"regexp"
	"strconv"
	"time"
)

// maxSessionName is STS's limit on RoleSessionName.
const maxSessionName = 64

var notSessionNameChar = regexp.MustCompile(`[^\w+=,.@-]`)

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
	if user = notSessionNameChar.ReplaceAllString(user, "_"); user != "" {
		name += "-" + user
	}
	if len(name)+len(suffix) > maxSessionName {
		name = name[:maxSessionName-len(suffix)]
	}
	return name + suffix
}
