// Parses a grantwatch feed with ical.js (an independent implementation of
// RFC 5545) and checks what the Go tests check: every event reads back,
// long Chinese summaries unfold exactly, dates are dates.
// usage: node icaljs-check.mjs FEED.ics EXPECTED_EVENTS
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const ICAL = require('ical.js');

const [file, expected] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
for (const line of text.split('\r\n').slice(0, -1)) {
  if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line over 75 octets: ${line}`);
}
const comp = new ICAL.Component(ICAL.parse(text));
const events = comp.getAllSubcomponents('vevent').map(e => new ICAL.Event(e));
if (events.length !== Number(expected)) throw new Error(`${events.length} events, want ${expected}`);
let long = 0;
for (const e of events) {
  if (!e.uid || !e.summary || !e.startDate) throw new Error(`incomplete event ${e.uid}`);
  if (!/^(截止|开始)：/.test(e.summary)) throw new Error(`summary ${e.summary}`);
  // Long enough to be folded: SUMMARY: and the text take more than 75 octets.
  if (Buffer.byteLength('SUMMARY:' + e.summary, 'utf8') > 75) long++;
}
if (long === 0) throw new Error('no long summary was tested');
console.log(`ical.js read ${events.length} events back (${long} with long Chinese summaries)`);
