"""Build pools/toolqa-seed/experiences.jsonl from the hand-written trajectories below (invented questions).

Usage: RUN_TOOLS=1 TOOLQA_DIR=<dir with data/external_corpus/coffee> python pools/toolqa-seed/build_seed.py pools/toolqa-seed/experiences.jsonl

Coffee observations come from the real toolqa toolkit on the real coffee_price.csv when
available (RUN_TOOLS=1); other domains use official-format text.
"""
import os
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from seer_cli.pool.records import Experience, Step

CREATED = "2026-11-25T00:00:00+00:00"
FLIGHT_COLS = "FlightDate, Airline, Origin, Dest, Cancelled, Diverted, CRSDepTime, DepTime, DepDelayMinutes, DepDelay, ArrTime, ArrDelayMinutes, AirTime, CRSElapsedTime, ActualElapsedTime, Distance, Year, Quarter, Month, DayofMonth, DayOfWeek, Marketing_Airline_Network, Operated_or_Branded_Code_Share_Partners, DOT_ID_Marketing_Airline, IATA_Code_Marketing_Airline, Flight_Number_Marketing_Airline, Operating_Airline, DOT_ID_Operating_Airline, IATA_Code_Operating_Airline, Tail_Number, Flight_Number_Operating_Airline, OriginAirportID, OriginAirportSeqID, OriginCityMarketID, OriginCityName, OriginState, OriginStateFips, OriginStateName, OriginWac, DestAirportID, DestAirportSeqID, DestCityMarketID, DestCityName, DestState, DestStateFips, DestStateName, DestWac, DepDel15, DepartureDelayGroups, DepTimeBlk, TaxiOut, WheelsOff, WheelsOn, TaxiIn, CRSArrTime, ArrDelay, ArrDel15, ArrivalDelayGroups, ArrTimeBlk, DistanceGroup, DivAirportLandings"
FLIGHT_LOADED = f"We have successfully loaded the flights database, including the following columns: {FLIGHT_COLS}."
YELP_LOADED = "We have successfully loaded the yelp database, including the following columns: business_id, name, address, city, state, postal_code, latitude, longitude, stars, review_count, is_open, attributes, categories, hours."
AIRBNB_LOADED = "We have successfully loaded the airbnb database, including the following columns: id, NAME, host id, host_identity_verified, host name, neighbourhood group, neighbourhood, lat, long, country, country code, instant_bookable, cancellation_policy, room type, Construction year, price, service fee, minimum nights, number of reviews, last review, reviews per month, review rate number, calculated host listings count, availability 365, house_rules, license."
DBLP_LOADED = "DBLP graph is loaded."

S = Step


def E(intent, question, steps, answer):
    return (intent, question, steps, answer)


