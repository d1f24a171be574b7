package fuzz

import (
	"testing"
	"testing/synctest"
)

func FuzzServerPipeline(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// In a bubble the server's timeouts run on a fake clock, and a
		// hang, or a goroutine left behind, fails the test.
		synctest.Test(t, func(t *testing.T) {
			if err := CheckPipeline(data); err != nil {
				t.Fatal(err)
			}
		})
	})
}
