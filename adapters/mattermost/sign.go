package mattermost

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// signer signs what getback hands out to Mattermost and must trust when it
// comes back without a token: button contexts and dialog states.
type signer struct{ key []byte }

func newSigner(secret string) signer {
	sum := sha256.Sum256([]byte("getback mattermost signing key\x00" + secret))
	return signer{key: sum[:]}
}

func (s signer) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s signer) ok(sig string, parts ...string) bool {
	return hmac.Equal([]byte(sig), []byte(s.mac(parts...)))
}

// nonce returns a fresh random value: each rendered message gets its own,
// so a signature is good for one message's buttons only.
func nonce() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dialogState is the signed state of an open dialog: which form, where it
// was opened, by whom, and until when it may be submitted.
func (s signer) dialogState(formID, channel, user string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return strings.Join([]string{formID, channel, user, exp, s.mac("dialog", formID, channel, user, exp)}, "\n")
}

// checkDialogState verifies a state for user and returns its form and
// channel.
func (s signer) checkDialogState(state, user string, now time.Time) (formID, channel string, ok bool) {
	parts := strings.Split(state, "\n")
	if len(parts) != 5 || parts[2] != user {
		return "", "", false
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || now.Unix() > exp || !s.ok(parts[4], "dialog", parts[0], parts[1], parts[2], parts[3]) {
		return "", "", false
	}
	return parts[0], parts[1], true
}
