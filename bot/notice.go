package bot

import "context"

// NoticeFunc builds the posts a change causes, such as the DMs that tell
// new owners of their items, from the change's stored result: the
// getbacks created or changed (with their ids) and, when the change was
// to a meeting, that meeting.
type NoticeFunc func(gbs []*Getback, m *Meeting) []*OutboxItem

type noticeKey struct{}

// WithNotices returns a context whose changes of meetings and getbacks
// (CreateMeeting, UpdateMeeting, CreateGetback, UpdateGetback) also queue
// the posts fn builds, in the change's own transaction: a change and the
// notices it causes are committed together, or neither is.
func WithNotices(ctx context.Context, fn NoticeFunc) context.Context {
	return context.WithValue(ctx, noticeKey{}, fn)
}

// NoticesFrom returns the context's NoticeFunc, or nil. Stores call it
// once per change, after the change is written and before it commits.
func NoticesFrom(ctx context.Context) NoticeFunc {
	fn, _ := ctx.Value(noticeKey{}).(NoticeFunc)
	return fn
}
