"""Real programs and servers that tests run as the peers of the code under test."""