ENTRIES = [
    # ---------------------------------------------------------------- flight
    E("flight", "Which airline operated flight 4411 from ORD to GRR on 2022-05-09?", [
        S("This is about one flight, so I load the flights table.", "LoadDB", {"db": "flights"}, FLIGHT_LOADED),
        S("Keep only the row of that flight.", "FilterDB", {"condition": "Flight_Number_Marketing_Airline=4411, Origin=ORD, Dest=GRR, FlightDate=2022-05-09"}, "We have successfully filtered the data (1 rows)."),
        S("The Airline column names the operating carrier.", "GetValue", {"column": "Airline"}, "SkyWest Airlines Inc."),
        S("The flight was operated by SkyWest Airlines Inc.", "Finish", {"answer": "SkyWest Airlines Inc."}, ""),
    ], "SkyWest Airlines Inc."),
    E("flight", "Which aircraft tail number flew WN1290 from MDW to STL on 2022-02-19?", [
        S("I need the flights table.", "LoadDB", {"db": "flights"}, FLIGHT_LOADED),
        S("Filter to the Southwest flight 1290 on that day.", "FilterDB", {"condition": "IATA_Code_Marketing_Airline=WN, Flight_Number_Marketing_Airline=1290, Origin=MDW, Dest=STL, FlightDate=2022-02-19"}, "We have successfully filtered the data (1 rows)."),
        S("Read the tail number.", "GetValue", {"column": "Tail_Number"}, "N8547V"),
        S("The aircraft was N8547V.", "Finish", {"answer": "N8547V"}, ""),
    ], "N8547V"),
    E("flight", "How many miles is a round trip DEN-BZN-DEN if both legs cover the distance of UA1473 on 2022-07-02?", [
        S("Load the flights table to look up the distance.", "LoadDB", {"db": "flights"}, FLIGHT_LOADED),
        S("Find UA1473 from DEN to BZN on that date.", "FilterDB", {"condition": "IATA_Code_Marketing_Airline=UA, Flight_Number_Marketing_Airline=1473, Origin=DEN, Dest=BZN, FlightDate=2022-07-02"}, "We have successfully filtered the data (1 rows)."),
        S("Get the one-way distance.", "GetValue", {"column": "Distance"}, "524.0"),
        S("A round trip is twice the one-way distance.", "Calculate", {"expression": "2*524"}, "1048"),
        S("The round trip is 1048 miles.", "Finish", {"answer": "1048"}, ""),
    ], "1048"),
    E("flight", "What was the taxi-out time of the earliest scheduled departure from BOI on 2022-03-14?", [
        S("One SQL query can sort the day's departures by scheduled time.", "SQLInterpreter", {"sql": "SELECT TaxiOut FROM flights.flights_data WHERE Origin = 'BOI' AND FlightDate = '2022-03-14' ORDER BY CRSDepTime LIMIT 1"}, "TaxiOut: 14.0"),
        S("The earliest departure taxied out for 14 minutes.", "Finish", {"answer": "14"}, ""),
    ], "14"),
    # ---------------------------------------------------------------- yelp
    E("yelp", "Is Riverside Bagel Co. in Harrisburg, PA still open for business?", [
        S("Business facts are in the yelp table.", "LoadDB", {"db": "yelp"}, YELP_LOADED),
        S("Find the business by name and city.", "FilterDB", {"condition": "name=Riverside Bagel Co., city=Harrisburg"}, "We have successfully filtered the data (1 rows)."),
        S("is_open is 1 for open businesses and 0 for closed ones.", "GetValue", {"column": "is_open"}, "1"),
        S("is_open is 1, so it is still open.", "Finish", {"answer": "Yes"}, ""),
    ], "Yes"),
    E("yelp", "At what time does Lucky Lantern Noodles in Tucson, AZ close on Saturdays?", [
        S("Opening hours are a yelp column.", "LoadDB", {"db": "yelp"}, YELP_LOADED),
        S("Select the restaurant in Tucson.", "FilterDB", {"condition": "name=Lucky Lantern Noodles, city=Tucson, state=AZ"}, "We have successfully filtered the data (1 rows)."),
        S("Read the weekly hours.", "GetValue", {"column": "hours"}, "{'Monday': '0:0-0:0', 'Tuesday': '11:0-21:0', 'Wednesday': '11:0-21:0', 'Thursday': '11:0-21:0', 'Friday': '11:0-22:0', 'Saturday': '12:0-22:30', 'Sunday': '12:0-20:0'}"),
        S("Saturday runs 12:0-22:30, so it closes at 22:30.", "Finish", {"answer": "22:30"}, ""),
    ], "22:30"),
    E("yelp", "Among bakeries in Reno, NV with at least 50 reviews, which one has the most stars?", [
        S("This needs filtering, a category match and sorting: SQL is simplest.", "SQLInterpreter", {"sql": "SELECT name, stars FROM yelp.yelp_data WHERE city = 'Reno' AND state = 'NV' AND categories LIKE '%Bakeries%' AND review_count >= 50 ORDER BY stars DESC LIMIT 1"}, "name: Sugar Mill Pastry House, stars: 4.5"),
        S("The top bakery is Sugar Mill Pastry House.", "Finish", {"answer": "Sugar Mill Pastry House"}, ""),
    ], "Sugar Mill Pastry House"),
    E("yelp", "How many reviews do the two Copper Kettle Diner locations in Indianapolis and Carmel, IN have together?", [
        S("Load yelp to look up both locations.", "LoadDB", {"db": "yelp"}, YELP_LOADED),
        S("First the Indianapolis location.", "FilterDB", {"condition": "name=Copper Kettle Diner, city=Indianapolis"}, "We have successfully filtered the data (1 rows)."),
        S("Its review count.", "GetValue", {"column": "review_count"}, "212"),
        S("Reload to clear the filter before looking up Carmel.", "LoadDB", {"db": "yelp"}, YELP_LOADED),
        S("Now the Carmel location.", "FilterDB", {"condition": "name=Copper Kettle Diner, city=Carmel"}, "We have successfully filtered the data (1 rows)."),
        S("Its review count.", "GetValue", {"column": "review_count"}, "87"),
        S("Add the two counts.", "Calculate", {"expression": "212+87"}, "299"),
        S("Together they have 299 reviews.", "Finish", {"answer": "299"}, ""),
    ], "299"),
    # ---------------------------------------------------------------- airbnb
    E("airbnb", "In which year was the building of Sunny Loft by the Park (id: 48211903) constructed?", [
        S("Listing details are in the airbnb table.", "LoadDB", {"db": "airbnb"}, AIRBNB_LOADED),
        S("Select the listing by id.", "FilterDB", {"condition": "id=48211903"}, "We have successfully filtered the data (1 rows)."),
        S("Read the construction year.", "GetValue", {"column": "Construction year"}, "2009.0"),
        S("It was built in 2009.", "Finish", {"answer": "2009"}, ""),
    ], "2009"),
    E("airbnb", "Can Garden Studio near Prospect Park (id: 51730118) be booked instantly?", [
        S("Load airbnb listings.", "LoadDB", {"db": "airbnb"}, AIRBNB_LOADED),
        S("Filter by the listing id.", "FilterDB", {"condition": "id=51730118"}, "We have successfully filtered the data (1 rows)."),
        S("instant_bookable answers this directly.", "GetValue", {"column": "instant_bookable"}, "True"),
        S("It is instant bookable.", "Finish", {"answer": "Yes"}, ""),
    ], "Yes"),
    E("airbnb", "What does one night at Quiet Room in Sunnyside Gardens (id: 39842207) cost including the service fee?", [
        S("Prices are in the airbnb table.", "LoadDB", {"db": "airbnb"}, AIRBNB_LOADED),
        S("Select the listing.", "FilterDB", {"condition": "id=39842207"}, "We have successfully filtered the data (1 rows)."),
        S("The nightly price first.", "GetValue", {"column": "price"}, "$412 "),
        S("Then the service fee.", "GetValue", {"column": "service fee"}, "$82 "),
        S("Add price and fee.", "Calculate", {"expression": "412+82"}, "494"),
        S("One night costs $494 with the fee.", "Finish", {"answer": "$494"}, ""),
    ], "$494"),
    E("airbnb", "What is the median minimum-night requirement of listings in Red Hook?", [
        S("Collect the minimum nights of every Red Hook listing with SQL.", "SQLInterpreter", {"sql": "SELECT minimum_nights FROM airbnb.airbnb_data WHERE neighbourhood = 'Red Hook'"}, "minimum_nights: 30.0\nminimum_nights: 2.0\nminimum_nights: 3.0\nminimum_nights: 1.0\nminimum_nights: 5.0\nminimum_nights: 2.0\nminimum_nights: 30.0"),
        S("Compute the median in Python.", "PythonInterpreter", {"code": "import statistics\nans = statistics.median([30, 2, 3, 1, 5, 2, 30])"}, "3"),
        S("The median is 3 nights.", "Finish", {"answer": "3"}, ""),
    ], "3"),
    # ---------------------------------------------------------------- dblp
    E("dblp", "Who has co-authored papers with Marta Kowalczyk in the DBLP graph?", [
        S("Co-authors are neighbours in the author graph; load DBLP first.", "LoadGraph", {"graph": "dblp"}, DBLP_LOADED),
        S("List her neighbours in AuthorNet.", "NeighbourCheck", {"graph": "AuthorNet", "node": "Marta Kowalczyk"}, "['Piotr Nowacki', 'Ewa Zielinska', 'Tomasz Wrobel']"),
        S("These three are her co-authors.", "Finish", {"answer": "Piotr Nowacki, Ewa Zielinska, Tomasz Wrobel"}, ""),
    ], "Piotr Nowacki, Ewa Zielinska, Tomasz Wrobel"),
    E("dblp", "In what year did the paper Sparse Gossip Protocols for Drone Swarms. appear, and was it a journal or conference paper?", [
        S("Paper attributes are stored on PaperNet nodes.", "LoadGraph", {"graph": "dblp"}, DBLP_LOADED),
        S("Check the paper node.", "NodeCheck", {"graph": "PaperNet", "node": "Sparse Gossip Protocols for Drone Swarms."}, "{'title': 'Sparse Gossip Protocols for Drone Swarms.', 'year': 2020, 'venue': {'raw': 'IEEE Trans. Robotics'}, 'n_citation': 14, 'keywords': ['gossip', 'swarm robotics'], 'doc_type': 'Journal', 'page_start': '211', 'page_end': '225'}"),
        S("year is 2020 and doc_type is Journal.", "Finish", {"answer": "2020, Journal"}, ""),
    ], "2020, Journal"),
    E("dblp", "How strongly are Ingrid Solberg and Kenji Mori connected as co-authors, counted in shared papers?", [
        S("Shared papers are on the AuthorNet edge between two people.", "LoadGraph", {"graph": "dblp"}, DBLP_LOADED),
        S("Check the edge between them.", "EdgeCheck", {"graph": "AuthorNet", "node1": "Ingrid Solberg", "node2": "Kenji Mori"}, "{'weight': 2, 'papers': ['Tidal Load Forecasting with Graph Networks.', 'Offshore Sensor Fusion at Scale.'], 'n_citation': [7, 3]}"),
        S("The edge weight is 2 shared papers.", "Finish", {"answer": "2"}, ""),
    ], "2"),
    E("dblp", "What keywords are listed for the DBLP paper Latency-Aware Caching in Edge Clusters.?", [
        S("Keywords are node attributes in PaperNet.", "LoadGraph", {"graph": "dblp"}, DBLP_LOADED),
        S("Look up the paper node.", "NodeCheck", {"graph": "PaperNet", "node": "Latency-Aware Caching in Edge Clusters."}, "{'title': 'Latency-Aware Caching in Edge Clusters.', 'year': 2019, 'venue': {'raw': 'ICDCS'}, 'n_citation': 22, 'keywords': ['edge computing', 'caching', 'latency'], 'doc_type': 'Conference', 'page_start': '1042', 'page_end': '1051'}"),
        S("The keywords are edge computing, caching and latency.", "Finish", {"answer": "edge computing, caching, latency"}, ""),
    ], "edge computing, caching, latency"),
    # ---------------------------------------------------------------- scirex
    E("scirex", "What F1 does the GraphNER tagger reach on the CoNLL03 dataset according to its paper?", [
        S("Scores are in the SciREX paper texts; retrieve the relevant section.", "RetrieveScirex", {"query": "GraphNER F1 CoNLL03 named entity recognition"}, "section : Results Table 2 compares GraphNER with recent taggers . On CoNLL03 , GraphNER obtains an F1 of 92.4 , improving over the BiLSTM - CRF baseline by 1.1 points , while using 30 % fewer parameters ."),
        S("The text gives an F1 of 92.4.", "Finish", {"answer": "92.4"}, ""),
    ], "92.4"),
    E("scirex", "Which baseline does the DeepPatchNet paper compare against on ShapeNet part segmentation?", [
        S("Search the SciREX corpus for the DeepPatchNet experiments.", "RetrieveScirex", {"query": "DeepPatchNet ShapeNet part segmentation baseline comparison"}, "section : Experiments We evaluate DeepPatchNet on ShapeNet part segmentation and compare against PointNet , the strongest baseline available at submission time . DeepPatchNet improves mean IoU from 83.7 to 85.0 ."),
        S("The baseline named is PointNet.", "Finish", {"answer": "PointNet"}, ""),
    ], "PointNet"),
    E("scirex", "By how many points does the LiteSum model improve ROUGE-L over its baseline on CNN/DailyMail?", [
        S("Retrieve the LiteSum results section.", "RetrieveScirex", {"query": "LiteSum ROUGE-L CNN/DailyMail improvement baseline"}, "section : Results On CNN / DailyMail , LiteSum reaches 38.9 ROUGE - L , compared to 37.2 for the pointer - generator baseline ."),
        S("Subtract the baseline from LiteSum.", "Calculate", {"expression": "38.9-37.2"}, "1.7"),
        S("The improvement is 1.7 points.", "Finish", {"answer": "1.7"}, ""),
    ], "1.7"),
    # ---------------------------------------------------------------- agenda
    E("agenda", "Which venue hosted the pottery workshop that Oliver joined?", [
        S("Personal events are in the agenda corpus.", "RetrieveAgenda", {"query": "Oliver pottery workshop"}, "Oliver is joining a pottery workshop on 2022/04/09 at Clayworks Studio. The session starts at 10:00 AM and ends at 12:30 PM, with all materials provided by the instructor."),
        S("The workshop was at Clayworks Studio.", "Finish", {"answer": "Clayworks Studio"}, ""),
    ], "Clayworks Studio"),
    E("agenda", "How many hours did Penelope's volunteer shift at the food bank on 2022/08/14 last?", [
        S("Find the event in the agenda.", "RetrieveAgenda", {"query": "Penelope volunteer shift food bank 2022/08/14"}, "On 2022/08/14, Penelope has a volunteer shift at the Eastside Food Bank from 1:00 PM to 5:30 PM, sorting donations and packing boxes for families."),
        S("1:00 PM to 5:30 PM is 4.5 hours.", "Calculate", {"expression": "17.5-13"}, "4.5"),
        S("The shift lasted 4.5 hours.", "Finish", {"answer": "4.5 hours"}, ""),
    ], "4.5 hours"),
    E("agenda", "On which date did Sebastian give his guest lecture on marine biology?", [
        S("Search the agenda for the lecture.", "RetrieveAgenda", {"query": "Sebastian guest lecture marine biology"}, "Sebastian will give a guest lecture on marine biology at the Harbor Science Center on 2022/11/18, from 3:00 PM to 4:30 PM, followed by a short Q&A."),
        S("The lecture was on 2022/11/18.", "Finish", {"answer": "2022/11/18"}, ""),
    ], "2022/11/18"),
    E("agenda", "Does Charlotte have any event in the agenda on 2022/03/05 before noon?", [
        S("Retrieve Charlotte's events on that day.", "RetrieveAgenda", {"query": "Charlotte 2022/03/05 morning"}, "Charlotte is attending a farmers market tour on 2022/03/05 from 8:30 AM to 10:00 AM in Union Square, tasting seasonal produce with a local chef."),
        S("The tour runs 8:30 AM to 10:00 AM, before noon.", "Finish", {"answer": "Yes, a farmers market tour from 8:30 AM to 10:00 AM"}, ""),
    ], "Yes, a farmers market tour from 8:30 AM to 10:00 AM"),
    # ---------------------------------------------------------------- gsm8k
    E("gsm8k", "A baker fills 14 trays with 18 rolls each and sells all but 37 rolls. How many rolls does she sell?", [
        S("Total rolls minus the unsold ones.", "Calculate", {"expression": "14*18-37"}, "215"),
        S("She sells 215 rolls.", "Finish", {"answer": "215"}, ""),
    ], "215"),
    E("gsm8k", "A cyclist rides 12 km each weekday and twice that on each weekend day. How far does she ride in 3 weeks?", [
        S("Write the arithmetic as a short program.", "PythonInterpreter", {"code": "weekday = 12 * 5\nweekend = 24 * 2\nans = 3 * (weekday + weekend)"}, "324"),
        S("She rides 324 km.", "Finish", {"answer": "324"}, ""),
    ], "324"),
    E("gsm8k", "A tank holds 600 litres. It is 35% full and a pump adds 45 litres per minute. How many minutes until it is full?", [
        S("The missing volume is 65% of 600 litres.", "Calculate", {"expression": "600*0.65"}, "390"),
        S("Divide by the pump rate.", "Calculate", {"expression": "390/45"}, "8.666666666666666"),
        S("It takes about 8.67 minutes.", "Finish", {"answer": "8.67"}, ""),
    ], "8.67"),
    E("gsm8k", "Tickets cost $8 for children and $13 for adults. A group of 9 paid $92. How many children were in the group?", [
        S("Solve c + a = 9 and 8c + 13a = 92 by trying every split.", "PythonInterpreter", {"code": "ans = [c for c in range(10) if 8 * c + 13 * (9 - c) == 92][0]"}, "5"),
        S("There were 5 children.", "Finish", {"answer": "5"}, ""),
    ], "5"),
]

