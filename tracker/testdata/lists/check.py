#!/usr/bin/env python3
"""Sanity checker for the list/notice fixtures in this folder.

Run:  python3 tracker/testdata/lists/check.py   (from the repository root, or from anywhere)

For every NN-name/fixture.json it checks that:
  * the JSON loads and has the documented keys and value types;
  * every file named in "files" and "post" exists, and "start" is one of the served paths;
  * pages declared or served as GBK/GB2312 decode as GBK (and are not plain UTF-8), the others decode as UTF-8;
  * every expected link URL occurs, once resolved against the URL of the page that holds it,
    among the href/src attributes or quoted strings of some served file;
  * every expected title and date occurs in some served file;
  * URLs and titles are unique within a fixture, dates are YYYY-MM-DD or "", notice fixtures have no links
    and at least one application window.
Exit status is 1 when anything is wrong.
"""
import html
import json
import os
import re
import sys
from urllib.parse import urljoin, urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
DATE_RE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
ATTR_RE = re.compile(r'''(?:href|src|action|value)\s*=\s*(?:"([^"]*)"|'([^']*)')''', re.I)
QUOTED_RE = re.compile(r'''["']((?:\.{1,2}/|/|[A-Za-z0-9_]+\.(?:aspx?|jsp|php)\?)[^"'<>\s]*)["']''')
KEYS = ['family', 'about', 'start', 'content_type', 'files', 'kind', 'pages', 'links', 'windows']

problems = []


def bad(fixture, msg):
    problems.append(f'{fixture}: {msg}')


def norm(page_url, ref):
    u = urljoin('http://fixture.invalid' + page_url, html.unescape(ref.strip()))
    p = urlsplit(u)
    if p.netloc != 'fixture.invalid':
        return None
    return urlunsplit(('', '', p.path, p.query, ''))


def charset_of(ctype, raw):
    m = re.search(r'charset=([\w-]+)', ctype or '', re.I)
    if m:
        return m.group(1).lower()
    m = re.search(rb'<meta[^>]+charset=["\']?([\w-]+)', raw[:4096], re.I)
    return m.group(1).decode().lower() if m else 'utf-8'


def decode(fixture, name, ctype, raw):
    cs = charset_of(ctype, raw)
    meta = re.search(rb'<meta[^>]+charset=["\']?([\w-]+)', raw[:4096], re.I)
    if cs in ('gbk', 'gb2312', 'gb18030'):
        try:
            raw.decode('utf-8')
            bad(fixture, f'{name}: declared {cs} but the bytes are valid UTF-8 (not really GBK?)')
        except UnicodeDecodeError:
            pass
        try:
            text = raw.decode('gbk')
        except UnicodeDecodeError as e:
            bad(fixture, f'{name}: does not decode as GBK: {e}')
            return raw.decode('gbk', 'replace')
        if not meta or meta.group(1).decode().lower() not in ('gbk', 'gb2312', 'gb18030'):
            bad(fixture, f'{name}: GBK file without a GBK/GB2312 <meta> charset')
        return text
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as e:
        bad(fixture, f'{name}: does not decode as UTF-8: {e}')
        return raw.decode('utf-8', 'replace')


def date_forms(d):
    y, m, dd = d.split('-')
    im, idd = int(m), int(dd)
    return [d, f'{y}/{m}/{dd}', f'{y}-{im}-{idd}', f'{y}年{im}月{idd}日',
            f"year[i]='{y}';month[i]='{m}';day[i]='{dd}'"]


