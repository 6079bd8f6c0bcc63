package bot

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. An adapter maps a code to its platform: an HTTP status, an
// ephemeral reply, a field error in a form.
const (
	ECONFLICT       = "conflict"        // the change clashes with existing data
	EINTERNAL       = "internal"        // a bug or an outage; details are logged, never shown
	EINVALID        = "invalid"         // the input is malformed or fails validation
	ENOTFOUND       = "not_found"       // the thing asked for does not exist
	EUNAUTHORIZED   = "unauthorized"    // the caller may not do this
	EUNAVAILABLE    = "unavailable"     // a platform or dependency is down; try again
	ENOTIMPLEMENTED = "not_implemented" // known feature that this build does not offer
)

// Error is a domain error. Message is written for the end user; Fields holds
// per-field messages for forms (field name -> message).
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("getback error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that no detail leaks to the user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on our side; it has been logged. Please try again."
}

// ErrorFields returns the per-field messages of err if it is (or wraps)
// an *Error that has them, for a form to show next to its fields; nil
// otherwise.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields
	}
	return nil
}

// FieldErrors collects per-field validation messages and turns them into
// one EINVALID *Error.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns nil when no field failed, or an EINVALID *Error whose message
// lists every failure in field order.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + f[k]
	}
	fields := make(map[string]string, len(f))
	for k, v := range f {
		fields[k] = v
	}
	return &Error{Code: EINVALID, Message: strings.Join(parts, "; "), Fields: fields}
}
