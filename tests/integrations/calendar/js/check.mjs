// Parse an iCalendar file with ical.js and print a JSON summary of its events.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    tzid: event.startDate.timezone,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
  };
});
console.log(JSON.stringify({ version: calendar.getFirstPropertyValue("version"), events }));
