"""What people read: the reader view, charts, the datasheet, trace and the terminal's escaping."""
