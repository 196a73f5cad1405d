package emulator

import (
	"math"

	"golang.org/x/time/rate"
)

// commandRates is the one table of documented per-command rates, in calls
// per second per app ("最高调用频率", tencent-im-api.md 1.4; api-fidelity.md
// #4 and 2.7). The entry with an empty command is the service's default;
// get_appid_group_list is the one group command below it ("1次/秒").
var commandRates = map[string]map[string]float64{
	serviceGroup: {
		"":                     200, // every group API page
		"get_appid_group_list": 1,
	},
	serviceLogin: {
		"account_import":      200,
		"multiaccount_import": 100,
		"account_check":       100,
		"account_delete":      100,
	},
}

// commandRateCode is the code an over-rate call is answered with: the group
// service's "operation frequency limited", or the common "REST call
// frequency exceeded" for the login service, which has no own code.
var commandRateCode = map[string]int{serviceGroup: 10006, serviceLogin: 60007}

// documentedRate is the documented rate of a command (false: none).
func documentedRate(service, command string) (float64, bool) {
	rates := commandRates[service]
	if r, ok := rates[command]; ok {
		return r, true
	}
	r, ok := rates[""]
	return r, ok
}

// rateKey names a limiter: an app's command, or (command "") the app's
// RateLimit over all commands.
type rateKey struct {
	app              uint64
	service, command string
}

// allowCall applies Settings.RateLimit and then the command's documented
// rate (scaled by CommandRateScale). A call refused by the first does not
// use up the second. known says whether the command exists: unknown names
// get no limiter of their own, so they cannot grow the map.
func (e *Emulator) allowCall(st Settings, appID uint64, service, command string, known bool) *apiError {
	if st.RateLimit > 0 && !e.limiter(rateKey{app: appID}, float64(st.RateLimit)).Allow() {
		return codeErr(10006)
	}
	if !known || st.CommandRateScale < 0 {
		return nil
	}
	perSecond, ok := documentedRate(service, command)
	if !ok {
		return nil
	}
	if !e.limiter(rateKey{appID, service, command}, perSecond*st.CommandRateScale).Allow() {
		code := commandRateCode[service]
		return errf(code, "%s: call frequency of %s exceeds its limit of %g/s", infoFor(code), command, perSecond*st.CommandRateScale)
	}
	return nil
}

// limiter returns the limiter for key, made at perSecond with a burst of
// one second's worth (the docs give calls per second, not a burst). It runs
// on the real clock, not Options.Now, so a frozen test clock does not freeze
// it.
func (e *Emulator) limiter(key rateKey, perSecond float64) *rate.Limiter {
	e.limMu.Lock()
	defer e.limMu.Unlock()
	l := e.limiters[key]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(perSecond), max(1, int(math.Ceil(perSecond))))
		e.limiters[key] = l
	}
	return l
}

// resetLimiters drops all limiters: a new rate starts with full buckets
// rather than inheriting debt.
func (e *Emulator) resetLimiters() {
	e.limMu.Lock()
	defer e.limMu.Unlock()
	clear(e.limiters)
}
