package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// sqlConn is a pool with prepared statements kept per query text. The
// SQLite driver otherwise parses and plans every statement each time it
// runs: a third of the time a crawl spends writing notices went there.
// Only single SELECT/INSERT/UPDATE/DELETE/WITH statements are kept (never
// a migration's script), and at most maxStmts of them.
type sqlConn struct {
	*sql.DB
	// pg: PostgreSQL. Statements are rebound to $n placeholders and not
	// kept here: pgx keeps its own prepared statements per connection.
	pg    bool
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxStmts = 256

func newSQLConn(db *sql.DB) *sqlConn { return &sqlConn{DB: db, stmts: map[string]*sql.Stmt{}} }

func cacheable(q string) bool {
	t := strings.TrimSpace(q)
	if strings.Contains(strings.TrimRight(t, "; \n\t"), ";") {
		return false
	}
	if len(t) < 6 {
		return false
	}
	switch strings.ToUpper(t[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		return true
	}
	return strings.HasPrefix(strings.ToUpper(t), "WITH")
}

// stmt returns the prepared statement for q, or nil when q is not kept.
func (c *sqlConn) stmt(ctx context.Context, q string) *sql.Stmt {
	if c.pg || !cacheable(q) {
		return nil
	}
	c.mu.Lock()
	s, ok := c.stmts[q]
	full := len(c.stmts) >= maxStmts
	c.mu.Unlock()
	if ok || full {
		return s
	}
	// Prepared without the lock held: preparing waits for a connection,
	// which a transaction may hold while it asks for kept statements.
	s, err := c.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil // run unprepared: the error, if any, comes from there
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[q]; ok {
		s.Close()
		return old
	}
	c.stmts[q] = s
	return s
}

func (c *sqlConn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if c.pg {
		return c.DB.ExecContext(ctx, rebind(q), args...)
	}
	if s := c.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.DB.ExecContext(ctx, q, args...)
}

func (c *sqlConn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if c.pg {
		return c.DB.QueryContext(ctx, rebind(q), args...)
	}
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.DB.QueryContext(ctx, q, args...)
}

func (c *sqlConn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if c.pg {
		return c.DB.QueryRowContext(ctx, rebind(q), args...)
	}
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.DB.QueryRowContext(ctx, q, args...)
}

func (c *sqlConn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sqlTx, error) {
	tx, err := c.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: tx, c: c}, nil
}

func (c *sqlConn) Close() error {
	c.mu.Lock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
	c.mu.Unlock()
	return c.DB.Close()
}

// kept returns q's prepared statement if there is one, without preparing.
func (c *sqlConn) kept(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[q]
}

// prepareAll keeps the statements a transaction wanted. It runs after the
// transaction: the writer's one connection was the transaction's, and
// preparing on the pool during it would wait for that connection forever.
func (c *sqlConn) prepareAll(ctx context.Context, qs []string) {
	for _, q := range qs {
		c.stmt(ctx, q)
	}
}

// sqlTx runs a transaction's statements through the pool's kept ones; a
// statement not kept yet runs unprepared and is prepared after commit.
type sqlTx struct {
	*sql.Tx
	c    *sqlConn
	want []string
	fts  []ftsRow // new notices to index before the commit (fts.go)
}

func (t *sqlTx) prepared(ctx context.Context, q string) *sql.Stmt {
	if t.c.pg {
		return nil
	}
	if s := t.c.kept(q); s != nil {
		return t.Tx.StmtContext(ctx, s)
	}
	if cacheable(q) {
		t.want = append(t.want, q)
	}
	return nil
}

func (t *sqlTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := t.prepared(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, t.c.bind(q), args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := t.prepared(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, t.c.bind(q), args...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.prepared(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, t.c.bind(q), args...)
}

// bind is q in the connection's placeholder style.
func (c *sqlConn) bind(q string) string {
	if c.pg {
		return rebind(q)
	}
	return q
}

func (t *sqlTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.c.bind(q))
}
