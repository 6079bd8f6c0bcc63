package bot

// StateDay is a state and a meeting day: what an importer looks stored
// meetings up by to find near-duplicates of a row.
type StateDay struct {
	State string
	Date  Date
}

// ImportLookup asks a store for the meetings an import batch may repeat.
type ImportLookup struct {
	Groups []string   // meetings imported under one of these source key groups
	Days   []StateDay // meetings tagged with one of these states on its date
	IDs    []int64    // meetings with these ids
	// Skip leaves out meetings with ids in these ranges (first and last
	// included): those the import created itself, which it knows already.
	Skip [][2]int64
}

// ImportBatch is what one transaction of a spreadsheet import writes: new
// meetings (with their getbacks), changes to stored meetings, and getbacks
// created or changed on their own. A store writes all of it, with its
// audit entries, in one transaction, or nothing.
type ImportBatch struct {
	// Create holds new meetings; each one's Getbacks are created with it.
	// A getback's CreatedAt, when set, is kept as the instant it was
	// opened (an item of a meeting held years ago was opened then).
	Create []*Meeting
	// Update holds changes to stored meetings.
	Update []ImportUpdate
	// NewGetbacks are created on their own, linked to MeetingID when set.
	NewGetbacks []*Getback
	// ChangedGetbacks replace the stored items of the same ID, every field
	// as given (status, owner, dates and note included).
	ChangedGetbacks []*Getback
}

// ImportUpdate is a change to one stored meeting and the getbacks it adds.
type ImportUpdate struct {
	ID       int64
	Update   MeetingUpdate // AddGetbacks is not used; see Getbacks
	Getbacks []*Getback
}

// IsEmpty reports whether the batch writes nothing.
func (b *ImportBatch) IsEmpty() bool {
	return len(b.Create) == 0 && len(b.Update) == 0 && len(b.NewGetbacks) == 0 && len(b.ChangedGetbacks) == 0
}
