package ssofake

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// federation is the console's federation endpoint.
func (f *Fake) federation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("Action") {
	case "getSigninToken":
		var s struct {
			ID    string `json:"sessionId"`
			Key   string `json:"sessionKey"`
			Token string `json:"sessionToken"`
		}
		err := json.Unmarshal([]byte(q.Get("Session")), &s)
		f.record("getSigninToken", map[string]string{"sessionId": s.ID, "sessionDuration": q.Get("SessionDuration")})
		f.mu.Lock()
		f.signins = append(f.signins, SessionKeys{s.ID, s.Key, s.Token})
		refuse := f.RefuseSignin
		f.mu.Unlock()
		if err != nil || s.ID == "" || s.Key == "" || s.Token == "" || (refuse != nil && refuse(s.ID)) {
			// The real endpoint answers 400 with an HTML page.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "<html><body>Bad Request</body></html>")
			return
		}
		tok := "fake-signin-token-" + randomHex(32)
		f.mu.Lock()
		f.signinOK[tok] = true
		f.mu.Unlock()
		writeJSON(w, map[string]string{"SigninToken": tok})
	case "login":
		f.record("login", map[string]string{"issuer": q.Get("Issuer"), "destination": q.Get("Destination")})
		f.mu.Lock()
		ok := f.signinOK[q.Get("SigninToken")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "<html><body>Bad sign-in token</body></html>")
			return
		}
		fmt.Fprintf(w, "<html><body>Signed in; the console would open %s</body></html>\n", htmlEscape(q.Get("Destination")))
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintln(w, "<html><body>Unknown action</body></html>")
	}
}
