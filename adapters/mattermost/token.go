package mattermost

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// RequestToken returns the slash command token a request carries: in the
// Authorization header ("Token …"), as Mattermost sends it, or else in
// the form's token field.
func RequestToken(r *http.Request, form url.Values) string {
	if tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Token "); tok != "" {
		return tok
	}
	return form.Get("token")
}

// CommandTokenOK reports whether tok is one of the configured command
// tokens, comparing in constant time. The adapter checks every command
// with it; the load tool's token-only baseline does too.
func CommandTokenOK(tok string, tokens []string) bool {
	ok := 0
	for _, t := range tokens {
		if t != "" {
			ok |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
		}
	}
	return ok == 1 && tok != ""
}
