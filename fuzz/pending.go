package fuzz

import (
	_ "embed"
	"fmt"

	"github.com/conformhttp/conform/differential"
)

// pendingText is pending.txt: disagreements between our parser and other
// implementations that fuzzing found, that are intended (each entry says
// why, with its RFC section), and that are reported to the owner of
// differential/known.txt but not yet listed there. The format is
// known.txt's (differential.ParseKnown).
//
//go:embed pending.txt
var pendingText string

// KnownDifferences returns the differential's list of known differences
// followed by the entries of pending.txt. TestPendingStillPending fails
// once the differential's list covers an entry, so that it is removed
// here.
func KnownDifferences() (*differential.KnownList, error) {
	known, err := differential.LoadKnown()
	if err != nil {
		return nil, err
	}
	pending, err := differential.ParseKnown("pending.txt", pendingText)
	if err != nil {
		return nil, fmt.Errorf("fuzz/pending.txt: %w", err)
	}
	return &differential.KnownList{Entries: append(known.Entries, pending.Entries...)}, nil
}