COFFEE = [
    ("Grouping 2014 by calendar month, which month had the highest mean coffee close?", [
        ("Group 2014 closing prices by month with SQL.", "SQLInterpreter", {"sql": "SELECT substr(Date, 6, 2) AS month, AVG(CAST(Close AS DOUBLE)) AS avg_close FROM coffee.coffee_data WHERE Date LIKE '2014%' GROUP BY month ORDER BY avg_close DESC LIMIT 1"}),
    ], "{month}", "Month {month} had the highest average close."),
    ("How many trading days does the coffee table record for the year 2005?", [
        ("Count the 2005 rows with SQL.", "SQLInterpreter", {"sql": "SELECT COUNT(*) AS days FROM coffee.coffee_data WHERE Date LIKE '2005%'"}),
    ], "{days}", "There are {days} trading days in 2005."),
    ("How many times higher was coffee's close on 2011-05-02 than on 2001-10-01?", [
        ("Load the coffee prices.", "LoadDB", {"db": "coffee"}),
        ("Select the earlier day.", "FilterDB", {"condition": "Date=2001-10-01"}),
        ("Its closing price.", "GetValue", {"column": "Close"}),
        ("Reload to drop the filter.", "LoadDB", {"db": "coffee"}),
        ("Select the later day.", "FilterDB", {"condition": "Date=2011-05-02"}),
        ("Its closing price.", "GetValue", {"column": "Close"}),
        ("Divide the later close by the earlier one.", "Calculate", {"expression": "{c2}/{c1}"}),
    ], "{ratio}", "The close was {ratio} times higher."),
    ("What was the first day of 2021 on which coffee closed above 150?", [
        ("Find the earliest qualifying 2021 date with SQL.", "SQLInterpreter", {"sql": "SELECT Date FROM coffee.coffee_data WHERE Date LIKE '2021%' AND CAST(Close AS DOUBLE) > 150 ORDER BY Date LIMIT 1"}),
    ], "{date}", "The first such day was {date}."),
    # Aggregates over a date range: one SQL query instead of filtering day by day.
    ("What was the lowest intraday low of coffee between 2016-03-01 and 2016-09-30?", [
        ("An aggregate over a date range is one SQL query.", "SQLInterpreter", {"sql": "SELECT MIN(Low) AS lowest FROM coffee.coffee_data WHERE Date >= '2016-03-01' AND Date <= '2016-09-30'"}),
    ], "{lowest}", "The lowest low in that range was {lowest}."),
    ("On average, how much did coffee open at from 2007-01-15 to 2007-06-15?", [
        ("Average the Open column over the range with SQL.", "SQLInterpreter", {"sql": "SELECT ROUND(AVG(Open), 2) AS mean_open FROM coffee.coffee_data WHERE Date >= '2007-01-15' AND Date <= '2007-06-15'"}),
    ], "{mean_open}", "Coffee opened at {mean_open} on average."),
]


