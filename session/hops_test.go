package session

import (
	"slices"
	"testing"
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
