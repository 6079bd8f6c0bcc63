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

// Validate checks a batch for workspace ws before a store writes it:
// every new meeting belongs to ws and is valid, and every getback created
// or changed on its own is valid. It sets those getbacks' workspace to ws
// (an importer leaves it to the store).
func (b *ImportBatch) Validate(ws string) error {
	for _, m := range b.Create {
		if m.Workspace != ws {
			return Errorf(EINVALID, "meeting of workspace %q in an import into %q", m.Workspace, ws)
		}
		if err := m.Validate(); err != nil {
			return err
		}
	}
	for _, gs := range [][]*Getback{b.NewGetbacks, b.ChangedGetbacks} {
		for _, g := range gs {
			g.Workspace = ws
			if err := g.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// ImportAudit is the audit entry (entity "import", action "create") of
// what one import batch created: the ids of its meetings and getbacks, as
// runs of consecutive ids. A store writes it in the batch's transaction
// instead of an entry per row: the rows' content at creation is the
// content stored or, once changed, the "before" of the change's own entry,
// and a second copy of every imported row doubled the size of the
// database and the time of an import.
type ImportAudit struct {
	Meetings IDRuns `json:",omitempty"`
	Getbacks IDRuns `json:",omitempty"`
}

// IDRuns lists ids as runs of consecutive ones, each [first, last].
type IDRuns [][2]int64

// Add appends id, extending the last run when it follows on.
func (r IDRuns) Add(id int64) IDRuns {
	if n := len(r); n > 0 && r[n-1][1]+1 == id {
		r[n-1][1] = id
		return r
	}
	return append(r, [2]int64{id, id})
}

// Count is the number of ids in the runs.
func (r IDRuns) Count() int {
	n := 0
	for _, run := range r {
		n += int(run[1]-run[0]) + 1
	}
	return n
}
