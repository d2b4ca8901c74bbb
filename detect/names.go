package detect

import (
	"strconv"
	"strings"
)

// parseNames reads the class names of an Ultralytics export's "names"
// metadata, a Python dict literal such as {0: 'person', 1: 'bicycle'},
// keys 0..n-1 in any order. It returns nil when value is not that.
func parseNames(value string) []string {
	s := strings.TrimSpace(value)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil
	}
	s = s[1 : len(s)-1]
	byKey := map[int]string{}
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		colon := strings.IndexByte(s, ':')
		if colon < 0 {
			return nil
		}
		k, err := strconv.Atoi(strings.TrimSpace(s[:colon]))
		if err != nil || k < 0 || k >= 1<<16 {
			return nil
		}
		s = strings.TrimLeft(s[colon+1:], " \t\r\n")
		name, rest, ok := pyString(s)
		if _, dup := byKey[k]; !ok || dup {
			return nil
		}
		byKey[k] = name
		s = strings.TrimLeft(rest, " \t\r\n")
		if s != "" {
			if s[0] != ',' {
				return nil
			}
			s = s[1:]
		}
	}
	if len(byKey) == 0 {
		return nil
	}
	names := make([]string, len(byKey))
	for k, v := range byKey {
		if k >= len(names) {
			return nil
		}
		names[k] = v
	}
	return names
}

// pyString reads a quoted Python string literal ('...' or "...", with
// backslash escapes of the quote and the backslash) from the start of s.
func pyString(s string) (value, rest string, ok bool) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", "", false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == q:
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
