"""Tables as people write them (NA in a column of numbers, "Jan 1 2000"), and SQL errors that say
what to write instead: through the general toolkit's SQL tool over real files in DuckDB."""

from __future__ import annotations

import pytest

from seer_cli.errors import ToolCallError
from seer_cli.toolkits.general import GeneralToolkit


@pytest.fixture
def kit(tmp_path):
    (tmp_path / "penguins.csv").write_text(
        "species,bill_mm,mass_g,sex,zip\n"
        "Adelie,39.1,3750,male,02134\nAdelie,NA,NA,NA,NA\nGentoo,46.5,5000,female,12345\n")
    (tmp_path / "prices.csv").write_text(
        "symbol,date,price,written\nMSFT,Jan 1 2000,39.81,01/02/2000\nMSFT,Feb 1 2000,36.35,03/04/2000\n"
        "IBM,Mar 12 2001,100.52,NA\n")
    k = GeneralToolkit(data=[tmp_path / "penguins.csv", tmp_path / "prices.csv"])
    yield k
    k.close()


def test_numbers_with_missing_markers_and_written_dates_get_their_types(kit):
    tables = kit.call("Tables", {})
    assert "bill_mm DOUBLE" in tables and "mass_g BIGINT" in tables
    assert "sex VARCHAR" in tables  # a column of words: its NA is missing, as pandas and R read it
    assert kit.call("SQL", {"query": "SELECT count(*) FILTER (WHERE sex IS NULL) AS gaps, count(DISTINCT sex) AS kinds FROM penguins"}) \
        == "gaps | kinds\n1 | 2"
    assert "zip VARCHAR" in tables  # a code with a leading zero is not a number
    assert "date DATE" in tables
    assert "written VARCHAR" in tables  # 01/02/2000 (January or February?) with a gap: left as written
    assert kit.call("SQL", {"query": "SELECT round(avg(bill_mm), 1) AS b, count(mass_g) AS n FROM penguins"}) == "b | n\n42.8 | 2"
    assert kit.call("SQL", {"query": "SELECT max(price) FROM prices WHERE year(date) = 2000"}).endswith("39.81")
    assert kit.call("SQL", {"query": "SELECT zip FROM penguins WHERE species = 'Adelie' AND sex = 'male'"}).endswith("02134")


@pytest.mark.parametrize("query,hint", [
    ("SELECT temperature FROM prices", None),
    ("SELECT closing_price FROM prices", "There is no column closing_price; did you mean price?"),
    ("SELECT avg(price) FROM prices WHERE month = 7", "write month(date) for the month of the date column"),
    ("SELECT avg(price) FROM prices WHERE start_year = 2000", "write year(date) for the year"),
    ("SELECT * FROM stock_prices", "There is no table stock_prices; the tables are: penguins, prices."),
    ("SELECT symbl FROM prices", "did you mean symbol?"),
    ("SELECT * FROM prices WHERE date LIKE '2000%'", "For a DATE column use year(col) = 2024"),
])
def test_an_sql_error_says_what_to_write_from_the_schema(kit, query, hint):
    with pytest.raises(ToolCallError) as e:
        kit.call("SQL", {"query": query})
    text = str(e.value)
    assert "Tables: " in text
    if hint is None:
        assert "There is no column temperature;" not in text  # nothing shares a word: no guess
    else:
        assert hint in text, text


def test_a_two_digit_year_is_read_as_one(tmp_path):
    """matplotlib's msft.csv writes "19-Sep-03": %d-%b-%Y read "03" as the year 3, disagreed with
    %d-%b-%y, and the column stayed text, so min(Date) was '1-Aug-03'."""
    (tmp_path / "msft.csv").write_text("Date,Close\n19-Sep-03,29.96\n1-Aug-03,25.5\n30-Jun-99,90.1\n")
    kit = GeneralToolkit(data=[tmp_path / "msft.csv"])
    try:
        assert "Date DATE" in kit.call("Tables", {})
        assert kit.call("SQL", {"query": "SELECT min(Date), max(Date) FROM msft"}).endswith("1999-06-30 | 2003-09-19")
    finally:
        kit.close()


def test_na_in_a_column_of_codes_is_a_code(tmp_path):
    """Among two-letter country codes, NA is Namibia: only a column of words reads it as missing."""
    (tmp_path / "trips.csv").write_text("country,purpose\nNA,work\nDE,NA\nFR,leisure\n")
    kit = GeneralToolkit(data=[tmp_path / "trips.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT count(*) FROM trips WHERE country = 'NA'"}).endswith("1")
        assert kit.call("SQL", {"query": "SELECT count(*) FROM trips WHERE purpose IS NULL"}).endswith("1")
    finally:
        kit.close()
