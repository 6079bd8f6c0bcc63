package mattermosttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// The fake's administration API: what `getback mattermost setup` calls
// (teams, slash commands, the bot account and its access tokens), with
// tokens that say who is calling.

// SetToken makes token authenticate userID (by default every token is the
// bot's).
func (s *Server) SetToken(token, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = userID
}

// RefuseToken makes the server answer 401 to token, as a real server
// answers an invalid or revoked one: its detailed error echoes the token.
func (s *Server) RefuseToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = ""
}

// AddTeam makes a team known by name.
func (s *Server) AddTeam(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teams[name] = id
}

// Commands returns the team's slash commands.
func (s *Server) Commands() []*model.Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*model.Command(nil), s.commands...)
}

// AccessTokens returns a user's access tokens, revoked ones included
// (IsActive false).
func (s *Server) AccessTokens(userID string) []*model.UserAccessToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.UserAccessToken
	for _, t := range s.accessTokens {
		if t.UserId == userID {
			c := *t
			out = append(out, &c)
		}
	}
	return out
}

// defaultRoles are the system roles a fresh server has, as far as the
// fake needs them: system_user lacks create_post_ephemeral, and so does
// system_post_all (the bot accounts' "post:all").
func defaultRoles() map[string]*model.Role {
	return map[string]*model.Role{
		model.SystemUserRoleId:    {Id: "role_user", Name: model.SystemUserRoleId, Permissions: []string{"create_direct_channel", "create_group_channel", "view_members"}},
		model.SystemPostAllRoleId: {Id: "role_post_all", Name: model.SystemPostAllRoleId, Permissions: []string{"create_post", "upload_file", "use_channel_mentions", "use_group_mentions"}},
		model.SystemAdminRoleId:   {Id: "role_admin", Name: model.SystemAdminRoleId},
	}
}

// can reports whether a user's system roles grant a permission (a system
// admin may do anything).
func (s *Server) can(userID, permission string) bool {
	u := s.user(func(u *model.User) bool { return u.Id == userID })
	if u == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range strings.Fields(u.Roles) {
		if name == model.SystemAdminRoleId {
			return true
		}
		if r, ok := s.roles[name]; ok {
			for _, p := range r.Permissions {
				if p == permission {
					return true
				}
			}
		}
	}
	return false
}

// Role returns a system role by name.
func (s *Server) Role(name string) *model.Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roles[name]
	if !ok {
		return nil
	}
	c := *r
	c.Permissions = append([]string(nil), r.Permissions...)
	return &c
}

// caller returns the user a request's token authenticates, or false (and
// a 401 answer) for a refused token.
func (s *Server) caller(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok := r.Header.Get("Authorization")
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = tok[7:]
	}
	s.mu.Lock()
	id, known := s.tokens[tok]
	if !known {
		for _, t := range s.accessTokens {
			if t.Token == tok {
				id, known = t.UserId, true
				if !t.IsActive {
					id = ""
				}
			}
		}
	}
	s.mu.Unlock()
	if !known {
		return BotID, true
	}
	if id == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(&model.AppError{Id: "api.context.session_expired.app_error",
			Message: "Invalid or expired session, please login again.", DetailedError: "token=" + tok, StatusCode: http.StatusUnauthorized})
		return "", false
	}
	return id, true
}

