"""What people read: the reader view, charts, the datasheet, citations, trace and the terminal's
escaping."""
