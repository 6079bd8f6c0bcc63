package mattermost

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
)

// limits of one post: Mattermost takes 16,383 characters of message; a
// post carries the item cards as attachments.
var limits = bot.MessageLimits{MaxBlocks: 30, MaxChars: 12000, MaxBlockChars: 4000, MinInterval: 200 * time.Millisecond}

var (
	reMarkdown = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "[", `\[`, "]", `\]`,
		"|", `\|`, "<", `\<`, ">", `\>`)
	reLineStart = regexp.MustCompile(`(?m)^(\s*)([-+#=]|\d+\.)`)
	reMention   = regexp.MustCompile(`@([A-Za-z0-9])`)
)

// escape makes user text literal in Mattermost's markdown: formatting
// characters are escaped, lines cannot become lists or headings, and an @
// is followed by a zero-width space so that no mention (@channel, @all,
// @someone) is triggered.
func escape(s string) string {
	s = reMarkdown.Replace(s)
	s = reLineStart.ReplaceAllString(s, `$1\$2`)
	return reMention.ReplaceAllString(s, "@\u200b$1")
}

// noMentions breaks @-mentions in plain text (notifications' fallback).
func noMentions(s string) string { return reMention.ReplaceAllString(s, "@\u200b$1") }

// firstCard returns the index of the first block with buttons: blocks
// before it make the post's text, the rest its attachments, in order.
func firstCard(r bot.Reply) int {
	for i, bl := range r.Blocks {
		if len(bl.Buttons) > 0 {
			return i
		}
	}
	return len(r.Blocks)
}

// message renders the reply's text and leading blocks as markdown.
func message(r bot.Reply) string {
	var b strings.Builder
	if r.Text != "" {
		if r.Error {
			b.WriteString(":warning: ")
		}
		b.WriteString(escape(r.Text))
	}
	for _, bl := range r.Blocks[:firstCard(r)] {
		writeBlock(&b, bl)
	}
	return strings.TrimSpace(b.String())
}

// markdown renders the whole reply as markdown, buttons left out: the
// state of a message where only text can go.
func markdown(r bot.Reply) string {
	var b strings.Builder
	if r.Text != "" {
		if r.Error {
			b.WriteString(":warning: ")
		}
		b.WriteString(escape(r.Text))
	}
	for _, bl := range r.Blocks {
		writeBlock(&b, bl)
	}
	return strings.TrimSpace(b.String())
}

func writeBlock(b *strings.Builder, bl bot.Block) {
	if bl.Heading != "" {
		b.WriteString("\n\n**" + escape(bl.Heading) + "**")
	}
	if bl.Text != "" {
		b.WriteString("\n" + escape(bl.Text))
	}
	for _, f := range bl.Fields {
		b.WriteString("\n**" + escape(f.Label) + ":** " + escape(f.Value))
	}
	if bl.Note != "" {
		b.WriteString("\n_" + escape(bl.Note) + "_")
	}
}

// actionContext is what a button carries back: the workspace (a click in
// a DM names no team), the action, its item, the message's view, whether
// the message is ephemeral (the server stores no such post, so it cannot
// be updated), and a signature over them with this message's nonce.
func (a *Adapter) actionContext(ws string, btn bot.Button, view string, eph bool, n string) map[string]any {
	e := ephemeralFlag(eph)
	return map[string]any{"ws": ws, "action": btn.Action, "value": btn.Value, "view": view, "eph": e, "nonce": n,
		"sig": a.sign.mac("action", ws, btn.Action, btn.Value, view, e, n)}
}

// ephemeralFlag is the context's "eph" value.
func ephemeralFlag(eph bool) string {
	if eph {
		return "1"
	}
	return ""
}

// attachments renders the blocks from the first one with buttons on, one
// attachment each: item cards with their actions, headings and notes
// between them as plain cards. eph marks a message only its reader sees.
func (a *Adapter) attachments(ws string, r bot.Reply, eph bool) []*model.SlackAttachment {
	n := nonce()
	var out []*model.SlackAttachment
	for i := firstCard(r); i < len(r.Blocks); i++ {
		bl := r.Blocks[i]
		var text strings.Builder
		writeBlock(&text, bl)
		att := &model.SlackAttachment{Text: strings.TrimSpace(text.String()),
			Fallback: noMentions(bot.Clip(strings.TrimSpace(bl.Heading+" "+bl.Text), 100))}
		for j, btn := range bl.Buttons {
			act := &model.PostAction{Id: fmt.Sprintf("b%da%d", i, j), Type: model.PostActionTypeButton, Name: btn.Label,
				Integration: &model.PostActionIntegration{URL: a.cfg.PublicURL + "/mattermost/actions", Context: a.actionContext(ws, btn, r.View, eph, n)}}
			switch {
			case btn.UserSelect:
				act.Type, act.DataSource, act.Name = model.PostActionTypeSelect, model.PostActionDataSourceUsers, btn.Label+"…"
			case btn.Style == "primary":
				act.Style = "primary"
			case btn.Style == "danger":
				act.Style = "danger"
			}
			att.Actions = append(att.Actions, act)
		}
		out = append(out, att)
	}
	return out
}

