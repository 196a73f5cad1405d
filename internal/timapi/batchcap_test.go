package timapi

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBatchCapSteps(t *testing.T) {
	cases := []struct {
		name       string
		start      int
		documented []int
		refusals   []int // sizes refused, in order
		want       int
	}{
		{"300 finds 100", 300, ImportCaps, []int{300}, 100},
		{"300 finds 20 in two refusals", 300, ImportCaps, []int{300, 100}, 20},
		{"below the smallest documented cap it halves", 300, ImportCaps, []int{300, 100, 20, 10}, 5},
		{"a size between documented caps steps to the next one below", 250, ImportCaps, []int{250}, 100},
		{"a refusal of a size above the current one changes nothing", 300, ImportCaps, []int{300, 300}, 100},
		{"delete: 100 halves", 100, DeleteCaps, []int{100}, 50},
		{"never below one", 2, nil, []int{2, 1}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBatchCap(tc.start, tc.documented)
			for _, n := range tc.refusals {
				b.Refused(n)
			}
			if got, _ := b.Size(); got != tc.want {
				t.Fatalf("size = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBatchCapConfirmation(t *testing.T) {
	b := NewBatchCap(300, ImportCaps)
	if _, ok := b.Size(); ok {
		t.Fatal("a new cap is confirmed")
	}
	b.Accepted(40, false) // a short batch with more to come says nothing about 300
	if _, ok := b.Size(); ok {
		t.Fatal("confirmed by a batch smaller than the size")
	}
	b.Accepted(40, true) // but one that held everything left to send does
	if size, ok := b.Size(); !ok || size != 300 {
		t.Fatalf("Size = %d, %v; want 300, confirmed", size, ok)
	}
	b.Refused(300)
	b.Accepted(100, false)
	if size, ok := b.Size(); !ok || size != 100 {
		t.Fatalf("Size = %d, %v; want 100, confirmed", size, ok)
	}
	b.Refused(100) // the server lowered its cap: probe again
	if size, ok := b.Size(); ok || size != 20 {
		t.Fatalf("Size = %d, %v; want 20, unconfirmed", size, ok)
	}

	// While unconfirmed, a second probe waits for the first, and gives up
	// when its context ends.
	unlock, err := b.Probe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.Probe(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second probe while the first holds it: %v, want the context's deadline", err)
	}
	unlock()
	unlock, err = b.Probe(t.Context())
	if err != nil {
		t.Fatalf("probe after the first released it: %v", err)
	}
	b.Accepted(20, false)
	unlock()
	// Confirmed: probes no longer wait for each other.
	u1, _ := b.Probe(t.Context())
	u2, err := b.Probe(ctx)
	if err != nil {
		t.Fatalf("probe of a confirmed cap waited: %v", err)
	}
	u1()
	u2()
}

// Callers that waited for a probe which then confirmed the size go on
// together, not one after another.
func TestBatchCapWaitersGoTogetherOnceConfirmed(t *testing.T) {
	b := NewBatchCap(20, ImportCaps)
	unlock, err := b.Probe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	const waiters = 3
	inside := make(chan func(), waiters)
	for range waiters {
		go func() {
			u, err := b.Probe(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			inside <- u // held until all are inside
		}()
	}
	b.Accepted(20, false)
	unlock()
	var held []func()
	timeout := time.After(5 * time.Second)
	for len(held) < waiters {
		select {
		case u := <-inside:
			held = append(held, u)
		case <-timeout:
			t.Fatalf("%d of %d waiters got through at once; the others still wait for the probe", len(held), waiters)
		}
	}
	for _, u := range held {
		u()
	}
}
