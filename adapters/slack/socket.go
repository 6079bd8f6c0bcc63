package slack

import (
	"context"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives commands, clicks and events over Socket Mode (no
// public URL needed) until ctx ends, reconnecting after failures. Each
// delivery is acknowledged with the same answer the HTTP endpoints give.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	client := socketmode.New(a.api)
	runErr := make(chan error, 1)
	go func() {
		backoff := time.Second
		for {
			err := client.RunContext(ctx)
			if ctx.Err() != nil {
				runErr <- nil
				return
			}
			a.log.Error("socket mode connection failed; retrying", "err", err, "in", backoff)
			select {
			case <-ctx.Done():
				runErr <- nil
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Minute)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return <-runErr
		case evt, ok := <-client.Events:
			if !ok {
				return <-runErr
			}
			a.socketEvent(ctx, client, evt)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		var err error
		if payload == nil {
			err = client.Ack(*evt.Request)
		} else {
			err = client.Ack(*evt.Request, payload)
		}
		if err != nil {
			a.log.Error("socket mode ack failed", "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("socket mode connected")
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("socket mode: the app token was refused")
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slackgo.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		a.work.Go(ctx, func(ctx context.Context) {
			if msg := a.command(ctx, sc); msg != nil {
				ack(msg)
			} else {
				ack(nil)
			}
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackgo.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		a.work.Go(ctx, func(ctx context.Context) { ack(a.interaction(ctx, cb)) })
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		ack(nil)
		a.work.Go(ctx, func(ctx context.Context) { a.event(ctx, ev) })
	}
}
