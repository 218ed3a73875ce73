"""Time: instants, calendar dates, durations, periods and business-day calendars.

The one place time arithmetic lives. An instant is an integer count of seconds since the Unix
epoch, UTC; no module reads the wall clock after start-up.

May import: common.
"""
