package slack

import (
	"fmt"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/getbackhq/getback/bot"
)

// Limits of a Slack message (Block Kit) and of chat.postMessage's pace.
var limits = bot.MessageLimits{MaxBlocks: 50, MaxChars: 12000, MaxBlockChars: 3000, MinInterval: time.Second}

// escape makes text safe for mrkdwn: no mentions, links or channel
// references can be smuggled in (those all need < and >).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, clipRunes(s, 3000), false, false)
}

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, clipRunes(s, 3000), false, true)
}

// Action ids carry the getback action and the item: "getback.done|7"; the
// block id carries the message's view: "b3|/getback list mine".
func actionID(b bot.Button) string { return b.Action + "|" + b.Value }

func parseActionID(id string) (action, value string) {
	action, value, _ = strings.Cut(id, "|")
	return action, value
}

func blockID(i int, view string) string { return clipRunes(fmt.Sprintf("b%d|%s", i, view), 255) }

func viewOf(blockID string) string {
	_, view, _ := strings.Cut(blockID, "|")
	return view
}

// blocks renders a reply as Block Kit. User text goes into plain_text
// objects (never interpreted); headings and fields are escaped mrkdwn.
func blocks(r bot.Reply) []slackgo.Block {
	var out []slackgo.Block
	if r.Text != "" {
		text := escape(r.Text)
		if r.Error {
			text = ":warning: " + text
		}
		out = append(out, slackgo.NewSectionBlock(mrkdwn(text), nil, nil))
	}
	for i, b := range r.Blocks {
		if b.Heading != "" {
			out = append(out, slackgo.NewSectionBlock(mrkdwn("*"+escape(clipRunes(b.Heading, 2900))+"*"), nil, nil))
		}
		if b.Text != "" {
			out = append(out, slackgo.NewSectionBlock(plain(b.Text), nil, nil))
		}
		if len(b.Fields) > 0 {
			var fields []*slackgo.TextBlockObject
			for _, f := range b.Fields {
				if len(fields) == 10 {
					out = append(out, slackgo.NewSectionBlock(nil, fields, nil))
					fields = nil
				}
				fields = append(fields, mrkdwn(clipRunes("*"+escape(f.Label)+"*\n"+escape(f.Value), 2000)))
			}
			out = append(out, slackgo.NewSectionBlock(nil, fields, nil))
		}
		if b.Note != "" {
			out = append(out, slackgo.NewContextBlock("", plain(b.Note)))
		}
		if len(b.Buttons) > 0 {
			var els []slackgo.BlockElement
			for _, btn := range b.Buttons {
				if btn.UserSelect {
					sel := slackgo.NewOptionsSelectBlockElement(slackgo.OptTypeUser, plain(btn.Label+"…"), actionID(btn))
					els = append(els, sel)
					continue
				}
				be := slackgo.NewButtonBlockElement(actionID(btn), btn.Value, plain(btn.Label))
				switch btn.Style {
				case "primary":
					be.Style = slackgo.StylePrimary
				case "danger":
					be.Style = slackgo.StyleDanger
				}
				els = append(els, be)
			}
			out = append(out, slackgo.NewActionBlock(blockID(i, r.View), els...))
		}
	}
	if len(out) == 0 {
		out = append(out, slackgo.NewSectionBlock(plain(" "), nil, nil))
	}
	return out
}

// fallback is the notification text of a reply.
func fallback(r bot.Reply) string {
	if r.Text != "" {
		return clipRunes(escape(r.Text), 3000)
	}
	return clipRunes(escape(strings.TrimSpace(r.PlainText())), 3000)
}

// response is the JSON of a slash command's answer.
type response struct {
	ResponseType string         `json:"response_type"`
	Text         string         `json:"text"`
	Blocks       slackgo.Blocks `json:"blocks"`
}

// message renders a reply as a slash command's answer, showing uploaded
// pictures (files) in image blocks.
func message(r bot.Reply, files ...slackFile) *response {
	typ := slackgo.ResponseTypeEphemeral
	if r.Visibility == bot.InChannel {
		typ = slackgo.ResponseTypeInChannel
	}
	return &response{ResponseType: typ, Text: fallback(r), Blocks: slackgo.Blocks{BlockSet: withImages(blocks(r), r, files)}}
}

// webhook renders a reply for a response_url.
func webhook(r bot.Reply, replace bool, files ...slackFile) *slackgo.WebhookMessage {
	m := message(r, files...)
	return &slackgo.WebhookMessage{ResponseType: m.ResponseType, Text: m.Text, Blocks: &m.Blocks, ReplaceOriginal: replace}
}

// formCallback is the callback id of getback's modals.
const formCallback = "getback.form"

// modal renders a form as a Slack modal. The form id and the channel to
// answer in travel in private_metadata.
func modal(f *bot.Form, channel string) slackgo.ModalViewRequest {
	v := slackgo.ModalViewRequest{Type: slackgo.VTModal, Title: plain(clipRunes(f.Title, 24)),
		Submit: plain(clipRunes(f.Submit, 24)), Close: plain("Cancel"), CallbackID: formCallback,
		PrivateMetadata: f.ID + "\n" + channel}
	for _, ff := range f.Fields {
		var el slackgo.BlockElement
		switch {
		case ff.Kind == bot.FieldSelect:
			var opts []*slackgo.OptionBlockObject
			var initial *slackgo.OptionBlockObject
			for _, o := range ff.Options {
				ob := slackgo.NewOptionBlockObject(o.Value, plain(o.Label), nil)
				opts = append(opts, ob)
				if o.Value == ff.Value {
					initial = ob
				}
			}
			sel := slackgo.NewOptionsSelectBlockElement(slackgo.OptTypeStatic, plain("Choose…"), ff.Key, opts...)
			sel.InitialOption = initial
			el = sel
		case ff.Kind == bot.FieldUser:
			sel := slackgo.NewOptionsSelectBlockElement(slackgo.OptTypeUser, plain("Choose someone…"), ff.Key)
			sel.InitialUser = ff.Value
			el = sel
		case ff.Kind == bot.FieldDate && (ff.Value == "" || isISODate(ff.Value)):
			dp := slackgo.NewDatePickerBlockElement(ff.Key)
			dp.InitialDate = ff.Value
			el = dp
		default: // text, textarea, and a date held as "Pending"
			in := slackgo.NewPlainTextInputBlockElement(nil, ff.Key)
			in.Multiline = ff.Kind == bot.FieldTextarea
			in.InitialValue = ff.Value
			if ff.MaxLength > 0 {
				in.MaxLength = ff.MaxLength
			}
			el = in
		}
		var hint *slackgo.TextBlockObject
		if ff.Hint != "" {
			hint = plain(ff.Hint)
		}
		ib := slackgo.NewInputBlock(ff.Key, plain(clipRunes(ff.Label, 2000)), hint, el)
		ib.Optional = ff.Optional
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, ib)
	}
	return v
}

func isISODate(s string) bool {
	_, err := bot.ParseISODate(s)
	return err == nil
}

// formValues reads a submitted modal's values by field key.
func formValues(state *slackgo.ViewState) map[string]string {
	out := map[string]string{}
	if state == nil {
		return out
	}
	for blockID, actions := range state.Values {
		for _, a := range actions {
			switch {
			case a.SelectedUser != "":
				out[blockID] = a.SelectedUser
			case a.SelectedDate != "":
				out[blockID] = a.SelectedDate
			case a.SelectedOption.Value != "":
				out[blockID] = a.SelectedOption.Value
			default:
				out[blockID] = a.Value
			}
		}
	}
	return out
}
