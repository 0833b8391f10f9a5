"""Parse .ics files with libical (Debian's ICalGLib) and check RFC 5546 rules.
Run with Debian's own python3 (python3-gi): prints JSON."""
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        calendar = ICalGLib.Component.new_from_string(f.read())
    restriction_ok = ICalGLib.restriction_check(calendar)
    method = ICalGLib.Property.method_to_string(calendar.get_method())
    event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    out.append({
        "path": path, "method": method, "restriction_ok": bool(restriction_ok),
        "uid": event.get_uid(), "sequence": event.get_sequence(),
        "start": event.get_dtstart().as_timet(), "end": event.get_dtend().as_timet(),
        "errors": calendar.count_errors(),
    })
print(json.dumps(out))
