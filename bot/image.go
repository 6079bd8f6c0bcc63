package bot

// Image is a picture that travels with a reply: the digest's coverage map
// and getback trend. Adapters upload it with the message (Slack, Mattermost)
// or write it to a file (console).
type Image struct {
	// Name is a file name, unique within the reply:
	// "region-9-coverage-2026-W48.png".
	Name string
	// Title is shown with the picture: "Region 9 coverage, week 2026-W48".
	Title string
	// Alt says in words what the picture shows (the same facts), for screen
	// readers and clients that show no images.
	Alt string
	PNG []byte
}