def main(out: Path, run_tools: bool):
    exps = []
    kit = None
    if run_tools:
        from seer_cli.toolkits import get_toolkit

        kit = get_toolkit("toolqa", data_dir=os.environ.get("TOOLQA_DIR", "/work/shared/toolqa"))
    for intent, q, steps, answer in ENTRIES:
        for st in steps:
            if kit and st.tool in ("Calculate", "PythonInterpreter"):
                real = kit.call(st.tool, st.args)
                if real != st.observation:
                    print("real observation differs:", st.tool, st.args, repr(st.observation), "->", repr(real))
                st.observation = real
        exps.append(Experience(question=q, steps=steps, answer=answer, intent=intent, success_source="user", origin="seed:toolqa", created_at=CREATED))
    exps += coffee_entries(run_tools)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"".join(orjson.dumps(e.to_dict()) + b"\n" for e in exps))
    print(len(exps), "experiences ->", out)


def coffee_entries(run_tools: bool):
    """Run the real toolkit on the real coffee CSV for the coffee observations."""
    if not run_tools:
        return []
    from seer_cli.toolkits import get_toolkit

    kit = get_toolkit("toolqa", data_dir=os.environ.get("TOOLQA_DIR", "/work/shared/toolqa"))
    out = []
    for q, plan, answer_t, final_t in COFFEE:
        steps, values = [], {}
        closes = []
        for thought, tool, args in plan:
            args = {k: v.format(c1=closes[0] if closes else "", c2=closes[1] if len(closes) > 1 else "") for k, v in args.items()}
            obs = kit.call(tool, args)
            steps.append(Step(thought, tool, args, obs))
            if tool == "GetValue":
                closes.append(obs.strip())
            print(f"{tool}({args}) -> {obs[:200]!r}")
        last = steps[-1].observation
        values = parse_values(last)
        answer = answer_t.format(**values)
        steps.append(Step(final_t.format(**values), "Finish", {"answer": answer}, ""))
        out.append(Experience(question=q, steps=steps, answer=answer, intent="coffee", success_source="user", origin="seed:toolqa", created_at=CREATED))
    return out


def parse_values(obs: str) -> dict:
    vals = {}
    for part in obs.replace("\n", ", ").split(", "):
        if ":" in part:
            k, v = part.split(":", 1)
            vals[k.strip()] = v.strip()
    try:
        vals["ratio"] = f"{float(obs.strip()):.2f}"
    except ValueError:
        pass
    vals.setdefault("date", vals.get("Date", ""))
    return vals


if __name__ == "__main__":
    main(Path(sys.argv[1]), os.environ.get("RUN_TOOLS") == "1")
