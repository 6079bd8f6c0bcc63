package commands

import (
	"sort"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// usages holds the usage line of every subcommand, keyed "command sub".
var usages = map[string]string{
	"meeting add":      `/meeting add state:Nevada date:2026-11-20 location:"Las Vegas" poc:@ana attendees:"..." discussion:"..." concerns:"..." followup:"GETBACK (1): ... RD FORAC." awareness:"..." action:"..." next:"Dec 5" notes:"..."  (no arguments opens a form)`,
	"meeting list":     `/meeting list [region:9] [state:Nevada] [since:2026-11-01] [until:2026-11-30] [mine] [page:2]`,
	"meeting show":     `/meeting show 42`,
	"meeting edit":     `/meeting edit 42 field:value ...  (no fields opens the form)`,
	"meeting delete":   `/meeting delete 42`,
	"meeting search":   `/meeting search "fusion center" [page:2]`,
	"meeting import":   `getback import FILE  (on the server; importing from chat is not available yet)`,
	"getback add":      `/getback add @owner "what is owed" [due:friday] [meeting:42]   (or owner:ITF for a team label; "by Friday" in the text sets the due date too)`,
	"getback list":     `/getback list [mine|overdue|done|all] [@user] [owner:ITF] [region:9] [meeting:42] [page:2]`,
	"getback show":     `/getback show 7`,
	"getback done":     `/getback done 7 ["note"]`,
	"getback cancel":   `/getback cancel 7 ["reason"]`,
	"getback reopen":   `/getback reopen 7`,
	"getback reassign": `/getback reassign 7 @user`,
	"getback due":      `/getback due 7 monday   (or: /getback due 7 none)`,
	"getback snooze":   `/getback snooze 7 [until:monday]   (default: tomorrow)`,
	"getback remind":   `/getback remind at:08:30 | off | on | days:mon-fri   (no arguments shows your settings)`,
	"getback owner":    `/getback owner ITF @bob | /getback owner ITF none | /getback owner   (admins map team labels to people)`,
	"digest preview":   `/digest preview [region:9] [week:2026-11-23]`,
	"digest post":      `/digest post region:9 [week:2026-11-23]`,
	"digest config":    `/digest config region:9|leadership channel:#region-9 tz:Pacific/Honolulu day:monday hour:9 [coverage:4]`,
	"digest states":    `/digest states [region:9] | /digest states Guam region:9   (admins override the built-in table)`,
}

var subcommands = map[string][]string{
	"meeting": {"add", "list", "show", "edit", "delete", "search", "import"},
	"getback": {"add", "list", "show", "done", "cancel", "reopen", "reassign", "due", "snooze", "remind", "owner"},
	"digest":  {"preview", "post", "config", "states"},
}

var commandIntro = map[string]string{
	"meeting": "Log and find meetings with state and territorial officials.",
	"getback": "Track GETBACK items: what is owed, by whom, by when.",
	"digest":  "Weekly regional digests.",
}

// Usage returns the usage line of "command sub", or "" if unknown.
func Usage(cmdSub string) string { return usages[cmdSub] }

// commandOrder is the order commands are listed in help.
var commandOrder = []string{"meeting", "getback", "digest"}

// overview names the three commands, one line each.
func overview() string {
	var b strings.Builder
	for _, c := range commandOrder {
		b.WriteString("/" + c + " — " + commandIntro[c] + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// helpText returns the usage of one command ("meeting") or of everything.
func helpText(command string) string {
	cmds := commandOrder
	if command != "" {
		cmds = []string{command}
	}
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("/" + c + "\n")
		for _, sub := range subcommands[c] {
			b.WriteString("  " + usages[c+" "+sub] + "\n")
		}
	}
	if command == "" || command == "meeting" || command == "getback" {
		b.WriteString("\nDates: 2026-11-30, 11/30/2026 (month first), 11/30/26, 30-Nov, Dec 5, today, tomorrow, friday, next week, in 3 days." +
			" A due or snooze date points forward: friday is the next Friday after today.\n" +
			"Quote values with spaces: \"Las Vegas\", “Las Vegas”, 'Las Vegas' or ‘Las Vegas’.\n")
	}
	return b.String()
}

// Help is the answer to help, to a command without a subcommand (/getback,
// /getback help) and to a direct message saying "help": the three commands
// one line each, then the usage of command ("meeting", "getback",
// "digest"), or of all three when command is "". problem, when set, leads
// as an error (an unknown subcommand).
func (r *Runner) Help(command, problem string) bot.Reply {
	rep := bot.Reply{Text: "getback — meetings, follow-ups (GETBACK items), reminders and digests."}
	if problem != "" {
		rep.Text, rep.Error = problem, true
	}
	heading := "Usage"
	if command != "" {
		heading = "Usage of /" + command
	}
	rep.Blocks = []bot.Block{{Text: overview()}, {Heading: heading, Text: r.styled(helpText(command))}}
	if command != "" {
		var others []string
		for _, c := range commandOrder {
			if c != command {
				others = append(others, "/"+c+" help")
			}
		}
		rep.Blocks[1].Note = "The others: " + strings.Join(others, ", ") + "."
	}
	return rep
}

// meetingFieldHelp lists the meeting field keys.
func meetingFieldHelp() string {
	keys := append([]string(nil), meetingKeys()...)
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// DirectMessage is the answer to a direct message to the bot: getback
// reads commands, not messages, so it answers with help, "help" or not.
func (r *Runner) DirectMessage(text string) bot.Reply {
	rep := r.Help("", "")
	word := strings.Trim(strings.ToLower(strings.TrimSpace(text)), "/?!. ")
	if word != "help" && word != "" {
		rep.Text = "I answer commands, not messages; these work in any channel (help shows this again)."
	}
	return rep
}
