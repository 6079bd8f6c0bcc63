package sheet

import (
	"context"
	"fmt"

	"github.com/getbackhq/getback/bot"
)

// checkpointer is a store whose imports leave work that can run beside
// the next batch to the importer: copying the write-ahead log into the
// database (storage/sqlite), merging the search index's pending entries
// (storage/postgres).
type checkpointer interface {
	CheckpointImport(ctx context.Context) error
}

// write is a checked batch on its way to the store, with the lines it
// came from and the export's ids of the meetings it creates; or, with
// synced set, a request to close synced once every batch before it is
// stored.
type write struct {
	batch       *bot.ImportBatch
	first, last int
	refs        []string
	synced      chan struct{}
}

// send hands a batch to the writer (in a dry run, drops it).
func (run *importRun) send(w write) error {
	if run.DryRun || (w.batch != nil && w.batch.IsEmpty()) {
		return nil
	}
	select {
	case run.writes <- w:
		return nil
	case <-run.ctx.Done():
		return run.ctx.Err()
	}
}

// sync waits until every batch sent so far is stored.
func (run *importRun) sync() error {
	if run.DryRun {
		return nil
	}
	done := make(chan struct{})
	if err := run.send(write{synced: done}); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-run.ctx.Done():
		return run.ctx.Err()
	}
}

// appendRange adds the ids first to last to ranges, joining it to the last
// range when they follow on.
func appendRange(ranges [][2]int64, first, last int64) [][2]int64 {
	if n := len(ranges); n > 0 && ranges[n-1][1]+1 == first {
		ranges[n-1][1] = last
		return ranges
	}
	return append(ranges, [2]int64{first, last})
}

// checkpoint copies the store's write-ahead log into the database each
// time a batch is stored (one copy at a time; a batch stored meanwhile is
// taken by the next), and once more at the end.
func (run *importRun) checkpoint(ctx context.Context, cp checkpointer, checkpoints <-chan struct{}) error {
	for range checkpoints {
		if err := cp.CheckpointImport(ctx); err != nil {
			return err
		}
	}
	if cp != nil && !run.DryRun {
		return cp.CheckpointImport(ctx)
	}
	return nil
}

// store writes the checked batches in order, one transaction each, and
// records the ids of the meetings they created.
func (run *importRun) store(ctx context.Context, writes <-chan write, cp checkpointer, checkpoints chan<- struct{}) error {
	for w := range writes {
		if w.synced != nil {
			close(w.synced)
			continue
		}
		if err := run.Store.ApplyImport(ctx, run.Workspace, w.batch); err != nil {
			return fmt.Errorf("store rows %d to %d: %w", w.first, w.last, err)
		}
		if cp != nil {
			select {
			case checkpoints <- struct{}{}:
			default: // one is running; it takes this batch too
			}
		}
		run.mu.Lock()
		if n := len(w.batch.Create); n > 0 {
			run.created = appendRange(run.created, w.batch.Create[0].ID, w.batch.Create[n-1].ID)
		}
		for i, ref := range w.refs {
			if ref != "" {
				run.refIDs[ref] = w.batch.Create[i].ID
			}
		}
		run.mu.Unlock()
	}
	return nil
}
