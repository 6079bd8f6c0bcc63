package calllog

import (
	"strings"
	"testing"
	"time"
)

func TestCallsAreKeptAndCountedByKey(t *testing.T) {
	var l Log[string]
	l.Add("chat.postMessage", "hello")
	l.Add("response/1", "answer")
	l.KeepCalls(false)
	l.Add("response/2", "dropped")
	if l.Keeping() {
		t.Fatal("still keeping calls after KeepCalls(false)")
	}
	l.KeepCalls(true)
	l.Add("response/1", "again")
	got := l.Calls(func(c string) bool { return c != "hello" })
	if strings.Join(got, ",") != "answer,again" {
		t.Fatalf("calls %v", got)
	}
	if n := l.Count("response/"); n != 3 {
		t.Fatalf("%d responses counted, want 3 (counts are kept while calls are not)", n)
	}
	if each := l.CountEach("response/"); each["response/1"] != 2 || each["response/2"] != 1 || len(each) != 2 {
		t.Fatalf("counts %v", each)
	}
	if calls := l.WaitFor(func(string) bool { return true }, 9, 10*time.Millisecond); len(calls) != 3 {
		t.Fatalf("WaitFor gave up with %v", calls)
	}
}
