package store

import (
	"strconv"
	"strings"
)

// The store speaks one SQL to SQLite and PostgreSQL where the two agree
// (most of it: ON CONFLICT, RETURNING, COALESCE, LIKE … ESCAPE, text dates
// that sort as strings). What differs is decided here or by the DB's pg
// field at the few places that need it: placeholders, full-text search,
// the claiming of work by several processes, backups.

// IsPostgres says whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// rebind turns the store's ? placeholders into PostgreSQL's $1, $2, …,
// leaving quoted strings, quoted names and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // a doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// boolInt stores a flag as the 0/1 integer both schemas keep flags in.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dialect is what differs in the SQL itself.
type dialect struct{ pg bool }

func (db *DB) dialect() dialect { return dialect{db.pg} }

// notIndexed keeps SQLite's planner from driving a query through an index
// on col (a unary +, which SQLite documents for this); PostgreSQL's planner
// weighs the indexes by their statistics and has no + for text.
func (d dialect) notIndexed(col string) string {
	if d.pg {
		return col
	}
	return "+" + col
}
