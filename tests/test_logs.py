import io
import logging
from datetime import UTC, datetime

import pytest

from surplus.clock import VirtualClock
from surplus.logs import TRACE, configure, get_logger, parse_log_spec


def test_log_spec_sets_an_overall_level_and_area_levels() -> None:
    assert parse_log_spec("debug,site:trace,db:warn") == (logging.DEBUG, {"site": TRACE, "db": logging.WARNING})
    assert parse_log_spec("lp-1:error") == (None, {"lp-1": logging.ERROR})
    assert parse_log_spec("") == (None, {})
    with pytest.raises(ValueError, match="unknown log level 'loud'; allowed: trace, debug, info, warn, error, fatal"):
        parse_log_spec("loud")


def test_lines_carry_area_level_and_the_application_clock() -> None:
    stream = io.StringIO()
    clock = VirtualClock(datetime(2026, 6, 1, 10, 0, 30, tzinfo=UTC))
    configure(clock, logging.INFO, {"site": logging.DEBUG, "db": logging.ERROR}, stream=stream)
    get_logger("site").debug("site detail")
    get_logger("lp-1").debug("hidden: lp-1 follows the overall level")
    get_logger("lp-1").info("charger enabled")
    get_logger("db").warning("hidden: db shows errors only")
    logging.getLogger("uvicorn.error").info("server started")
    assert stream.getvalue().splitlines() == [
        "[site   ] DEBUG 2026/06/01 10:00:30 site detail",
        "[lp-1   ] INFO 2026/06/01 10:00:30 charger enabled",
        "[http   ] INFO 2026/06/01 10:00:30 server started",
    ]
    configure(clock, logging.WARNING, stream=stream)
    assert get_logger("site").getEffectiveLevel() == logging.WARNING
