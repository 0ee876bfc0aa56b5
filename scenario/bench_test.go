package scenario

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkThroughput runs the 20 scenarios of throughput.yaml, one at a
// time and with the default pool; scenarios/s is the figure to compare.
func BenchmarkThroughput(b *testing.B) {
	f, err := Load("../testdata/scenarios/throughput.yaml")
	if err != nil {
		b.Fatal(err)
	}
	tg := target(b, f.Profile)
	for _, jobs := range []int{1, 0} {
		b.Run("jobs="+strconv.Itoa(jobs), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, r := range RunAll(context.Background(), f, []Target{tg}, Options{Jobs: jobs}) {
					if !r.Passed {
						b.Fatalf("%s: %v", r.Scenario.Name, r.Failures)
					}
				}
			}
			b.ReportMetric(float64(len(f.Scenarios)*b.N)/b.Elapsed().Seconds(), "scenarios/s")
		})
	}
}
