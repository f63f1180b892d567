// Parse iCalendar files with Mozilla's ical.js (the parser of Thunderbird) and print a
// JSON summary of each one's events, with their start and end as UTC instants.
//
//   node check.mjs a.ics b.ics ...     or     node check.mjs --list files.json
//
// Each file is read on its own: the time zone registry is emptied before each, so that
// one file's VTIMEZONE never serves another's events.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function when(time) {
  if (!time) return null;
  // A DATE (all-day) stays a date; a DATE-TIME becomes a UTC instant by its zone.
  return time.isDate ? time.toString() : time.toJSDate().toISOString();
}

function summarise(file) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  ICAL.TimezoneService.reset();
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      start: when(event.startDate),
      end: when(event.endDate),
      isDate: event.startDate.isDate,
      tzid: event.startDate.timezone,
      status: component.getFirstPropertyValue("status"),
      sequence: event.sequence,
    };
  });
  return { file, version: calendar.getFirstPropertyValue("version"), events };
}

const args = process.argv.slice(2);
const files = args[0] === "--list" ? JSON.parse(readFileSync(args[1], "utf8")) : args;
console.log(JSON.stringify({ calendars: files.map(summarise) }));
