// Reads an iCalendar file on stdin and prints what Mozilla's ical.js (the parser Thunderbird uses)
// makes of it, as JSON: the calendar's properties, its time zones, and each event with its start
// and end as UTC instants and its alarms. Exits 1 with the parser's message when it refuses the file.
import ICAL from 'ical.js';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const text = Buffer.concat(chunks).toString('utf8');

try {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const timezones = calendar.getAllSubcomponents('vtimezone');
  for (const vtimezone of timezones) {
    ICAL.TimezoneService.register(vtimezone);
  }

  const utc = (time) => new Date(time.toUnixTime() * 1000).toISOString();
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      url: vevent.getFirstPropertyValue('url'),
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue('status'),
      isRecurring: event.isRecurring(),
      start: utc(event.startDate),
      startLocal: event.startDate.toString(),
      startZone: event.startDate.zone ? event.startDate.zone.tzid : null,
      end: utc(event.endDate),
      dtstamp: utc(vevent.getFirstPropertyValue('dtstamp')),
      lastModified: utc(vevent.getFirstPropertyValue('last-modified')),
      alarms: vevent.getAllSubcomponents('valarm').map((valarm) => ({
        action: valarm.getFirstPropertyValue('action'),
        trigger: valarm.getFirstPropertyValue('trigger').toString(),
        triggerSeconds: valarm.getFirstPropertyValue('trigger').toSeconds(),
        description: valarm.getFirstPropertyValue('description'),
      })),
    };
  });

  process.stdout.write(JSON.stringify({
    prodid: calendar.getFirstPropertyValue('prodid'),
    version: calendar.getFirstPropertyValue('version'),
    calscale: calendar.getFirstPropertyValue('calscale'),
    method: calendar.getFirstPropertyValue('method'),
    name: calendar.getFirstPropertyValue('x-wr-calname'),
    timezones: timezones.map((tz) => tz.getFirstPropertyValue('tzid')),
    events,
  }));
} catch (error) {
  process.stderr.write(`ical.js refused the calendar: ${error.message}\n`);
  process.exit(1);
}
