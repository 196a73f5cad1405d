package timapi

import "testing"

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
	b.Accepted(40) // a short last batch says nothing about 300
	if _, ok := b.Size(); ok {
		t.Fatal("confirmed by a batch smaller than the size")
	}
	b.Refused(300)
	b.Accepted(100)
	if size, ok := b.Size(); !ok || size != 100 {
		t.Fatalf("Size = %d, %v; want 100, confirmed", size, ok)
	}
	b.Refused(100) // the server lowered its cap: probe again
	if size, ok := b.Size(); ok || size != 20 {
		t.Fatalf("Size = %d, %v; want 20, unconfirmed", size, ok)
	}
	unlock := b.Probe()
	done := make(chan struct{})
	go func() { b.Probe()(); close(done) }()
	select {
	case <-done:
		t.Fatal("a second probe ran while the first held the cap")
	default:
	}
	b.Accepted(20)
	unlock()
	<-done
	b.Probe()() // confirmed: no lock taken
}
