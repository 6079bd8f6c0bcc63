package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// User is a chat user as the platform describes them.
type User struct {
	ID      string
	Name    string // handle, e.g. "ana"
	Display string // display name, e.g. "Ana Lopez"; may be empty
	TZ      string // IANA zone, "" when unknown
	Admin   bool   // a workspace or system admin on the platform
	Bot     bool
}

// Label returns the best name to show for u.
func (u User) Label() string {
	if u.Display != "" {
		return u.Display
	}
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

// Target is where a message goes: a channel, or a user's direct messages.
type Target struct {
	Workspace string
	Channel   string // channel id; empty for a DM
	User      string // user id for a DM
}

// String renders the target for logs.
func (t Target) String() string {
	if t.User != "" {
		return "dm:" + t.User
	}
	return "channel:" + t.Channel
}

// MessageRef identifies a posted message so it can be updated.
type MessageRef struct {
	Channel string
	ID      string // Slack ts, Mattermost post id
}

// Messenger is what the Sender needs from a chat platform: how long one
// message may be, and a way to post it. Each adapter implements it, and
// may implement DeliveryChecker, which the Sender discovers by type
// assertion. Updating a posted message (Updater) and finding users and
// channels (commands.Directory) are asked of an adapter by the code that
// needs them, not through Messenger.
type Messenger interface {
	// Limits bounds one message; longer replies are split before Post.
	Limits() MessageLimits
	// Post sends one message (that fits Limits) and returns its reference.
	Post(ctx context.Context, to Target, r Reply) (MessageRef, error)
}

// Updater is implemented by messengers that can replace a message posted
// earlier, such as the message whose button a user pressed.
type Updater interface {
	Update(ctx context.Context, ws string, ref MessageRef, r Reply) error
}

// DeliveryChecker is implemented by messengers that can tell whether a
// message carrying a delivery key reached its target since a moment: after
// a crash between a post and its record, the sender asks before posting
// again, so that nothing is sent twice.
type DeliveryChecker interface {
	Delivered(ctx context.Context, to Target, key string, since time.Time) (MessageRef, bool, error)
}

// Channel is a chat channel.
type Channel struct {
	ID   string
	Name string
}

// SendError is a failed delivery with the platform's advice on retrying.
type SendError struct {
	// RetryAfter is the wait the platform asked for (HTTP 429), or 0.
	RetryAfter time.Duration
	// Permanent failures (a deleted channel, a bad token) are not retried.
	Permanent bool
	Err       error
}

// Error implements error.
func (e *SendError) Error() string {
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("rate limited, retry after %s: %v", e.RetryAfter, e.Err)
	case e.Permanent:
		return fmt.Sprintf("permanent failure: %v", e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// AsSendError returns err's *SendError, or one wrapping err as transient.
func AsSendError(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Err: err}
}
