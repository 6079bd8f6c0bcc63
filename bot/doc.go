// Package bot is getback's domain. It imports no chat SDK and no database
// driver; the adapters, the command language and the stores import it.
//
// It holds three kinds of things:
//
//   - Domain types and their rules: meetings and the getback items they
//     produce (and the extraction of GETBACK markers from meeting notes),
//     people, regions and the state table, dates, the outbox item, the
//     audit entry, errors with a code and a message for the end user, and
//     the platform-neutral reply model (Reply and its blocks) that commands
//     and digests produce and every adapter renders.
//   - Service interfaces that other packages implement: one per concern
//     for storage (MeetingService, GetbackService, PersonService,
//     RegionService, AuditService, OutboxService, CheckpointService,
//     TrendService), composed as Store, which storage/sqlite and
//     storage/postgres implement; and Messenger for a chat platform, with
//     the optional Updater and DeliveryChecker.
//   - Running parts built on those interfaces: the Sender delivers the
//     outbox, the Scheduler plans the daily reminders and weekly digests,
//     and the Reporter builds them. Each declares the narrow store it uses
//     (SenderStore, SchedulerStore, ReporterStore); any Store is all three.
//
// The running parts stay in this package. They depend on nothing but the
// types and interfaces above (the Sender adds errgroup, the Reporter the
// drawing of bot/picture), so there is no outside system to name a package
// after, which is how benbjohnson/wtf places code that is not the domain
// (sqlite, http, inmem). In a package of their own they would read
// bot.OutboxItem, bot.Target and bot.ErrorCode on every line, for callers
// (cmd/getback, the tests) that would write outbox.Sender instead of
// bot.Sender and read no better; the Scheduler also shares the reminder
// rules with the Reporter. The reply model is domain data, not a running
// part: the outbox stores it and Messenger.Post takes it, so it belongs
// here. Should one of the running parts take on an outside dependency, or
// the package outgrow a single read, the Sender moves first: it uses only
// exported names.
package bot
