package session

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEachHopAsksItsOwnLifetime: in a chain, every role but the last asks
// STS for its own profile's duration_seconds (the default hour when it
// sets none); the last asks for the profile's; a chained role gets an
// hour at most.
func TestEachHopAsksItsOwnLifetime(t *testing.T) {
	w := newWorld(t)
	w.write(worldConfig+"\n[profile fromlong]\nrole_arn = arn:aws:iam::111111111111:role/fromlong\nsource_profile = long\n"+
		"\n[profile fromdev]\nrole_arn = arn:aws:iam::111111111111:role/fromdev\nsource_profile = dev\nduration_seconds = 900\n", worldCreds)
	for profile, want := range map[string][]string{
		"fromlong": {"43200", "3600"}, // long's own 12 hours, then the chained default
		"fromdev":  {"3600", "900"},   // dev's default hour, then its own 15 minutes
	} {
		if _, err := w.manager(nil, Options{}).Assume(ctx, profile); err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		var got []string
		for _, c := range w.sts.Calls() {
			got = append(got, c.Form["DurationSeconds"])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the hops asked for %v seconds, want %v", profile, got, want)
		}
	}
}

// TestChainedHourIsNoCap: a chained role that asks for an hour, the most
// STS grants a chained role, gets it with no note about a cap.
func TestChainedHourIsNoCap(t *testing.T) {
	w := newWorld(t)
	w.write(strings.Replace(worldConfig, "duration_seconds = 7200", "duration_seconds = 3600", 1), worldCreds)
	s, err := w.manager(nil, Options{}).Assume(ctx, "chained")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 0 {
		t.Errorf("notes %q for a chained role asking one hour", s.Notes)
	}
}

// TestDurationForKeysSaysWhichKeys: --duration on a profile of keys
// says it does not apply, and whether the keys are long-term or
// temporary.
func TestDurationForKeysSaysWhichKeys(t *testing.T) {
	w := newWorld(t)
	w.write(worldConfig, worldCreds+"\n[temp]\naws_access_key_id = ASIATEMPKEYS00000001\naws_secret_access_key = s\naws_session_token = t\n")
	for profile, want := range map[string]string{
		"user": "its credentials come from the long-term keys of profile user",
		"temp": "its credentials come from temporary keys in profile temp",
	} {
		_, err := w.manager(nil, Options{Duration: time.Hour}).Assume(ctx, profile)
		if !IsUsage(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a usage error saying %q", profile, err, want)
		}
	}
}

// TestUsersOwnDeviceIsOneMFASession: an IAM user with an mfa_serial of
// its own gets one MFA session, and no role of a chain from it sends a
// code again.
func TestUsersOwnDeviceIsOneMFASession(t *testing.T) {
	const z = "arn:aws:iam::999999999999:mfa/z"
	w := newWorld(t)
	w.write(worldConfig+"\n[profile viaz]\nrole_arn = arn:aws:iam::111111111111:role/viaz\nsource_profile = mfauser\n"+
		"\n[profile viaz2]\nrole_arn = arn:aws:iam::111111111111:role/viaz2\nsource_profile = viaz\n", worldCreds)
	m := w.manager(nil, Options{})
	pl, err := m.Plan("viaz2")
	if err != nil {
		t.Fatal(err)
	}
	if want := []MFAStep{{Serial: z, Profile: "mfauser", Session: true, Hop: -1}}; !slices.Equal(pl.MFA, want) {
		t.Errorf("MFA steps %+v, want %+v", pl.MFA, want)
	}
	if _, err := m.Assume(ctx, "viaz2", WithMFACode(z, "123456")); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range w.sts.Calls() {
		codes = append(codes, c.Action+":"+c.Form["TokenCode"])
	}
	if want := []string{"GetSessionToken:123456", "AssumeRole:", "AssumeRole:"}; !slices.Equal(codes, want) {
		t.Errorf("calls %v, want %v", codes, want)
	}
}