def check(folder):
    path = os.path.join(HERE, folder, 'fixture.json')
    try:
        with open(path, encoding='utf-8') as f:
            fx = json.load(f)
    except Exception as e:  # noqa: BLE001
        bad(folder, f'fixture.json does not load: {e}')
        return None
    for k in KEYS:
        if k not in fx:
            bad(folder, f'missing key {k!r}')
    if problems and problems[-1].startswith(folder + ': missing'):
        return None
    if fx['kind'] not in ('list', 'notice'):
        bad(folder, f'kind must be list or notice, not {fx["kind"]!r}')
    if not isinstance(fx['pages'], int) or not 1 <= fx['pages'] <= 3:
        bad(folder, f'pages must be an int in 1..3, not {fx["pages"]!r}')
    if fx['start'] not in fx['files']:
        bad(folder, 'start is not a key of files')

    served = []  # (url, text)
    for url, name in fx['files'].items():
        if not url.startswith('/') or '#' in url:
            bad(folder, f'files key {url!r} is not a root-relative path')
        fp = os.path.join(HERE, folder, name)
        if not os.path.isfile(fp):
            bad(folder, f'files: {name} does not exist')
            continue
        with open(fp, 'rb') as f:
            served.append((url, decode(folder, name, fx['content_type'], f.read())))
    for p in fx.get('post', []):
        for k in ('path', 'params', 'file', 'content_type'):
            if k not in p:
                bad(folder, f'post entry without {k!r}')
        fp = os.path.join(HERE, folder, p.get('file', ''))
        if not os.path.isfile(fp):
            bad(folder, f'post file {p.get("file")} does not exist')
            continue
        if not all(isinstance(v, str) for v in p['params'].values()):
            bad(folder, 'post params must be strings')
        with open(fp, 'rb') as f:
            served.append((p['path'], decode(folder, p['file'], p['content_type'], f.read())))
    if len(served) < fx['pages']:
        bad(folder, f'pages={fx["pages"]} but only {len(served)} responses are served')

    urls, texts = set(), []
    for url, text in served:
        for m in ATTR_RE.finditer(text):
            u = norm(url, m.group(1) if m.group(1) is not None else m.group(2))
            if u:
                urls.add(u)
        for m in QUOTED_RE.finditer(text):
            u = norm(url, m.group(1))
            if u:
                urls.add(u)
        texts.append(html.unescape(text))
    alltext = '\n'.join(texts)

    seen_u, seen_t = set(), set()
    for i, ln in enumerate(fx['links']):
        if set(ln) != {'url', 'title', 'published'}:
            bad(folder, f'link {i} keys are {sorted(ln)}')
            continue
        u, t, d = ln['url'], ln['title'], ln['published']
        if not u.startswith('/') or '#' in u:
            bad(folder, f'link {i} url {u!r} is not root-relative without fragment')
        if u in seen_u:
            bad(folder, f'duplicate url {u}')
        if t in seen_t:
            bad(folder, f'duplicate title {t}')
        seen_u.add(u)
        seen_t.add(t)
        if u not in urls:
            bad(folder, f'link url {u} not found in any served file')
        if not t or t not in alltext:
            bad(folder, f'title not found in any served file: {t}')
        if d and not DATE_RE.match(d):
            bad(folder, f'published {d!r} is not YYYY-MM-DD')
        elif d and not any(form in alltext for form in date_forms(d)):
            bad(folder, f'date {d} of {u} not shown in any served file')

    if fx['kind'] == 'list':
        if len(fx['links']) < 10:
            bad(folder, f'list fixture with only {len(fx["links"])} links')
        if fx['windows']:
            bad(folder, 'list fixture with windows')
    else:
        if fx['links']:
            bad(folder, 'notice fixture must have links: []')
        if not fx['windows']:
            bad(folder, 'notice fixture without windows')
        for w in fx['windows']:
            if set(w) != {'opens', 'closes'}:
                bad(folder, f'window keys {sorted(w)}')
                continue
            if w['opens'] is not None and not DATE_RE.match(w['opens']):
                bad(folder, f'window opens {w["opens"]!r}')
            if not DATE_RE.match(w['closes'] or ''):
                bad(folder, f'window closes {w["closes"]!r}')
            elif w['opens'] and w['opens'] > w['closes']:
                bad(folder, f'window opens after it closes: {w}')
    return fx


def main():
    folders = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)) and re.match(r'^\d\d-', d))
    rows = []
    for folder in folders:
        fx = check(folder)
        if fx:
            rows.append((folder, fx['family'], fx['kind'], fx['pages'], len(fx['links'])))
    for r in rows:
        print(f'{r[0]:28s} {r[2]:6s} pages={r[3]} links={r[4]:3d}  {r[1]}')
    print(f'{len(rows)} fixtures checked')
    if problems:
        print('\nPROBLEMS:')
        for p in problems:
            print('  ' + p)
        return 1
    print('all good')
    return 0


if __name__ == '__main__':
    sys.exit(main())