// serveAdmin answers the administration calls; it reports whether the
// request was one.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, body []byte, reply func(any)) bool {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v4/teams/name/") && r.Method == http.MethodGet:
		name := strings.TrimPrefix(p, "/api/v4/teams/name/")
		s.mu.Lock()
		id, ok := s.teams[name]
		s.mu.Unlock()
		if !ok {
			appError(w, http.StatusNotFound, "app.team.get_by_name.missing.app_error")
			return true
		}
		reply(&model.Team{Id: id, Name: name})
	case strings.HasPrefix(p, "/api/v4/roles/name/") && r.Method == http.MethodGet:
		role := s.Role(strings.TrimPrefix(p, "/api/v4/roles/name/"))
		if role == nil {
			appError(w, http.StatusNotFound, "app.role.get_by_name.app_error")
			return true
		}
		reply(role)
	case strings.HasPrefix(p, "/api/v4/roles/") && strings.HasSuffix(p, "/patch") && r.Method == http.MethodPut:
		var patch model.RolePatch
		json.Unmarshal(body, &patch)
		id := strings.Split(p, "/")[4]
		s.mu.Lock()
		var found *model.Role
		for _, role := range s.roles {
			if role.Id == id {
				found = role
				if patch.Permissions != nil {
					role.Permissions = append([]string(nil), (*patch.Permissions)...)
				}
			}
		}
		s.mu.Unlock()
		if found == nil {
			appError(w, http.StatusNotFound, "app.role.get.app_error")
			return true
		}
		reply(s.Role(found.Name))
	case strings.HasPrefix(p, "/api/v4/users/") && strings.HasSuffix(p, "/roles") && r.Method == http.MethodPut:
		var req struct {
			Roles string `json:"roles"`
		}
		json.Unmarshal(body, &req)
		id := strings.Split(p, "/")[4]
		s.mu.Lock()
		u, ok := s.users[id]
		if ok {
			c := *u
			c.Roles = req.Roles
			s.users[id] = &c
		}
		s.mu.Unlock()
		if !ok {
			appError(w, http.StatusNotFound, "app.user.missing_account.const")
			return true
		}
		reply(map[string]string{"status": "OK"})
	case p == "/api/v4/commands" && r.Method == http.MethodGet:
		reply(s.Commands())
	case p == "/api/v4/commands" && r.Method == http.MethodPost:
		var c model.Command
		json.Unmarshal(body, &c)
		s.mu.Lock()
		s.seq++
		c.Id, c.Token = fmt.Sprintf("cmd%d", s.seq), fmt.Sprintf("cmdtoken%d", s.seq)
		s.commands = append(s.commands, &c)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(&c)
	case strings.HasPrefix(p, "/api/v4/commands/") && r.Method == http.MethodPut:
		var c model.Command
		json.Unmarshal(body, &c)
		s.mu.Lock()
		for i, ex := range s.commands {
			if ex.Id == c.Id {
				s.commands[i] = &c
			}
		}
		s.mu.Unlock()
		reply(&c)
	case p == "/api/v4/bots" && r.Method == http.MethodPost:
		var b model.Bot
		json.Unmarshal(body, &b)
		s.mu.Lock()
		s.seq++
		b.UserId = fmt.Sprintf("bot%d", s.seq)
		s.users[b.UserId] = &model.User{Id: b.UserId, Username: b.Username, IsBot: true, Roles: model.SystemUserRoleId}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(&b)
	case strings.HasPrefix(p, "/api/v4/bots/") && strings.HasSuffix(p, "/enable"):
		reply(&model.Bot{UserId: strings.Split(p, "/")[4]})
	case strings.HasPrefix(p, "/api/v4/teams/") && strings.HasSuffix(p, "/members") && r.Method == http.MethodPost:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(&model.TeamMember{TeamId: strings.Split(p, "/")[4]})
	case strings.HasPrefix(p, "/api/v4/users/") && strings.HasSuffix(p, "/tokens") && r.Method == http.MethodGet:
		reply(s.AccessTokens(strings.Split(p, "/")[4]))
	case strings.HasPrefix(p, "/api/v4/users/") && strings.HasSuffix(p, "/tokens") && r.Method == http.MethodPost:
		var t model.UserAccessToken
		json.Unmarshal(body, &t)
		s.mu.Lock()
		s.seq++
		t.Id, t.Token, t.UserId, t.IsActive = fmt.Sprintf("tokenid%d", s.seq), fmt.Sprintf("accesstoken%d", s.seq), strings.Split(p, "/")[4], true
		c := t
		s.accessTokens = append(s.accessTokens, &c)
		s.mu.Unlock()
		reply(&t)
	case p == "/api/v4/users/tokens/revoke" && r.Method == http.MethodPost:
		var req struct {
			TokenID string `json:"token_id"`
		}
		json.Unmarshal(body, &req)
		s.mu.Lock()
		found := false
		for _, t := range s.accessTokens {
			if t.Id == req.TokenID {
				t.IsActive, found = false, true
			}
		}
		s.mu.Unlock()
		if !found {
			appError(w, http.StatusNotFound, "app.user_access_token.get_by_token.app_error")
			return true
		}
		reply(map[string]string{"status": "OK"})
	default:
		return false
	}
	return true
}
