"""Rebuild ``experiences.jsonl`` of the general seed pool by really running its tool calls.

The questions, thoughts and calls below were written by hand (invented for seer; none comes
from a benchmark). Every observation is produced by running the call through the ``general``
toolkit over the files in ``data/``, and the script refuses to write the pool if a Finish answer
does not appear in the observations it is based on.

    python pools/general-seed/make_seed.py        # rewrites pools/general-seed/experiences.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

C, PY, SQL, R, T = "Calculate", "PythonInterpreter", "SQL", "Retrieve", "Tables"

# (question, intent, [(thought, tool, args)], answer)
SEED = [
    ("What is 48 * 37?", "math",
     [("Multiply the two numbers with the calculator.", C, {"expression": "48 * 37"})], "1776"),
    ("What is 1234 + 5678 - 910?", "math",
     [("Add and subtract with the calculator.", C, {"expression": "1234 + 5678 - 910"})], "6002"),
    ("What is 15% of 240?", "math",
     [("15% of 240 is 240 * 15 / 100.", C, {"expression": "240 * 15 / 100"})], "36"),
    ("A jacket costs $80 and is discounted by 25%. What is the sale price in dollars?", "math",
     [("The sale price is 80 * (1 - 0.25).", C, {"expression": "80 * (1 - 0.25)"})], "60"),
    ("Convert 5 miles to kilometers.", "math",
     [("One mile is 1.609344 km, so multiply.", C, {"expression": "5 * 1.609344"})], "8.04672"),
    ("How many seconds are there in 3 hours?", "math",
     [("3 hours times 60 minutes times 60 seconds.", C, {"expression": "3 * 60 * 60"})], "10800"),
    ("Convert 100 degrees Fahrenheit to Celsius, rounded to 2 decimals.", "math",
     [("Celsius = (F - 32) * 5 / 9, rounded to 2 decimals.", C, {"expression": "round((100 - 32) * 5 / 9, 2)"})], "37.78"),
    ("What is the square root of 1764?", "math",
     [("Use sqrt in the calculator.", C, {"expression": "sqrt(1764)"})], "42"),
    ("What is the average of 12, 18 and 27, multiplied by 4?", "math",
     [("First the average of the three numbers.", C, {"expression": "(12 + 18 + 27) / 3"}),
      ("Now multiply the average 19 by 4.", C, {"expression": "19 * 4"})], "76"),
    ("How many times does the letter 's' appear in 'mississippi'?", "code",
     [("Count the letter with Python and store it in ans.", PY, {"code": "ans = 'mississippi'.count('s')"})], "4"),
    ("Reverse the string 'seer agent'.", "code",
     [("Reverse the string with a slice.", PY, {"code": "ans = 'seer agent'[::-1]"})], "tnega rees"),
    ("How many prime numbers are there below 100?", "code",
     [("Count primes below 100 with a short loop.", PY,
       {"code": "ans = sum(1 for n in range(2, 100) if all(n % d for d in range(2, int(n ** 0.5) + 1)))"})], "25"),
    ("What is the sum of the digits of 2 to the power of 15?", "code",
     [("Compute 2**15 and add its digits in Python.", PY, {"code": "ans = sum(int(d) for d in str(2 ** 15))"})], "26"),
    ("How many days are there between 2024-01-15 and 2024-03-01?", "code",
     [("Subtract the two dates with datetime.", PY,
       {"code": "from datetime import date\nans = (date(2024, 3, 1) - date(2024, 1, 15)).days"})], "46"),
    ("In sales.csv, what is the total revenue of the North region?", "data",
     [("Sum the revenue of the North rows.", SQL, {"query": "SELECT SUM(revenue) FROM sales WHERE region = 'North'"})], "570"),
    ("In employees.csv, how many employees work in Engineering?", "data",
     [("Count the Engineering rows.", SQL, {"query": "SELECT COUNT(*) FROM employees WHERE department = 'Engineering'"})], "3"),
    ("In employees.csv, who has the highest salary?", "data",
     [("Sort by salary and take the first name.", SQL, {"query": "SELECT name, salary FROM employees ORDER BY salary DESC LIMIT 1"})], "Chen Wei"),
    ("In sales.csv, which product sold the most units?", "data",
     [("Group the units by product and take the largest.", SQL,
       {"query": "SELECT product, SUM(units) AS units FROM sales GROUP BY product ORDER BY units DESC LIMIT 1"})], "Widget"),
    ("In sales.csv, what percentage of the total revenue came from the South region?", "data",
     [("First the South revenue.", SQL, {"query": "SELECT SUM(revenue) FROM sales WHERE region = 'South'"}),
      ("Now the total revenue of all regions.", SQL, {"query": "SELECT SUM(revenue) FROM sales"}),
      ("The share is 1035 / 2860 * 100, rounded to 1 decimal.", C, {"expression": "round(1035 / 2860 * 100, 1)"})], "36.2"),
    ("According to the docs, which port does the Orchard server listen on by default?", "docs",
     [("Search the documents for the default port.", R, {"query": "Orchard server default port"})], "8470"),
    ("According to the docs, who leads the team that maintains the nightly backups?", "docs",
     [("Search the documents for the backup system.", R, {"query": "nightly backup system maintained by"})], "Priya Natarajan"),
    ("According to the docs, for how many days are backups kept, in weeks?", "docs",
     [("Find how long backups are kept.", R, {"query": "how long backups are kept"}),
      ("30 days divided by 7 gives weeks, rounded to 1 decimal.", C, {"expression": "round(30 / 7, 1)"})], "4.3"),
    # schema first, then SQL: look at the columns before writing the query
    ("Which library branch had the most visitors in total?", "data",
     [("Check which tables and columns exist first.", T, {}),
      ("visits has branch and visitors; sum per branch and take the largest.", SQL,
       {"query": "SELECT branch, SUM(visitors) AS total FROM visits GROUP BY branch ORDER BY total DESC LIMIT 1"})], "Riverside"),
    ("What is the average salary of the employees who started before 2020, rounded to the nearest unit?", "data",
     [("Look at the tables to find the salary and start year columns.", T, {}),
      ("employees has salary and start_year; average the salaries with start_year < 2020.", SQL,
       {"query": "SELECT ROUND(AVG(salary)) FROM employees WHERE start_year < 2020"})], "91333"),
    # aggregate SQL over dates: year() and month() of a DATE column (LIKE does not work on dates)
    ("How many visitors did the Central branch have in 2023?", "data",
     [("Sum the visitors of Central rows whose visit_date is in 2023; visit_date is a DATE, so use year().", SQL,
       {"query": "SELECT SUM(visitors) FROM visits WHERE branch = 'Central' AND year(visit_date) = 2023"})], "11608"),
    ("How many events were held across all branches in June 2022?", "data",
     [("Sum the events of rows in year 2022 and month 6 of visit_date.", SQL,
       {"query": "SELECT SUM(events) FROM visits WHERE year(visit_date) = 2022 AND month(visit_date) = 6"})], "8"),
    ("What was the average number of visitors per month at Riverside, rounded to 1 decimal?", "data",
     [("Average the visitors of the Riverside rows (one row per month) and round in SQL.", SQL,
       {"query": "SELECT ROUND(AVG(visitors), 1) FROM visits WHERE branch = 'Riverside'"})], "970.2"),
    ("How many sales orders had more than 5 units?", "data",
     [("Count the orders with units above 5.", SQL, {"query": "SELECT COUNT(*) FROM sales WHERE units > 5"})], "6"),
    # retrieve, then answer or calculate: no "according to the docs", as users ask
    ("How often are laptops replaced?", "docs",
     [("Search the documents for the laptop replacement rule.", R, {"query": "laptops replaced every"})], "every 4 years"),
    ("How much is paid for driving 120 km to a conference with your own car?", "docs",
     [("Find the rate per km for travel with your own car.", R, {"query": "paid per km own car"}),
      ("The rate is 0.25 euros per km, so multiply by 120.", C, {"expression": "0.25 * 120"})], "30"),
    # the user's own tools (--tools): call the function with typed arguments, compute after it if asked
    ("How much does a 3-night stay in a double room cost?", "other",
     [("room_price gives the price of a stay; call it with nights and room.", "room_price", {"nights": 3, "room": "double"})], "360"),
    ("What is the European shoe size for a US size 9.5?", "other",
     [("shoe_size_eu converts a US size.", "shoe_size_eu", {"us_size": 9.5})], "42.5"),
    ("Two friends share a double room for 4 nights. How much does each of them pay?", "other",
     [("First the price of the whole stay with room_price.", "room_price", {"nights": 4, "room": "double"}),
      ("Each pays half of 480.", C, {"expression": "480 / 2"})], "240"),
]


def build(settings=None):
    from seer_cli.pool.records import Experience, Step
    from seer_cli.toolkits import get_toolkit

    import tempfile

    cache = tempfile.mkdtemp(prefix="seer-seed-")  # the Retrieve index, thrown away
    kit = get_toolkit("general", data=sorted(DATA.glob("*.csv")), docs=DATA / "docs",
                      tools_file=DATA / "seed_tools.py", cache_dir=cache)
    exps = []
    try:
        for question, intent, calls, answer in SEED:
            steps = []
            for thought, tool, args in calls:
                obs = kit.call(tool, args)
                steps.append(Step(thought, tool, args, obs))
            seen = " ".join(s.observation for s in steps)
            if answer.lower() not in seen.lower():
                raise SystemExit(f"{question!r}: answer {answer!r} not in observations: {seen!r}")
            steps.append(Step("I have the answer.", "Finish", {"answer": answer}, ""))
            exps.append(Experience(question, steps, answer, intent=intent, success_source="user",
                                   origin="seed:general", model=None, created_at="2025-01-01T00:00:00+00:00"))
    finally:
        kit.close()
    return exps


def main() -> int:
    import orjson

    exps = build()
    lines = [orjson.dumps(e.to_dict()) for e in exps]
    (HERE / "experiences.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    print(f"wrote {len(lines)} experiences to {HERE / 'experiences.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
