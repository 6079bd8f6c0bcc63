package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/getbackhq/getback/bot"
)

// OutboxCounter reports the outbox's size per state.
type OutboxCounter interface {
	OutboxCounts(ctx context.Context) (map[string]int, error)
}

// Metrics are getback's Prometheus metrics.
type Metrics struct {
	reg      *prometheus.Registry
	commands *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	sends    *prometheus.CounterVec
	requests *prometheus.CounterVec
}

// NewMetrics registers the metrics; outbox gauges are read from the store
// at each scrape.
func NewMetrics(outbox OutboxCounter) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "getback_commands_total",
			Help: "Commands run, by platform, command and outcome (ok, error, late)."}, []string{"platform", "command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "getback_command_duration_seconds",
			Help:    "Time from receiving a command to its answer.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"platform", "command"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "getback_outbox_sends_total",
			Help: "Outbox delivery attempts by kind (remind, digest, assign, mention) and outcome (sent, retry, rate_limited, dead)."},
			[]string{"kind", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "getback_http_requests_total",
			Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
	}
	reg.MustRegister(m.commands, m.latency, m.sends, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&outboxCollector{store: outbox, desc: prometheus.NewDesc("getback_outbox_items",
			"Outbox items by state: pending, sent, dead (gave up) and skipped (missed while down).", []string{"status"}, nil)})
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// CommandObserver returns the callback an adapter reports commands to.
func (m *Metrics) CommandObserver(platform string) func(command string, took time.Duration, outcome string) {
	return func(command string, took time.Duration, outcome string) {
		m.commands.WithLabelValues(platform, command, outcome).Inc()
		m.latency.WithLabelValues(platform, command).Observe(took.Seconds())
	}
}

// ObserveSend counts an outbox attempt; it fits bot.Sender.Observe.
func (m *Metrics) ObserveSend(it *bot.OutboxItem, outcome string) {
	kind, _, _ := strings.Cut(it.Key, ":")
	m.sends.WithLabelValues(kind, outcome).Inc()
}

type outboxCollector struct {
	store OutboxCounter
	desc  *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	if c.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.OutboxCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), status)
	}
}
