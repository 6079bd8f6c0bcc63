package bot

// Store is every service getback persists through; storage/sqlite
// implements it.
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
