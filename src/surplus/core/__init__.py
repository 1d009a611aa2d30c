"""The control core: pure and deterministic. Readings, settings and ``now`` go in; commands and published
values come out. Nothing here opens a socket, reads a clock or touches the database."""
