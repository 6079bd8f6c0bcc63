package mattermost

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
)

// APIError is a failed call to the Mattermost API as getback reports it:
// the server's message and error id, never its detailed error, which can
// echo the token that was refused ("token=…").
type APIError struct {
	// What getback was doing ("read team \"acme\"").
	What    string
	Status  int
	ID      string
	Message string
	// Err is the transport failure when the server did not answer.
	Err error
}

// Error implements error.
func (e *APIError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.What, e.Err)
	case e.Status == http.StatusUnauthorized:
		return fmt.Sprintf("%s: Mattermost refused the token (HTTP 401: %s): it is invalid, expired or revoked", e.What, e.Message)
	}
	return fmt.Sprintf("%s: %s (HTTP %d, %s)", e.What, e.Message, e.Status, e.ID)
}

// Unwrap returns the transport failure, if any.
func (e *APIError) Unwrap() error { return e.Err }

// apiError turns a Client4 failure into an *APIError; nil stays nil.
func apiError(what string, resp *model.Response, err error) error {
	if err == nil {
		return nil
	}
	out := &APIError{What: what}
	var ae *model.AppError
	switch {
	case errors.As(err, &ae):
		out.Status, out.ID, out.Message = ae.StatusCode, ae.Id, ae.Message
		if out.Status == 0 && resp != nil {
			out.Status = resp.StatusCode
		}
		if out.Message == "" {
			out.Message = http.StatusText(out.Status)
		}
	case resp != nil && resp.StatusCode != 0:
		out.Status, out.Message = resp.StatusCode, http.StatusText(resp.StatusCode)
	default:
		out.Err = err
	}
	return out
}
