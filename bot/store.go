package bot

// Store is every service getback persists through, one interface per
// concern; storage/sqlite and storage/postgres implement it, and the
// command runner uses nearly all of it. The running parts ask for less:
// the Sender for a SenderStore, the Scheduler for a SchedulerStore, the
// Reporter for a ReporterStore.
type Store interface {
	MeetingService
	GetbackService
	PersonService
	RegionService
	AuditService
	OutboxService
	CheckpointService
	TrendService
}