// post renders a reply as a post for workspace ws (channel id left to the
// caller).
func (a *Adapter) post(ws string, r bot.Reply) *model.Post {
	p := &model.Post{Message: message(r)}
	if atts := a.attachments(ws, r, false); len(atts) > 0 {
		p.AddProp(model.PostPropsAttachments, atts)
	}
	if r.DeliveryKey != "" {
		p.AddProp(deliveryProp, r.DeliveryKey)
	}
	if p.Message == "" && len(p.GetProps()) == 0 {
		p.Message = " "
	}
	return p
}

// replacement renders a reply as the new state of a post: it carries
// exactly the attachments of that state, an empty list when nothing is
// left to click (a post updated without attachments keeps its old ones).
func (a *Adapter) replacement(ws string, r bot.Reply, eph bool) *model.Post {
	p := &model.Post{Message: message(r)}
	atts := a.attachments(ws, r, eph)
	if atts == nil {
		atts = []*model.SlackAttachment{}
	}
	p.AddProp(model.PostPropsAttachments, atts)
	if r.DeliveryKey != "" {
		p.AddProp(deliveryProp, r.DeliveryKey)
	}
	if p.Message == "" && len(atts) == 0 {
		p.Message = " "
	}
	return p
}

// commandResponse renders a reply as a slash command's answer in ws.
func (a *Adapter) commandResponse(ws string, r bot.Reply) *model.CommandResponse {
	typ := model.CommandResponseTypeEphemeral
	if r.Visibility == bot.InChannel {
		typ = model.CommandResponseTypeInChannel
	}
	return &model.CommandResponse{ResponseType: typ, Text: message(r), Attachments: a.attachments(ws, r, typ == model.CommandResponseTypeEphemeral),
		SkipSlackParsing: true}
}

// Dialog limits (Mattermost refuses a dialog that breaks them).
const (
	dialogTitleMax    = 24
	dialogLabelMax    = 24
	dialogHelpMax     = 150
	dialogTextMax     = 150
	dialogTextareaMax = 3000
	dialogPlaceholder = "2026-11-30, 11/30/26, friday, Pending…"
)

// dialog renders a form as an interactive dialog. A value too long for a
// dialog cannot be edited there: ok is false.
func dialog(f *bot.Form) (d model.Dialog, ok bool) {
	d = model.Dialog{CallbackId: f.ID, Title: bot.Clip(f.Title, dialogTitleMax), SubmitLabel: f.Submit}
	for _, ff := range f.Fields {
		el := model.DialogElement{Name: ff.Key, DisplayName: bot.Clip(ff.Label, dialogLabelMax), Optional: ff.Optional,
			HelpText: bot.Clip(ff.Hint, dialogHelpMax), Default: ff.Value}
		switch {
		case ff.Kind == bot.FieldSelect:
			el.Type = "select"
			for _, o := range ff.Options {
				el.Options = append(el.Options, &model.PostActionOptions{Text: o.Label, Value: o.Value})
			}
			if !hasOption(ff.Options, ff.Value) {
				el.Type, el.Options = "text", nil // a value the list lacks (a multi-state meeting)
			}
		case ff.Kind == bot.FieldUser:
			el.Type, el.DataSource = "select", model.PostActionDataSourceUsers
		case ff.Kind == bot.FieldDate && isISODate(ff.Value):
			// A date picker; it sends YYYY-MM-DD.
			el.Type, el.MinDate, el.MaxDate = "date", ff.MinDate, ff.MaxDate
		case ff.Kind == bot.FieldTextarea:
			el.Type, el.MaxLength = "textarea", dialogTextareaMax
		default: // text, and a date held as Pending or written as free text
			el.Type, el.MaxLength = "text", dialogTextMax
			if ff.Kind == bot.FieldDate {
				el.Placeholder = dialogPlaceholder
			}
			if len([]rune(ff.Value)) > dialogTextMax {
				el.Type, el.MaxLength = "textarea", dialogTextareaMax
			}
		}
		if el.Type == "text" || el.Type == "textarea" {
			if len([]rune(ff.Value)) > dialogTextareaMax {
				return model.Dialog{}, false
			}
		}
		d.Elements = append(d.Elements, el)
	}
	return d, true
}

// isISODate reports whether s is empty or a YYYY-MM-DD date: what a date
// element shows.
func isISODate(s string) bool {
	_, err := bot.ParseISODate(s)
	return err == nil
}

func hasOption(opts []bot.Option, v string) bool {
	if v == "" {
		return true
	}
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
