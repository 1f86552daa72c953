// Command grantwatch tracks Chinese grant application windows: it runs as a
// daemon (serve) and is administered from the shell with the other commands.
//
// Exit status: 0 on success, 1 when something failed at run time, 2 on bad
// input (a flag, an argument, a file), with one line naming the culprit.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // deadlines are Asia/Shanghai even on a machine without zoneinfo

	"github.com/grantwatch/grantwatch/config"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is what every command gets: its streams, the configuration after
// flags, and the clock.
type app struct {
	stdin io.Reader
	// stdout and stderr drop terminal escapes and bidi overrides
	// (termSafe): the text and tables printed there come from the web.
	stdout io.Writer
	stderr io.Writer
	// rawOut and rawErr are the streams as given. JSON, iCal and HTML go to
	// rawOut byte for byte; logs (slog quotes control characters itself)
	// and the progress bar (which needs \r) go to rawErr.
	rawOut io.Writer
	rawErr io.Writer

	// Set by the common flags, before or after the command name.
	dbPath     string
	configPath string

	cfg    config.Config
	logger *slog.Logger
	now    func() time.Time
}

// command is one leaf of the command tree.
type command struct {
	name    string // "source add"
	args    string // "URL [flags]"
	summary string
	// flags registers the command's own flags; run gets the positional args.
	flags func(a *app, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError is bad input: it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: &termSafe{w: stdout}, stderr: &termSafe{w: stderr},
		rawOut: stdout, rawErr: stderr, now: time.Now}
	err := a.dispatch(ctx, args)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	isUsage := errors.As(err, &ue)
	if !errors.Is(err, errReported) {
		fmt.Fprintf(a.stderr, "grantwatch: %s\n", oneLine(err.Error()))
	}
	if isUsage {
		return 2
	}
	return 1
}

// errReported is bad input that the command has already described on
// stderr, one line per culprit (extract with several bad files): run adds
// no line of its own and exits 2.
var errReported = usageError{"bad input (reported above)"}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	// Common flags before the command name.
	global := flag.NewFlagSet("grantwatch", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	a.commonFlags(global)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.usage(a.stdout)
			return err
		}
		return usagef("%v", err)
	}
	rest := global.Args()
	if len(rest) == 0 {
		return usagef("no command given (try: grantwatch help)")
	}
	name := rest[0]
	if name == "help" {
		a.usage(a.stdout)
		return nil
	}
	rest = rest[1:]
	if _, ok := commands[name]; !ok {
		// A group such as "source": the next word picks the leaf.
		var subs []string
		for k := range commands {
			if strings.HasPrefix(k, name+" ") {
				subs = append(subs, strings.TrimPrefix(k, name+" "))
			}
		}
		if len(subs) == 0 {
			return usagef("unknown command %q (try: grantwatch help)", name)
		}
		sort.Strings(subs)
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help") {
				fmt.Fprintf(a.stdout, "usage: grantwatch %s {%s} ...\n", name, strings.Join(subs, "|"))
				return flag.ErrHelp
			}
			return usagef("%s needs a subcommand: %s", name, strings.Join(subs, ", "))
		}
		if _, ok := commands[name+" "+rest[0]]; !ok {
			return usagef("unknown command %q (try: %s)", name+" "+rest[0], strings.Join(subs, ", "))
		}
		name, rest = name+" "+rest[0], rest[1:]
	}
	cmd := commands[name]
	fs := flag.NewFlagSet("grantwatch "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.commonFlags(fs)
	runFn := cmd.flags(a, fs)
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(a.stdout, "usage: grantwatch %s %s\n\n%s\n\nflags:\n", cmd.name, cmd.args, cmd.summary)
		fs.SetOutput(a.stdout)
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	if err := a.loadConfig(); err != nil {
		return err
	}
	return runFn(ctx, pos)
}

// commonFlags are accepted before and after the command name.
func (a *app) commonFlags(fs *flag.FlagSet) {
	fs.Func("db", "SQLite database file, or postgres://USER@HOST:PORT/DB?sslmode=… (default from the config: grantwatch.db)", func(s string) error {
		if s == "" {
			return errors.New("empty path")
		}
		a.dbPath = s
		return nil
	})
	fs.Func("config", "TOML configuration file (default: built-in, as config.example.toml)", func(s string) error {
		a.configPath = s
		return nil
	})
}

// parseInterspersed lets flags follow positional arguments, as in
// "source add URL --name N". A "--" ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		dashdash := false
		for _, s := range args {
			if s == "--" {
				dashdash = true
				break
			}
			if !strings.HasPrefix(s, "-") || s == "-" {
				break
			}
		}
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if dashdash {
			return append(pos, args...), nil
		}
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (a *app) loadConfig() error {
	cfg := config.Default()
	if a.configPath != "" {
		var err error
		if cfg, err = config.Load(a.configPath); err != nil {
			return usageError{err.Error()}
		}
	}
	if a.dbPath != "" {
		cfg.DB = a.dbPath
	}
	a.cfg = cfg
	// How PDFs are read is a process-wide choice, made once here.
	if err := pagetext.SetPDFEngine(cfg.Extract.PDFEngine, cfg.Extract.PDFCacheDir); err != nil {
		return usageError{err.Error()}
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.Log.Level]
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		a.logger = slog.New(slog.NewJSONHandler(a.rawErr, opts))
	} else {
		a.logger = slog.New(slog.NewTextHandler(a.rawErr, opts))
	}
	return nil
}

func (a *app) openDB(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, a.cfg.DB, store.WithClock(a.now))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, store.ErrNotRegular) {
		// The operator named a path that cannot be used (missing, not
		// theirs, a link or a device): bad input.
		return nil, usageError{err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: grantwatch [--db FILE] [--config FILE] COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for k := range commands {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "  %-20s %s\n", k, commands[k].summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db and --config, and --help.")
}

// writeJSONLines writes one JSON object per line. w is a.rawOut: JSON keeps
// the exact text, escaped by the encoder.
func writeJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

// listFlag collects a repeatable flag (--region 山西 --region 河北), also
// accepting commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// notFoundAsUsage turns a lookup miss into bad input: the operator named
// something that is not there.
func notFoundAsUsage(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) {
		return usageError{err.Error()}
	}
	return err
}

// today is the current calendar date where deadlines live.
func (a *app) today() string {
	return a.now().In(a.cfg.Location()).Format("2006-01-02")
}

// parseNow reads a --now flag value (RFC 3339, or a bare date meaning its
// midnight in the configured zone).
func (a *app) parseNow(s string) (time.Time, error) {
	if s == "" {
		return a.now(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, a.cfg.Location()); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--now %q: want RFC 3339 (2019-08-27T09:00:00+08:00) or a date", s)
}
