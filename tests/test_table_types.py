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
    # text casts as DuckDB made them before 0.10: a LIKE on a DATE reads its ISO text (the 1.5B repeated one after a hint)
    assert kit.call("SQL", {"query": "SELECT max(price) FROM prices WHERE date LIKE '2000%'"}).endswith("39.81")
    # a column named for a part of the one date column is read as that part, and the reply says so
    # (the 1.5B sent `year = 2012` three times after the hint to write year(date))
    assert kit.call("SQL", {"query": "SELECT max(price) FROM prices WHERE year = 2000 AND month = 1"}) == \
        'Note: read year as year(date), month as month(date).\nmax(price)\n39.81'
    assert kit.call("SQL", {"query": "SELECT count(*) FROM prices WHERE start_year >= 2001"}).endswith("\n1")
    # a DATE compared with a month or a year (the 1.5B's `month = '2015-12'` on the employment table); where
    # that reading does not run either, DuckDB's error gets the hint
    from seer_cli.toolkits.sql_hints import advice

    assert advice('Conversion Error: invalid date field format: "2000-02", expected format is (YYYY-MM-DD)', {}) \
        .endswith("for a month write year(col) = 2000 AND month(col) = 2.")
    assert kit.call("SQL", {"query": "SELECT price FROM prices WHERE date = '2000-02' AND symbol = 'MSFT'"}) == \
        "Note: read date = '2000-02' as year(\"date\") = 2000 AND month(\"date\") = 2.\nprice\n36.35"
    with pytest.raises(ToolCallError, match='Referenced column "year" not found.*write year'):  # no date column: the error
        kit.call("SQL", {"query": "SELECT count(*) FROM penguins WHERE year = 2000"})
    # a value filtered in a column that does not hold it, held by another
    assert kit.call("SQL", {"query": "SELECT price FROM prices WHERE written = 'IBM'"}).endswith(
        "Note: 'IBM' is not a value of written; it is a value of symbol.")


def test_a_missing_column_compared_with_a_value_one_column_holds_is_read_as_it(kit):
    """The 1.5B filtered stocks on ``company = 'IBM'`` and penguins on ``kind = 'gentoo'``; told which
    column holds the value, it sent the same query again (``tabl = 'Tabl'`` four times)."""
    assert kit.call("SQL", {"query": "SELECT count(*) FROM penguins WHERE kind = 'gentoo'"}).startswith(
        "Note: read kind as \"species\" ('gentoo' is a value of species).")
    assert kit.call("SQL", {"query": "SELECT price FROM prices WHERE company = 'IBM'"}).startswith(
        "Note: read company as \"symbol\" ('IBM' is a value of symbol).")


