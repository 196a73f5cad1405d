package members

import (
	"slices"
	"testing"
)

func TestQueue(t *testing.T) {
	items := []int{1, 2, 3, 4, 5, 6, 7}
	q := NewQueue(items)
	steps := []struct {
		take     int
		giveBack bool
		want     []int
	}{
		{take: 3, want: []int{1, 2, 3}, giveBack: true}, // refused: comes back first
		{take: 2, want: []int{1, 2}},
		{take: 2, want: []int{3}}, // the rest of the returned chunk, not mixed with new items
		{take: 2, want: []int{4, 5}},
		{take: 0, want: []int{6}}, // sizes below one mean one
		{take: 5, want: []int{7}},
		{take: 5, want: nil},
	}
	for i, s := range steps {
		got := q.Take(s.take)
		if !slices.Equal(got, s.want) {
			t.Fatalf("step %d: Take(%d) = %v, want %v", i, s.take, got, s.want)
		}
		if s.giveBack {
			q.GiveBack(got)
		}
	}
}

// FuzzQueue: whatever is taken and given back, every item is handed out
// exactly once among the chunks that were not given back.
func FuzzQueue(f *testing.F) {
	f.Add(uint16(10), []byte{3, 0x83, 2, 5})
	f.Fuzz(func(t *testing.T, n uint16, ops []byte) {
		items := make([]int, int(n)%2000)
		for i := range items {
			items[i] = i
		}
		q := NewQueue(items)
		var kept []int
		for _, op := range ops {
			chunk := q.Take(int(op & 0x7f))
			if chunk == nil {
				break
			}
			if op&0x80 != 0 {
				q.GiveBack(chunk)
				continue
			}
			kept = append(kept, chunk...)
		}
		for chunk := q.Take(7); chunk != nil; chunk = q.Take(7) {
			kept = append(kept, chunk...)
		}
		slices.Sort(kept)
		if !slices.Equal(kept, items) {
			t.Fatalf("handed out %d items, want each of %d once", len(kept), len(items))
		}
	})
}
