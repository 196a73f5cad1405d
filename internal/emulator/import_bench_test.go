package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tencentim/terraform-provider-tencentim/internal/usersig"
)

// BenchmarkImportGroupMember300 is one import_group_member request of 300
// members through the whole handler, as the provider sends it.
func BenchmarkImportGroupMember300(b *testing.B) {
	const app, key = 1400000000, "bench-key"
	e := New(Options{Settings: Settings{ImportCap: 300, CommandRateScale: -1}}) // the provider's batch, unthrottled
	e.AddApp(app, key, "administrator")
	var body bytes.Buffer
	body.WriteString(`{"GroupId":"@TGS#bench","MemberList":[`)
	var ids []string
	for i := range 300 {
		id := fmt.Sprintf("user%06d", i)
		ids = append(ids, id)
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"Member_Account":%q,"JoinTime":1700000000}`, id)
	}
	body.WriteString(`]}`)
	e.AddAccounts(app, ids...)
	sig, err := usersig.Generate(app, key, "administrator", 24*time.Hour, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("/v4/group_open_http_svc/import_group_member?sdkappid=%d&identifier=administrator&usersig=%s&random=1&contenttype=json", app, sig)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		_ = e.DeleteGroup(app, "@TGS#bench")
		if _, err := e.AddGroup(app, Group{ID: "@TGS#bench", Type: "Public", Owner: "owner", CreateTime: 1}); err != nil {
			b.Fatal(err)
		}
		e.ResetStats()
		b.StartTimer()
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body.Bytes())))
		if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"ErrorCode":0`)) {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
}
