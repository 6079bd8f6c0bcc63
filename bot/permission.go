package bot

// CanEditMeeting reports whether a may edit or delete m: its creator or an
// admin.
func CanEditMeeting(a Actor, m *Meeting) bool {
	return a.Admin || (a.UserID != "" && a.UserID == m.CreatedBy)
}

// CanChangeGetback reports whether a may close, reopen, reassign, snooze or
// re-date g: its owner (directly or through a label mapped to a), its
// assigner, or an admin. labels are the owner labels mapped to a.
func CanChangeGetback(a Actor, g *Getback, labels []string) bool {
	if a.Admin || a.UserID == "" {
		return a.Admin
	}
	if g.AssignedBy == a.UserID {
		return true
	}
	if g.OwnerKind == OwnerUser {
		return g.Owner == a.UserID
	}
	for _, l := range labels {
		if l == g.Owner {
			return true
		}
	}
	return false
}