@pytest.mark.parametrize("query,hint", [
    ("SELECT temperature FROM prices", None),
    ("SELECT closing_price FROM prices", "There is no column closing_price; did you mean price?"),
    # read as month(date) the query still fails (another column): that error, saying what was read
    ("SELECT avg(price) FROM prices WHERE month = 7 AND colour = 'red'", 'SQL error (after reading month as month(date)): '
                                                                        'Binder Error: Referenced column "colour" not found'),
    ("SELECT avg(price) FROM prices WHERE start_year = 2000 GROUP BY colour", "(after reading start_year as year(date))"),
    ("SELECT * FROM stock_prices", "There is no table stock_prices; the tables are: penguins, prices."),
    ("SELECT symbl FROM prices", "did you mean symbol?"),
    # a column the table lacks, compared with a value another column holds (read as that column, after another
    # mistake: the advice stands), or with a column's name
    ("SELECT price FROM prices WHERE company = 'IBM' AND AND", "syntax error"),
    ("SELECT avg(x) FROM prices WHERE measure = 'Price'", "'Price' is a column, not a value: select \"price\"."),
    # a row per date and per symbol: a sub-query filtered by the date alone gives a row per symbol
    ("SELECT (SELECT price FROM prices WHERE year(date) = 2000) - (SELECT price FROM prices WHERE year(date) = 2001)",
     "Each sub-query must give one row: filter it by every column that tells rows apart too (symbol = '...'"),
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


def test_csv_files_as_people_export_them_are_read_whole(tmp_path):
    """A Latin-1 export with ';' and decimal commas, a report with a title above its header, and
    thousands separators: each read into the columns and numbers a person sees in it."""
    (tmp_path / "cafes.csv").write_bytes("name;price;city\nCafé Müller;3,50;Köln\nBäckerei;2,75;Zürich\n".encode("latin-1"))
    (tmp_path / "report.csv").write_text("Monthly report 2024\nGenerated by the till\n\nmonth,sales\n2024-01,100\n2024-02,120\n")
    (tmp_path / "orders.csv").write_text('id,amount,note\n1,"1,000",x\n2,"12,500.5",y\n3,7,z\n')
    (tmp_path / "clean.csv").write_text("a,b\n1,2\n3,4\n")
    from seer_cli.toolkits import csv_shape

    assert csv_shape.read_options(tmp_path / "clean.csv") == {}  # a clean file is read exactly as before
    assert csv_shape.read_options(tmp_path / "report.csv") == {"skip": 3, "delim": ","}
    k = GeneralToolkit(data=[tmp_path / n for n in ("cafes.csv", "report.csv", "orders.csv")])
    try:
        tables = k.call("Tables", {})
        assert "cafes(name VARCHAR, price DOUBLE, city VARCHAR)" in tables and "report(month VARCHAR, sales BIGINT)" in tables
        assert "amount DOUBLE" in tables
        assert k.call("SQL", {"query": "SELECT name FROM cafes WHERE price > 3"}).endswith("Café Müller")
        assert k.call("SQL", {"query": "SELECT sum(sales) FROM report"}).endswith("220")
        assert k.call("SQL", {"query": "SELECT sum(amount) FROM orders"}).endswith("13507.5")
    finally:
        k.close()


def test_an_excel_workbook_is_one_table_a_sheet(tmp_path):
    """A workbook made with openpyxl: a title row above the header, dates, a gap written NA, an
    empty sheet; a damaged file is a one-line error naming it."""
    import datetime

    import openpyxl

    from seer_cli.errors import UserError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Quarterly sales report"])
    ws.append([])
    ws.append(["Region", "Date", "Units", "Revenue"])
    ws.append(["North", datetime.datetime(2024, 1, 5), 12, 1200.5])
    ws.append(["South", datetime.datetime(2024, 2, 7), 7, 640])
    ws.append(["West", datetime.datetime(2024, 3, 1), None, "NA"])
    wb.create_sheet("Staff").append(["Name", "Start"])
    wb["Staff"].append(["Ann", datetime.date(2020, 5, 1)])
    wb.create_sheet("Empty")
    wb.save(tmp_path / "book.xlsx")
    k = GeneralToolkit(data=[tmp_path / "book.xlsx"])
    try:
        tables = k.call("Tables", {})
        assert "book_sales(Region VARCHAR, Date DATE, Units BIGINT, Revenue DOUBLE)" in tables and "book_staff(" in tables
        assert "empty" not in tables.lower()
        assert k.call("SQL", {"query": "SELECT sum(Revenue) FROM book_sales WHERE month(Date) <= 2"}).endswith("1840.5")
    finally:
        k.close()
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UserError, match=r"broken\.xlsx: not a readable Excel workbook"):
        GeneralToolkit(data=[tmp_path / "broken.xlsx"]).call("Tables", {})


def test_a_wrong_table_name_over_one_table_is_read_as_that_table(tmp_path):
    """The 1.5B named the employment table "employees" four times in a row, though the error named
    the one table each time. With one table, a query on a table that does not exist reads that
    table (and a date part as :func:`sql_reads._missing_columns_read` does); the reply says so."""
    (tmp_path / "us-employment.csv").write_text("month,nonfarm\n2006-01-01,135000\n2015-12-01,143093\n")
    kit = GeneralToolkit(data=[tmp_path / "us-employment.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT nonfarm FROM employees WHERE year = 2015"}) == \
            'Note: read table employees as us_employment.\nNote: read year as year(month).\nnonfarm\n143093'
        with pytest.raises(ToolCallError, match=r'^SQL error \(after reading table employees as us_employment\): '
                                                r'Binder Error: Referenced column "sector" not found'):
            kit.call("SQL", {"query": "SELECT nonfarm FROM employees WHERE sector = 'retail'"})  # still wrong when read so
    finally:
        kit.close()
    (tmp_path / "other.csv").write_text("a\n1\n")
    two = GeneralToolkit(data=[tmp_path / "us-employment.csv", tmp_path / "other.csv"])
    try:
        with pytest.raises(ToolCallError, match="There is no table employees"):  # two tables: no guess
            two.call("SQL", {"query": "SELECT nonfarm FROM employees"})
    finally:
        two.close()


def test_a_value_in_another_case_and_a_bare_odd_column_name_are_read_as_meant(tmp_path):
    """After practice the 1.5B answered "Jessie is not a series in the debian table." (its query
    said 'Jessie', the column holds 'jessie') and sent ``SELECT eol-esm FROM ubuntu`` three times
    (DuckDB reads ``eol - esm``). A filter value the column holds once in another case or spacing
    is read as held, a column name that is no identifier as quoted; each reply says so. A value
    only inside longer ones ('22.04' for '22.04 LTS') stays a note."""
    csv = tmp_path / "releases.csv"
    csv.write_text("version,series,release,eol-esm\n8,jessie,2015-04-26,2020-06-30\n9,stretch,2017-06-17,2022-06-30\n"
                   "22.04 LTS,jammy,2022-04-21,2032-04-21\n")
    kit = GeneralToolkit(data=[csv])
    try:
        assert kit.call("SQL", {"query": "SELECT release FROM releases WHERE series = 'Jessie'"}) == \
            "Note: read 'Jessie' as 'jessie' (series holds it so).\nrelease\n2015-04-26"
        assert kit.call("SQL", {"query": "SELECT eol-esm FROM releases WHERE series = 'stretch'"}) == \
            'Note: read eol-esm as a column name.\neol-esm\n2022-06-30'
        assert kit.call("SQL", {"query": "SELECT release FROM releases WHERE version = '22.04'"}).endswith(
            "Note: '22.04' is not a value of version; it holds '22.04 LTS'.")
        assert kit.call("SQL", {"query": "SELECT release FROM releases WHERE series = 'buster'"}) == \
            "release\n(no rows)\nNote: 'buster' is not a value of series; its values are 'jammy', 'jessie', 'stretch'."  # absent
    finally:
        kit.close()
    from seer_cli.agent.refusal import is_error_answer

    assert is_error_answer("Jessie is not a series in the debian table.", ["release\n(no rows)\nNote: 'Jessie' ..."])
    assert is_error_answer("The 'release' column should be formatted as YYYY-MM-DD.", ["Error: SQL error: Conversion Error"])
    assert is_error_answer("There is no column 'esm' in the FROM clause.", ["Error: SQL error: Binder Error"])
    assert not is_error_answer("There is no rain in the data for 2013.", ["rain\n0"])  # nothing failed


def test_a_date_written_as_one_number_is_a_date_only_when_named_one(tmp_path):
    """statsmodels' co2.csv writes its weeks 19580329: read as a number, self-practice asked "What
    is the total date?" and ``year(date) = 1995`` failed."""
    (tmp_path / "co2.csv").write_text("date,co2,order_no,obs_day\n19580329,316.1,20010101,19580329\n19580405,317.3,20010102,\n"
                                      "19950107,358.2,20010103,19950107\n")
    (tmp_path / "odd.csv").write_text("date,v\n19581329,1\n19580405,2\n")  # month 13: a number, not a date
    k = GeneralToolkit(data=[tmp_path / "co2.csv", tmp_path / "odd.csv"])
    try:
        tables = k.call("Tables", {})
        assert "co2(date DATE, co2 DOUBLE, order_no BIGINT, obs_day DATE)" in tables and "odd(date BIGINT" in tables
        assert k.call("SQL", {"query": "SELECT co2 FROM co2 WHERE year(date) = 1995"}).endswith("358.2")
        assert k.call("SQL", {"query": "SELECT count(obs_day) FROM co2"}).endswith("2")
    finally:
        k.close()


def test_a_column_spelled_as_an_identifier_is_read_as_the_tables_words(tmp_path):
    """On the fifth real-files set the 1.5B sent ``SELECT atomic_mass FROM elements`` three times,
    the error asking "did you mean atomic mass?", then answered from memory. A missing column whose
    identifier spelling is one column's name in words is read as that column (quoted or not, beside
    a date part); a literal that happens to spell it stays as written; two such columns, no guess."""
    (tmp_path / "elements.csv").write_text("atomic number,name,atomic mass,melting point,IE-1\n26,Iron,55.845,1811,762.5\n"
                                           "23,Vanadium,50.94,2183,650.9\n")
    (tmp_path / "degrees.csv").write_text("date,Computer Science,computer-science\n2000-01-01,20.5,1\n2001-01-01,21.5,2\n")
    (tmp_path / "shares.csv").write_text("date,Biology\n2000-01-01,50\n2001-01-01,51\n")
    kit = GeneralToolkit(data=[tmp_path / "elements.csv", tmp_path / "degrees.csv", tmp_path / "shares.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT atomic_mass FROM elements WHERE name = 'Iron'"}) == \
            'Note: read atomic_mass as "atomic mass".\natomic mass\n55.845'
        assert kit.call("SQL", {"query": "SELECT \"melting_point\", ie_1 FROM elements WHERE name = 'melting_point'"}).startswith(
            'Note: read melting_point as "melting point", ie_1 as "IE-1".\nmelting point | IE-1\n(no rows)')
        assert kit.call("SQL", {"query": "SELECT BIOLOGY FROM shares WHERE year = 2001"}) == \
            "Note: read year as year(date).\nBiology\n51"
        with pytest.raises(ToolCallError, match="computer_science"):  # "Computer Science" or "computer-science"?
            kit.call("SQL", {"query": "SELECT computer_science FROM degrees"})
    finally:
        kit.close()


def test_a_name_read_then_another_mistake_reports_the_other_mistake(tmp_path):
    """The 1.5B sent ``SELECT computer_science, women ...`` three times, each error about
    ``computer_science``: once that name is read, the error is the next mistake's, and says what was read."""
    (tmp_path / "shares.csv").write_text("Year,Computer Science,Biology\n1990,29.4,50.8\n1991,29.1,51.0\n")
    kit = GeneralToolkit(data=[tmp_path / "shares.csv"])
    try:
        with pytest.raises(ToolCallError, match=r'^SQL error \(after reading computer_science as "Computer Science"\): '
                                                r'Binder Error: Referenced column "women" not found'):
            kit.call("SQL", {"query": "SELECT computer_science, women FROM shares WHERE year = 1990"})
        with pytest.raises(ToolCallError, match=r'^SQL error: .*"computer_sciences" not found'):  # nothing read: as before
            kit.call("SQL", {"query": "SELECT computer_sciences FROM shares"})
    finally:
        kit.close()


def test_a_text_column_compared_with_a_number_is_read_as_a_number(tmp_path):
    """On the fifth real-files set: ``"year discovered" BETWEEN 1800 AND 1899`` where the column holds
    years and 'Ancient' failed ("Could not convert string 'Ancient' to INT32") and the 1.5B counted
    every element. The column is read as a number, the words left out and named in the reply, after a
    spelled name too; a filter on its words (a string literal) is untouched."""
    (tmp_path / "elements.csv").write_text("name,year discovered\nIron,Ancient\nGold,Ancient\nOxygen,1774\n"
                                           "Argon,1894\nHelium,1895\nNeon,1898\n")
    kit = GeneralToolkit(data=[tmp_path / "elements.csv"])
    try:
        assert kit.call("SQL", {"query": 'SELECT COUNT(*) FROM elements WHERE "year discovered" BETWEEN 1800 AND 1899'}) == (
            "Note: read \"year discovered\" as a number; its values that are not numbers ('Ancient') are left out.\n"
            "count_star()\n3")
        assert kit.call("SQL", {"query": "SELECT name FROM elements WHERE year_discovered < 1800"}) == (
            'Note: read year_discovered as "year discovered".\n'
            "Note: read \"year discovered\" as a number; its values that are not numbers ('Ancient') are left out.\n"
            "name\nOxygen")
        assert kit.call("SQL", {"query": "SELECT COUNT(*) FROM elements WHERE \"year discovered\" = 'Ancient'"}) == "count_star()\n2"
    finally:
        kit.close()


def test_a_grouped_query_that_hides_its_groups_is_given_them(tmp_path):
    """On the fifth real-files set the 1.5B asked ``SELECT AVG(co2) ... GROUP BY month ORDER BY
    AVG(co2) DESC LIMIT 1`` for "which month had the highest CO2 on average?", saw one number and
    named a month it had not seen. The group's expression is added as the first column; a query that
    selects it already (in any spelling, or by alias), groups by position or selects * is untouched."""
    (tmp_path / "readings.csv").write_text("date,co2,site\n1999-01-02,368.1,a\n1999-04-03,371.2,a\n1999-04-10,371.0,b\n")
    kit = GeneralToolkit(data=[tmp_path / "readings.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT AVG(co2) FROM readings GROUP BY month(date) ORDER BY AVG(co2) DESC LIMIT 1"}) == (
            "Note: added month(date) to the columns, to say which group each row is.\n"
            "month(date) | avg(co2)\n4 | 371.1")
        assert kit.call("SQL", {"query": "SELECT count(*) AS n FROM readings GROUP BY site, year(date) ORDER BY n DESC"}) == (
            "Note: added site, year(date) to the columns, to say which group each row is.\n"
            "site | year(date) | n\na | 1999 | 2\nb | 1999 | 1")
        for query in ("SELECT MONTH(\"date\") AS m, AVG(co2) FROM readings GROUP BY month(date) ORDER BY 2 DESC",
                      "SELECT site AS s, count(*) FROM readings GROUP BY s", "SELECT count(*) FROM readings GROUP BY 1 + 0"):
            assert not kit.call("SQL", {"query": query}).startswith("Note:"), query
    finally:
        kit.close()


def test_a_column_named_without_its_unit_or_as_a_date_is_read_as_the_tables_column(tmp_path):
    """A buoy's table heads its columns "time (UTC)" and "temperature (celsius)"; the 1.5B wrote
    ``temperature``, ``time`` and ``visit_date`` and sent each query three times over, the error asking
    "did you mean temperature (celsius)?". A missing name that is a column without its bracketed unit
    is that column; one named as a date or time is the table's one date column; two date columns, no guess."""
    (tmp_path / "buoy.csv").write_text("time (UTC),temperature (celsius)\n2016-07-04 12:00:00+00,14.8\n"
                                       "2016-08-01 00:00:00+00,19.5\n2016-05-01 00:00:00+00,9.1\n")
    (tmp_path / "trips.csv").write_text("start date,end date,km\n2016-07-04,2016-07-05,3\n")
    kit = GeneralToolkit(data=[tmp_path / "buoy.csv", tmp_path / "trips.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT COUNT(*) FROM buoy WHERE temperature > 10"}) == (
            'Note: read temperature as "temperature (celsius)".\ncount_star()\n2')
        assert kit.call("SQL", {"query": "SELECT AVG(temperature) FROM buoy WHERE month(visit_date) = 8"}) == (
            'Note: read visit_date as "time (UTC)", temperature as "temperature (celsius)".\n'
            'avg("temperature (celsius)")\n19.5')
        with pytest.raises(ToolCallError, match='"trip_date" not found'):  # a start and an end date: which?
            kit.call("SQL", {"query": "SELECT km FROM trips WHERE trip_date = '2016-07-04'"})
    finally:
        kit.close()


def test_a_result_of_more_than_two_rows_is_counted(tmp_path):
    """Shown the seven years whose unemployment was above 8 percent, the 1.5B answered "4": a result
    of more than two rows ends with how many; one or two rows, or a truncated result, do not."""
    (tmp_path / "jobs.csv").write_text("Year,Annual\n" + "".join(f"{1970 + i},{5 + i}\n" for i in range(8)))
    kit = GeneralToolkit(data=[tmp_path / "jobs.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT Year FROM jobs WHERE Annual > 9"}) == "Year\n1975\n1976\n1977\n(3 rows)"
        assert kit.call("SQL", {"query": "SELECT Year FROM jobs WHERE Annual > 10"}) == "Year\n1976\n1977"
    finally:
        kit.close()


def test_an_extreme_with_a_plain_column_is_read_as_the_extreme_rows(tmp_path):
    """The 1.5B asked "In which year was Japan's fertility rate at its lowest?" as ``SELECT
    MIN(fertility), year ... WHERE country = 'Japan'``; DuckDB refused (year is not grouped), it grouped
    by year to please the error and answered the first of 50 years. The plain columns are read as
    those of the row holding the extreme; a grouped query, or one with another aggregate, is not."""
    (tmp_path / "panel.csv").write_text("country,year,fertility\nJapan,1964,1.97\nJapan,2003,1.3\nJapan,2010,1.39\n"
                                        "Niger,2003,7.6\n")
    kit = GeneralToolkit(data=[tmp_path / "panel.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT MIN(fertility) AS lowest, year FROM panel WHERE country = 'Japan'"}) == (
            "Note: read year as that of the row with the least fertility.\nlowest | year\n1.3 | 2003")
        assert kit.call("SQL", {"query": "SELECT country, year, MAX(fertility) FROM panel"}) == (
            "Note: read country, year as those of the row with the greatest fertility.\n"
            "country | year | max(fertility)\nNiger | 2003 | 7.6")
        for query in ("SELECT AVG(fertility), year FROM panel", "SELECT MIN(fertility), COUNT(*), year FROM panel"):
            with pytest.raises(ToolCallError, match="must appear in the GROUP BY"):
                kit.call("SQL", {"query": query})
    finally:
        kit.close()


def test_a_number_no_value_of_its_column_reaches_is_said_to_be_anothers(tmp_path):
    """Over a table with a row a year and a column a month, the 1.5B asked for ``Annual = 1975`` and
    read "(no rows)" as "the table does not contain the year 1975". A number outside everything its
    column holds, held by another column, is said to be that column's; one in its column's range is not."""
    (tmp_path / "rates.csv").write_text("Year,Jan,May,Annual\n1975,8.1,8.3,8.5\n1976,7.9,7.4,7.7\n")
    kit = GeneralToolkit(data=[tmp_path / "rates.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT May FROM rates WHERE Annual = 1975"}) == (
            "May\n(no rows)\nNote: 1975 is not a value of Annual; it is a value of Year.")
        assert kit.call("SQL", {"query": "SELECT May FROM rates WHERE Jan = 8.0"}) == "May\n(no rows)"
    finally:
        kit.close()


def test_a_gap_marker_past_the_sniffers_sample_and_a_last_line_ended_otherwise_are_read(tmp_path):
    """bokeh's CGM.csv (52,281 glucose readings) writes its sensor's gaps "nil" from line 39,460 on,
    past what DuckDB's sniffer samples, and ends its last line with LF after CRLF everywhere else:
    the table could not be loaded at all. Every line is sniffed then, and "nil" is a gap."""
    rows = [f"{20 + i % 7}.5,2010-03-24 {i // 60 % 24:02d}:{i % 60:02d}:00,{100 + i % 50}" for i in range(30_000)]
    rows[25_000] = "nil,2010-08-24 12:38:00,314"
    (tmp_path / "cgm.csv").write_bytes(("isig,datetime,glucose\r\n" + "\r\n".join(rows) + "\n").encode())
    kit = GeneralToolkit(data=[tmp_path / "cgm.csv"])
    try:
        assert kit.call("Tables", {}) == "cgm(isig DOUBLE, datetime TIMESTAMP, glucose BIGINT)"
        assert kit.call("SQL", {"query": "SELECT count(*), count(isig) FROM cgm"}) == "count_star() | count(isig)\n30000 | 29999"
    finally:
        kit.close()


def test_a_bare_number_that_names_a_column_is_that_column(tmp_path):
    """The World Bank writes a column a year (1960 ... 2013); the 1.5B asked ``AVG(T1.1990)``, a syntax
    error it sent four times, and ``AVG(1990)`` is the number 1990 to DuckDB: a wrong answer with no
    error. A bare number naming a column of a table the query reads is that column; a number in a
    string, after LIMIT, or naming no column stays as written."""
    (tmp_path / "rates.csv").write_text('Country Name,1990,2000\nJapan,1.54,1.36\n"Korea, Rep.",1.57,1.47\n')
    kit = GeneralToolkit(data=[tmp_path / "rates.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT AVG(1990) FROM rates"}) == (
            'Note: read 1990 as the column of that name.\navg("1990")\n1.555')
        assert kit.call("SQL", {"query": "SELECT r.2000 - r.1990 FROM rates AS r WHERE \"Country Name\" = 'Japan'"}) == (
            'Note: read 2000, 1990 as the columns of that name.\n(r."2000" - r."1990")\n-0.18')
        assert kit.call("SQL", {"query": "SELECT \"Country Name\" FROM rates WHERE \"Country Name\" <> '1990' LIMIT 2000"}) == (
            "Country Name\nJapan\nKorea, Rep.")
        assert kit.call("SQL", {"query": "SELECT 1991 + 1 AS n FROM rates LIMIT 1"}) == "n\n1992"
    finally:
        kit.close()


def test_names_of_words_unquoted_are_read_and_a_missing_year_points_to_the_year_columns(tmp_path):
    """Over the World Bank's table (``Country Name``, ``Indicator Name``, a column a year) the 1.5B
    wrote ``T1.Country Name`` and ``Indicator Name = ...`` four times over a syntax error, and
    ``year = 2010`` where the years are columns. Names of several words are read quoted; a missing
    year column is answered with the year's own column."""
    (tmp_path / "rates.csv").write_text('Country Name,Indicator Name,1990,2000,2010\n'
                                        'Japan,Fertility,1.54,1.36,1.39\nNiger,Fertility,7.7,7.7,7.6\n')
    kit = GeneralToolkit(data=[tmp_path / "rates.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT T1.Country Name FROM rates AS T1 ORDER BY T1.\"2010\" DESC LIMIT 1"}) == (
            'Note: read Country Name as a column name.\nCountry Name\nNiger')
        with pytest.raises(ToolCallError) as e:
            kit.call("SQL", {"query": "SELECT Country Name FROM rates WHERE Indicator Name = 'Fertility' AND year = 2000"})
        said = str(e.value)
        assert said.startswith("SQL error (after reading Indicator Name, Country Name as column names): ")
        assert 'in rates the years are columns ("1990" … "2010"); select the year\'s column (2000: "2000")' in said
    finally:
        kit.close()


def test_a_filter_copied_from_another_tables_demonstration_is_left_out(tmp_path):
    """Asked for a glucose reading at a time, the 1.5B added ``AND branch = 'Riverside'`` (a seed
    demonstration's, over a shop's visits) to a right query four times. In an episode, a filter on a
    column the table lacks with a value no column holds, neither named by the question, is left out;
    outside an episode, when the question names it, or when it is the only filter, the error stands."""
    (tmp_path / "cgm.csv").write_text("datetime,glucose\n2010-06-15 08:02:00,159\n2010-06-15 08:07:00,162\n")
    kit = GeneralToolkit(data=[tmp_path / "cgm.csv"])
    query = "SELECT glucose FROM cgm WHERE datetime = '2010-06-15 08:02:00' AND branch = 'Riverside'"
    try:
        with kit.asked("What was the glucose reading at 8:02 am on June 15, 2010?"):
            assert kit.call("SQL", {"query": query}) == (
                "Note: left out branch = 'Riverside' (no column branch, no value 'Riverside' here).\nglucose\n159")
            with pytest.raises(ToolCallError, match='"branch" not found'):
                kit.call("SQL", {"query": "SELECT glucose FROM cgm WHERE branch = 'Riverside'"})
        with kit.asked("What was the glucose reading at the Riverside clinic at 8:02 am on June 15, 2010?"):
            with pytest.raises(ToolCallError, match='"branch" not found'):
                kit.call("SQL", {"query": query})
        with pytest.raises(ToolCallError, match='"branch" not found'):
            kit.call("SQL", {"query": query})
    finally:
        kit.close()


def test_groups_that_are_single_rows_are_said_to_be(tmp_path):
    """``SELECT YEAR, MAX(UNEMP) FROM longley GROUP BY YEAR`` lists every year (the 1.5B then answered
    one from the middle), and grouping readings by their timestamp gives readings, not days. A grouped
    query whose keys tell every row of its table apart is told so; grouping by a category is not."""
    (tmp_path / "jobs.csv").write_text("YEAR,UNEMP,kind\n1947,2356,a\n1948,2325,a\n1961,4806,b\n1962,4007,b\n")
    (tmp_path / "cgm.csv").write_text("datetime,glucose\n2010-06-15 08:02:00,159\n2010-06-15 08:07:00,162\n"
                                      "2010-06-16 09:00:00,120\n")
    kit = GeneralToolkit(data=[tmp_path / "jobs.csv", tmp_path / "cgm.csv"])
    try:
        said = kit.call("SQL", {"query": "SELECT YEAR, MAX(UNEMP) FROM jobs GROUP BY YEAR"})
        assert said.endswith("\nNote: every row of jobs has its own YEAR, so each group above is one row and each aggregate "
                             "that row's value; to find the row with the greatest or least, ORDER BY the column DESC or ASC LIMIT 1.")
        said = kit.call("SQL", {"query": "SELECT datetime, AVG(glucose) AS g FROM cgm GROUP BY datetime ORDER BY g DESC LIMIT 1"})
        assert said.endswith('; to group by day, GROUP BY CAST("datetime" AS DATE).')
        assert "Note" not in kit.call("SQL", {"query": "SELECT kind, MAX(UNEMP) FROM jobs GROUP BY kind"})
    finally:
        kit.close()


def test_an_extreme_ordered_and_a_group_ordered_by_its_aggregated_column_are_read(tmp_path):
    """After practice the 1.5B wrote ``SELECT datetime, MAX(glucose) ... ORDER BY glucose DESC LIMIT 1``
    (refused: datetime is not grouped) and then ``GROUP BY datetime ORDER BY glucose`` three times
    (refused: glucose is not grouped). The first is the extreme row's (the order says nothing of one
    row); the second is ordered by the aggregate of that column."""
    (tmp_path / "cgm.csv").write_text("datetime,glucose\n2010-06-15 08:02:00,159\n2010-07-03 02:38:00,400\n"
                                      "2010-06-16 09:00:00,120\n")
    kit = GeneralToolkit(data=[tmp_path / "cgm.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT datetime, MAX(glucose) FROM cgm ORDER BY glucose DESC LIMIT 1"}) == (
            "Note: read datetime as that of the row with the greatest glucose.\ndatetime | max(glucose)\n2010-07-03 02:38:00 | 400")
        said = kit.call("SQL", {"query": "SELECT datetime, MAX(glucose) FROM cgm GROUP BY datetime ORDER BY glucose DESC LIMIT 1"})
        assert said.startswith("Note: read ORDER BY glucose as ORDER BY MAX(glucose).\ndatetime | max(glucose)\n2010-07-03 02:38:00 | 400")
    finally:
        kit.close()


def test_a_missing_column_over_a_table_with_one_measure_is_that_measure(tmp_path):
    """A series a person keeps has one column of numbers: the 1.5B asked the Nile's yearly table
    (year, volume) for ``flow`` four times, and a turnover index whose column is a code
    (``STS.M.I7.W.TOVT.NS0016.4.000``, dates written ``Jan-1-1995``) for ``index_value``, ``index``
    and a demonstration's ``salary``. A missing column there is the measure, and the reply says so;
    not a date part, not one compared with text, and not where the table has two measures."""
    (tmp_path / "nile.csv").write_text("year,volume\n1871,1120\n1872,1160\n1913,456\n")
    (tmp_path / "index.csv").write_text("DATE,STS.M.I7.W.TOVT.NS0016.4.000\nJan-1-2009,90.5\nFeb-1-2009,92.94\nJan-1-2010,95\n")
    (tmp_path / "two.csv").write_text("year,low,high\n2000,1,5\n")
    kit = GeneralToolkit(data=[tmp_path / "nile.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT year FROM flows WHERE flow < 500"}) == \
            'Note: read table flows as nile.\nNote: read flow as "volume".\nyear\n1913'
        with pytest.raises(ToolCallError, match='column "river" not found'):
            kit.call("SQL", {"query": "SELECT count(*) FROM nile WHERE river = 'Nile'"})
    finally:
        kit.close()
    kit = GeneralToolkit(data=[tmp_path / "index.csv"])
    try:
        assert "DATE DATE" in kit.call("Tables", {})
        assert kit.call("SQL", {"query": "SELECT round(avg(index_value), 2) FROM elec WHERE year = 2009"}).endswith("\n91.72")
    finally:
        kit.close()
    kit = GeneralToolkit(data=[tmp_path / "two.csv"])
    try:
        with pytest.raises(ToolCallError, match='column "price" not found'):  # low or high? no guess
            kit.call("SQL", {"query": "SELECT price FROM two"})
    finally:
        kit.close()


def test_a_value_no_row_holds_in_a_column_of_few_values_lists_them(tmp_path):
    """The 1.5B counted ``winner = 'winner'`` and ``result = 'outstanding majority'`` over an
    election's districts, got 0 and answered 0; the note now lists what such a column holds."""
    (tmp_path / "election.csv").write_text("district,winner,result\nA,Coderre,plurality\nB,Joly,majority\nC,Coderre,majority\n")
    kit = GeneralToolkit(data=[tmp_path / "election.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT count(*) FROM election WHERE result = 'outstanding majority'"})
        assert got.endswith("Note: 'outstanding majority' is not a value of result; its values are 'majority', 'plurality'.")
        assert "Note" not in kit.call("SQL", {"query": "SELECT count(*) FROM election WHERE winner = 'Joly'"})
    finally:
        kit.close()


def test_min_of_the_key_for_which_key_had_the_least_gets_a_note(tmp_path):
    """The 1.5B answered "Which year had the lowest Nile flow?" with ``SELECT min(year) FROM nile``,
    the table's first year. When the question asks which key holds the most or least of something
    and the query took MIN or MAX of that key over the whole table, a note says how to find the row;
    "the earliest year" and a filtered MIN ("the first year below 700") are meant as written."""
    (tmp_path / "nile.csv").write_text("year,volume\n1871,1120\n1872,1160\n1913,456\n")
    kit = GeneralToolkit(data=[tmp_path / "nile.csv"])
    try:
        with kit.asked("Which year had the lowest Nile flow?"):
            got = kit.call("SQL", {"query": "SELECT min(year) FROM nile"})
            assert got.endswith('Note: MIN(year) is the least year itself, not the year with the lowest value of another column; '
                                'for that, SELECT "year" FROM "nile" ORDER BY that column ASC LIMIT 1.')
            assert "Note" not in kit.call("SQL", {"query": "SELECT year FROM nile ORDER BY volume LIMIT 1"})
        for question, query in (("What is the earliest year in the table?", "SELECT min(year) FROM nile"),
                                ("What was the first year the flow dropped below 700?", "SELECT min(year) FROM nile WHERE volume < 700")):
            with kit.asked(question):
                assert "Note" not in kit.call("SQL", {"query": query})
    finally:
        kit.close()


def test_a_percentage_on_the_other_scale_gets_a_note(tmp_path):
    """The 1.5B counted "cows that gave milk with more than 5% butterfat" with ``butterfat > 0.05``
    where butterfat holds percentages (3.3 to 6.6): every cow. The note names the number meant, on
    either scale; a comparison on the column's own scale, or a question with no percentage, gets none."""
    (tmp_path / "cows.csv").write_text("butterfat,share,breed\n3.3,0.02,Jersey\n5.2,0.07,Jersey\n6.1,0.2,Ayrshire\n")
    kit = GeneralToolkit(data=[tmp_path / "cows.csv"])
    try:
        with kit.asked("how many cows gave milk with more than 5% butterfat?"):
            got = kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE butterfat > 0.05"})
            assert got.endswith("Note: butterfat runs from 3.3 to 6.1, so the question's 5% is butterfat > 5 here, not 0.05.")
            assert "Note" not in kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE butterfat > 5"})
            assert "share > 0.05 here, not 5" in kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE share > 5"})
        with kit.asked("how many cows gave more than 0.05 butterfat?"):
            assert "Note" not in kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE butterfat > 0.05"})
    finally:
        kit.close()


def test_a_text_order_that_holds_for_no_row_gets_a_note(tmp_path):
    """The 1.5B added ``age > 'Mature'`` (a condition never asked; 'Mature' is the last of age's values
    in text order) to a count, got 0 and answered 0."""
    (tmp_path / "cows.csv").write_text("butterfat,age,breed\n3.3,Mature,Jersey\n5.2,2 years old,Jersey\n")
    kit = GeneralToolkit(data=[tmp_path / "cows.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE butterfat > 5 AND age > 'Mature'"})
        assert got.endswith("Note: age > 'Mature' holds for no row: it compares text in alphabetical order; "
                            "its values are '2 years old', 'Mature'.")
        assert "Note" not in kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE age >= 'Mature'"})
    finally:
        kit.close()


def test_the_first_word_of_a_family_of_values_is_a_value_to_use(tmp_path):
    """"how many different Firefox versions are listed?" over a column of "Firefox 25.0", "Chrome
    31.0" ...: the 1.5B counted every version. The first word values share is a value the question
    names (the refusal's :meth:`unused_values`), and a filter on it alone gets the LIKE that finds them."""
    rows = ["Chrome 30.0", "Chrome 31.0", "Firefox 25.0", "Firefox 24.0", "Firefox 26.0", "The Browser", "The Other", "Opera 12"]
    (tmp_path / "browsers.csv").write_text("version,share\n" + "".join(f"{v},{i}\n" for i, v in enumerate(rows)))
    kit = GeneralToolkit(data=[tmp_path / "browsers.csv"])
    try:
        counted = ("SQL", {"query": "SELECT count(DISTINCT version) FROM browsers"})
        assert kit.unused_values("how many different Firefox versions are listed?", [counted]).values == ["Firefox"]
        assert kit.unused_values("how many versions does the table list?", [counted]) is None  # "The" begins two, and is no value
        got = kit.call("SQL", {"query": "SELECT count(*) FROM browsers WHERE version = 'Firefox'"})
        assert got.endswith("\"version\" LIKE 'Firefox %' matches the 3 that begin with it.")
    finally:
        kit.close()


def test_the_second_highest_is_not_the_first_row(tmp_path):
    """The 1.5B answered "which breed has the second-highest average butterfat?" with ``ORDER BY ...
    DESC LIMIT 1``: the highest."""
    (tmp_path / "cows.csv").write_text("butterfat,breed\n3.3,Ayrshire\n5.2,Jersey\n4.1,Guernsey\n")
    kit = GeneralToolkit(data=[tmp_path / "cows.csv"])
    try:
        with kit.asked("Which breed has the second-highest average butterfat?"):
            got = kit.call("SQL", {"query": "SELECT breed FROM cows GROUP BY breed ORDER BY avg(butterfat) DESC LIMIT 1"})
            assert got.endswith("Note: LIMIT 1 keeps the first row of that order; the question asks the second: LIMIT 1 OFFSET 1.")
            assert "Note" not in kit.call("SQL", {"query": "SELECT breed FROM cows GROUP BY breed ORDER BY avg(butterfat) DESC LIMIT 1 OFFSET 1"})
        with kit.asked("Which breed has the highest average butterfat?"):
            assert "Note" not in kit.call("SQL", {"query": "SELECT breed FROM cows GROUP BY breed ORDER BY avg(butterfat) DESC LIMIT 1"})
    finally:
        kit.close()


def test_a_missing_column_that_is_also_an_alias_is_read_as_the_sole_measure(tmp_path):
    """The 1.5B copied a demonstration's ``SUM(units) AS units FROM sales`` onto a table of browser shares;
    DuckDB's error for a missing column that is also an alias ("referenced that exists in the SELECT
    clause") is read as the missing column it is: the table's one measure."""
    (tmp_path / "browsers.csv").write_text('"Browser Version","Market Share Perc. (Nov 2013)"\nChrome 30.0,18.51\nFirefox 25.0,11.21\nIE 10.0,11.1\n')
    kit = GeneralToolkit(data=[tmp_path / "browsers.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT browser_version, SUM(units) AS units FROM sales GROUP BY browser_version ORDER BY units DESC LIMIT 2"})
        assert 'units as "Market Share Perc. (Nov 2013)"' in got and "Chrome 30.0 | 18.51\nFirefox 25.0 | 11.21" in got
    finally:
        kit.close()


def test_two_aggregates_joined_by_an_operator_are_read_as_two_subqueries(tmp_path):
    """For "how much higher is the average butterfat of the 2-year-olds than of the mature ones?" the
    1.5B wrote ``SELECT AVG(b) FROM cows WHERE ... - AVG(b) FROM cows WHERE ...``, a syntax error, then
    looped; an operator inside a string is no such join."""
    (tmp_path / "cows.csv").write_text("butterfat,age\n5.0,2 years old\n4.0,Mature\n4.5,Mature\n")
    kit = GeneralToolkit(data=[tmp_path / "cows.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT AVG(butterfat) FROM cows WHERE age = '2 years old' - SELECT AVG(butterfat) FROM cows WHERE age = 'Mature'"})
        assert got.startswith("Note: read as SELECT (SELECT AVG(butterfat) FROM cows WHERE age = '2 years old') - (SELECT AVG(butterfat) ")
        assert got.endswith("result\n0.75")
        got = kit.call("SQL", {"query": "SELECT count(*) FROM cows WHERE age = '2 - 3' - count(*) FROM cows"})
        assert "(SELECT count(*) FROM cows WHERE age = '2 - 3') - (SELECT count(*) FROM cows)" in got and got.endswith("-3")
        with pytest.raises(ToolCallError, match="syntax error"):
            kit.call("SQL", {"query": "SELECT butterfat FROM cows WHERE age = 'Mature' - butterfat FROM cows"})
    finally:
        kit.close()


def test_a_name_of_several_words_written_with_other_punctuation_is_read(tmp_path):
    """The 1.5B wrote ``WHERE market_share_perc. (Nov 2013) >= 1`` for the column "Market Share Perc. (Nov
    2013)", a syntax error, then answered 100 from Calculate. A bare name whose words are a column's,
    joined by ``_ . ( ) -`` or spaces, is read as that column; an identifier stays a missing column's."""
    rows = [f"{name} {v}.0,{v / 10}" for name in ("Chrome", "IE") for v in range(5, 10)]  # ten values: no short list
    (tmp_path / "browsers.csv").write_text('"Browser Version","Market Share Perc. (Nov 2013)"\n' + "\n".join(rows) + "\nSilk,0.1\n")
    kit = GeneralToolkit(data=[tmp_path / "browsers.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT COUNT(*) FROM browsers WHERE market_share_perc. (Nov 2013) >= 1"})
        assert got == "Note: read Market Share Perc. (Nov 2013) as a column name.\ncount_star()\n0"
        got = kit.call("SQL", {"query": "SELECT COUNT(*) FROM browsers WHERE Market Share Perc. (Nov 2013 >= 0.5"})
        assert got.endswith("count_star()\n10")  # the closing bracket left out too
        got = kit.call("SQL", {"query": "SELECT SUM(\"Market Share Perc. (Nov 2013)\") FROM browsers WHERE \"Browser Version\" = 'Internet Explorer'"})
        assert got.endswith("Note: 'Internet Explorer' is not a value of Browser Version; its values begin with 'Chrome', 'IE'.")
    finally:
        kit.close()


def test_a_percentage_change_that_subtracts_first_gets_a_note(tmp_path):
    """The 1.5B computed "By what percentage did sunspot activity increase from 1996 to 2000?" as
    ``new - old * 100 / old`` and answered 19.6 for 1290.7."""
    (tmp_path / "sun.csv").write_text("YEAR,SUN\n1996,8.6\n2000,119.6\n")
    kit = GeneralToolkit(data=[tmp_path / "sun.csv"])
    new, old = "(SELECT SUN FROM sun WHERE YEAR = 2000)", "(SELECT SUN FROM sun WHERE YEAR = 1996)"
    try:
        with kit.asked("By what percentage did sunspot activity increase from 1996 to 2000?"):
            got = kit.call("SQL", {"query": f"SELECT ROUND({new} - {old} * 100 / {old}, 1)"})
            assert got.endswith("Note: * and / come before -, so this is new - (old * 100 / old); "
                                "a percentage change is (new - old) * 100 / old.")
            assert "Note" not in kit.call("SQL", {"query": f"SELECT ROUND(({new} - {old}) * 100 / {old}, 1)"})
        with kit.asked("How much did sunspot activity increase from 1996 to 2000?"):
            assert "Note" not in kit.call("SQL", {"query": f"SELECT {new} - {old} * 2"})
    finally:
        kit.close()


def test_a_csv_padded_to_line_up_is_read_as_its_values(tmp_path):
    """bokeh's sprint.csv lines its fields up with spaces and quotes names after them: DuckDB kept
    ``   "JAM"`` as a value, quotes and all, beside ``USA`` where one space stood before the quote, so
    ``Country = 'JAM'`` found nothing. Padded text columns are read as their values; a column whose
    values only contain spaces ("Usain Bolt") stays as it is, and so does a clean file."""
    (tmp_path / "sprint.csv").write_text('Name,                 Country, Medal,     Time\n'
                                         '"Usain Bolt",         "JAM",   "GOLD",    9.63\n'
                                         '"T. \\"Eddie\\" Tolan", "USA",   "SILVER",  10.30\n'
                                         '"Ben Johnson",        "CAN",   "BRONZE",  9.98\n')
    (tmp_path / "clean.csv").write_text('name,note\nA, leading space kept\nB,plain\nC,plain too\n')
    kit = GeneralToolkit(data=[tmp_path / "sprint.csv", tmp_path / "clean.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT Name, Country, Medal FROM sprint WHERE Country IN ('JAM', 'USA') ORDER BY Time"}) == \
            'Name | Country | Medal\nUsain Bolt | JAM | GOLD\nT. "Eddie" Tolan | USA | SILVER'
        assert kit.call("SQL", {"query": "SELECT note FROM clean WHERE name = 'A'"}) == "note\n leading space kept"
    finally:
        kit.close()


def test_a_filter_on_a_missing_column_whose_value_one_column_holds_is_read_as_that_column(tmp_path):
    """Told "'Tabl' is a value of type: write type = 'Tabl'", the 1.5B sent ``WHERE tabl = 'Tabl'`` four
    times more; a missing column's name that is a value gets where to find those rows."""
    (tmp_path / "glass.csv").write_text("Si,Al,type\n70.1,1.2,Tabl\n75.41,1.0,Tabl\n72.0,2.1,WinF\n")
    kit = GeneralToolkit(data=[tmp_path / "glass.csv"])
    try:
        assert kit.call("SQL", {"query": "SELECT MAX(Si) FROM glass WHERE tabl = 'Tabl'"}) == \
            "Note: read tabl as \"type\" ('Tabl' is a value of type).\nmax(Si)\n75.41"
        with pytest.raises(ToolCallError, match="There is no column WinF; 'WinF' is a value of type: for the rows where type is 'WinF'"):
            kit.call("SQL", {"query": "SELECT AVG(Al) - AVG(WinF) FROM glass"})
    finally:
        kit.close()


def test_two_counts_with_the_first_written_twice_are_read_as_two_subqueries(tmp_path):
    """``SELECT COUNT(*) - COUNT(*) FROM t WHERE race = 'Black' - COUNT(*) FROM t WHERE race = 'Latino'``:
    the 1.5B's difference of two counts, the first count written twice."""
    (tmp_path / "riots.csv").write_text("race\nBlack\nBlack\nBlack\nLatino\n")
    kit = GeneralToolkit(data=[tmp_path / "riots.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT COUNT(*) - COUNT(*) FROM riots WHERE race = 'Black' - COUNT(*) FROM riots WHERE race = 'Latino'"})
        assert got.endswith("result\n2") and "(SELECT COUNT(*) FROM riots WHERE race = 'Black') - (SELECT COUNT(*)" in got
    finally:
        kit.close()


def test_made_up_filters_after_a_table_read_are_left_out(tmp_path):
    """Asked which country won the most 100 m golds, the 1.5B queried ``athletes_events WHERE event =
    '100m' AND gender = 'M' AND medal = 'Gold'`` over a table of medals: the table's name is read, then
    both filters on columns and values the data does not have are left out, and 'Gold' read as 'GOLD'."""
    (tmp_path / "sprint.csv").write_text("Name,Country,Medal,Time\nA,USA,GOLD,9.9\nB,USA,GOLD,9.8\nC,JAM,GOLD,9.6\nD,JAM,SILVER,9.7\n")
    kit = GeneralToolkit(data=[tmp_path / "sprint.csv"])
    query = ("SELECT country, COUNT(*) AS golds FROM athletes_events WHERE event = '100m' AND gender = 'M' AND medal = 'Gold' "
             "GROUP BY country ORDER BY golds DESC LIMIT 1")
    try:
        with kit.asked("Which country has won the most gold medals in the men's 100 metres?"):
            got = kit.call("SQL", {"query": query})
        assert got.startswith("Note: read table athletes_events as sprint.\nNote: left out event = '100m' (no column event, "
                              "no value '100m' here); gender = 'M' (no column gender, no value 'M' here).\n")
        assert got.endswith("Country | golds\nUSA | 2")
    finally:
        kit.close()


def test_a_number_outside_a_columns_values_gets_its_range(tmp_path):
    """The 1.5B counted Jamaica's 100 m medals with ``Time = 100`` over times of 9.63 to 12.6 seconds
    and answered 0; a missing column spelled like another keeps its spelling hint even where a value
    of another case is its name ("death" beside death_date and the type "Death")."""
    (tmp_path / "sprint.csv").write_text("Country,Time,type,death_date\nJAM,9.63,Death,2000-01-01\nUSA,12.6,Homicide,2000-01-02\n")
    kit = GeneralToolkit(data=[tmp_path / "sprint.csv"])
    try:
        got = kit.call("SQL", {"query": "SELECT COUNT(*) FROM sprint WHERE Country = 'JAM' AND Time = 100"})
        assert got.endswith("Note: no row has Time = 100: Time runs from 9.63 to 12.6.")
        with pytest.raises(ToolCallError, match="did you mean death_date"):
            kit.call("SQL", {"query": "SELECT type FROM sprint WHERE death IS NOT NULL"})
    finally:
        kit.close()


def test_a_table_sent_to_calculate_or_python_is_sent_back_to_sql(kit):
    """Calculate and PythonInterpreter run without the user's files: a failed call naming a table
    says that only SQL reads it, with the columns; other failures read as before."""
    with pytest.raises(ToolCallError) as e:
        kit.call("PythonInterpreter", {"code": "ans = penguins[penguins['sex'] == 'male']['mass_g'].mean()"})
    assert "NameError: name 'penguins' is not defined. penguins is a table that only the SQL tool reads" in str(e.value)
    assert "write this as one SQL query. Tables: penguins(species" in str(e.value)
    with pytest.raises(ToolCallError) as e:
        kit.call("Calculate", {"expression": "round(AVG(price) FROM prices WHERE symbol = 'IBM')"})
    assert "prices is a table that only the SQL tool reads" in str(e.value)
    with pytest.raises(ToolCallError) as e:
        kit.call("Calculate", {"expression": "2 +* 3"})
    assert str(e.value) == "Calculate: cannot parse '2 +* 3' as arithmetic"
    with pytest.raises(ToolCallError) as e:
        kit.call("PythonInterpreter", {"code": "ans = 1 / 0"})
    assert "SQL" not in str(e.value)
    assert kit.call("Calculate", {"expression": "2 + 3"}) == "5"


def test_a_column_named_like_a_keyword_is_read_as_the_column(tmp_path):
    """A table of mammals has a column ``order``; the 1.5B wrote ``WHERE order = 'Primates'``, a
    syntax error. Written bare, and not as ORDER BY or GROUP BY, it is the column."""
    (tmp_path / "mammals.csv").write_text("name,order,sleep\nOwl monkey,Primates,17\nHuman,Primates,8\nLion,Carnivora,13.5\n")
    k = GeneralToolkit(data=[tmp_path / "mammals.csv"])
    try:
        out = k.call("SQL", {"query": "SELECT AVG(sleep) FROM mammals WHERE order = 'Primates'"})
        assert out.startswith('Note: read "order" as a column name.') and out.endswith("12.5")
        out = k.call("SQL", {"query": "SELECT order, COUNT(*) AS n FROM mammals GROUP BY order ORDER BY n DESC LIMIT 1"})
        assert out.endswith("Primates | 2")
        with pytest.raises(ToolCallError) as e:  # another mistake: the error stands
            k.call("SQL", {"query": "SELECT name FROM mammals WHERE order = 'Primates' ORDER BY"})
        assert "syntax error" in str(e.value)
        assert "read" not in k.call("SQL", {"query": "SELECT name FROM mammals WHERE name = 'order' ORDER BY sleep"})  # a literal stays
    finally:
        k.close()
