package provider

import (
	"fmt"
	"time"
)

// timeoutNames are the operations a protocol resource's timeouts name.
var timeoutNames = []string{"create", "read", "update", "delete"}

// timeoutsValue is a timeouts object.
type timeoutsValue struct {
	p   presence
	ops [4]wireString // in timeoutNames order
}

var timeoutsObject = newObject(func(t *timeoutsValue) *presence { return &t.p }, timeoutAttrs()...)

func timeoutAttrs() []field[timeoutsValue] {
	attrs := make([]field[timeoutsValue], len(timeoutNames))
	for i, op := range timeoutNames {
		attrs[i] = stringAttr(op, optional, fmt.Sprintf("How long %s may take, as a duration such as `30m` or `1h`. Defaults to `%dm`.", op, int(defaultTimeout(op).Minutes())),
			func(t *timeoutsValue) *wireString { return &t.ops[i] }, checkDuration)
	}
	return attrs
}

func checkDuration(s string, _ *checks) *problem {
	if d, err := time.ParseDuration(s); err != nil || d <= 0 {
		return &problem{"Invalid timeout", fmt.Sprintf("%q is not a positive duration; use a value such as \"30m\" or \"1h\".", s)}
	}
	return nil
}

func defaultTimeout(op string) time.Duration {
	if op == "read" {
		return 10 * time.Minute
	}
	return 30 * time.Minute
}

// timeouts is the value as a map from operation to duration text.
func (t timeoutsValue) durations() map[string]string {
	if t.p != isKnown {
		return nil
	}
	m := make(map[string]string, len(timeoutNames))
	for i, op := range timeoutNames {
		if s := t.ops[i].value(); s != "" {
			m[op] = s
		}
	}
	return m
}

func timeoutsFrom(m map[string]string) timeoutsValue {
	if m == nil {
		return timeoutsValue{}
	}
	t := timeoutsValue{p: isKnown}
	for i, op := range timeoutNames {
		if s := m[op]; s != "" {
			t.ops[i] = known(s)
		}
	}
	return t
}
