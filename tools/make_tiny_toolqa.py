"""Write a tiny, made-up ToolQA corpus in the official layout: ``python tools/make_tiny_toolqa.py OUT``.

Why: the real ToolQA external corpus is gigabytes (flights alone is ~1.5 GB) and cannot ship with
seer or its tests. This script writes a few deterministic rows per domain with the real file
names, column names and value shapes (floats with NaN gaps, booleans as text, yelp's nested
dicts, DBLP's networkx graphs and id dictionaries, agenda/scirex passages), so every ToolQA tool
can be exercised end to end with known answers. Every value is invented; nothing comes from the
benchmark's questions or answers.

Layout written under OUT::

    data/external_corpus/flights/Combined_Flights_2022.csv
    data/external_corpus/coffee/coffee_price.csv
    data/external_corpus/airbnb/Airbnb_Open_Data.csv
    data/external_corpus/yelp/yelp_academic_dataset_business.json
    data/external_corpus/dblp/{paper_net,author_net,title2id_dict,author2id_dict,id2title_dict,id2author_dict}.pkl
    data/external_corpus/agenda/agenda_descriptions_merged.jsonl
    data/external_corpus/scirex/Preprocessed_Scirex.jsonl
"""

from __future__ import annotations

import csv
import json
import pickle
import random
import sys
from pathlib import Path

FLIGHT_COLUMNS = [
    "FlightDate", "Airline", "Origin", "Dest", "Cancelled", "Diverted", "CRSDepTime", "DepTime",
    "DepDelayMinutes", "DepDelay", "ArrTime", "ArrDelayMinutes", "AirTime", "CRSElapsedTime",
    "ActualElapsedTime", "Distance", "Year", "Quarter", "Month", "DayofMonth", "DayOfWeek",
    "Marketing_Airline_Network", "Operated_or_Branded_Code_Share_Partners", "DOT_ID_Marketing_Airline",
    "IATA_Code_Marketing_Airline", "Flight_Number_Marketing_Airline", "Operating_Airline",
    "DOT_ID_Operating_Airline", "IATA_Code_Operating_Airline", "Tail_Number",
    "Flight_Number_Operating_Airline", "OriginAirportID", "OriginAirportSeqID", "OriginCityMarketID",
    "OriginCityName", "OriginState", "OriginStateFips", "OriginStateName", "OriginWac", "DestAirportID",
    "DestAirportSeqID", "DestCityMarketID", "DestCityName", "DestState", "DestStateFips", "DestStateName",
    "DestWac", "DepDel15", "DepartureDelayGroups", "DepTimeBlk", "TaxiOut", "WheelsOff", "WheelsOn",
    "TaxiIn", "CRSArrTime", "ArrDelay", "ArrDel15", "ArrivalDelayGroups", "ArrTimeBlk", "DistanceGroup",
    "DivAirportLandings",
]

# (date, airline, code, number, origin, dest, crs_dep, dep_time or None (cancelled), dep_delay, arr_delay, distance)
FLIGHTS = [
    ("2022-01-03", "Zephyr Airways", "ZP", 101, "AAA", "BBB", 800, 757.0, -3.0, -10.0, 500.0),
    ("2022-01-03", "Zephyr Airways", "ZP", 102, "BBB", "AAA", 1200, 1215.0, 15.0, 22.0, 500.0),
    ("2022-01-04", "Zephyr Airways", "ZP", 101, "AAA", "BBB", 800, 830.0, 30.0, 25.0, 500.0),
    ("2022-01-04", "Comet Air", "CM", 7, "AAA", "CCC", 930, None, 0.0, 0.0, 1200.0),
    ("2022-01-05", "Comet Air", "CM", 7, "AAA", "CCC", 930, 925.0, -5.0, -1.0, 1200.0),
    ("2022-01-05", "Comet Air", "CM", 8, "CCC", "AAA", 1530, 1602.0, 32.0, 40.0, 1200.0),
    ("2022-02-10", "Zephyr Airways", "ZP", 205, "BBB", "CCC", 1900, 1858.0, -2.0, 4.0, 750.0),
    ("2022-02-11", "Comet Air", "CM", 9, "CCC", "BBB", 600, 612.0, 12.0, 9.0, 750.0),
]
CITY = {"AAA": ("Alphaville, AA", "AA", "Alpha State"), "BBB": ("Betatown, BB", "BB", "Beta State"),
        "CCC": ("Gammacity, CC", "CC", "Gamma State")}


def _hhmm(minutes: int) -> int:
    minutes %= 24 * 60
    return (minutes // 60) * 100 + minutes % 60


def _mins(hhmm: float) -> int:
    return int(hhmm) // 100 * 60 + int(hhmm) % 100


def write_flights(root: Path) -> None:
    rng = random.Random(1)
    path = root / "flights" / "Combined_Flights_2022.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(FLIGHT_COLUMNS)
        for i, (date, airline, code, num, org, dst, crs, dep, dd, ad, dist) in enumerate(FLIGHTS):
            cancelled = dep is None
            block = 60 + int(dist / 10)
            arr = None if cancelled else float(_hhmm(_mins(dep) + block + int(ad - dd)))
            y, m, d = (int(x) for x in date.split("-"))
            row = {c: "" for c in FLIGHT_COLUMNS}
            row.update({
                "FlightDate": date, "Airline": airline, "Origin": org, "Dest": dst,
                "Cancelled": str(cancelled), "Diverted": "False", "CRSDepTime": crs,
                "DepTime": "" if cancelled else dep, "DepDelayMinutes": "" if cancelled else max(dd, 0.0),
                "DepDelay": "" if cancelled else dd, "ArrTime": "" if cancelled else arr,
                "ArrDelayMinutes": "" if cancelled else max(ad, 0.0), "AirTime": "" if cancelled else float(block - 20),
                "CRSElapsedTime": float(block), "ActualElapsedTime": "" if cancelled else float(block + ad - dd),
                "Distance": dist, "Year": y, "Quarter": (m - 1) // 3 + 1, "Month": m, "DayofMonth": d,
                "DayOfWeek": (d % 7) + 1, "Marketing_Airline_Network": code,
                "Operated_or_Branded_Code_Share_Partners": code, "DOT_ID_Marketing_Airline": 19000 + len(code) * 7,
                "IATA_Code_Marketing_Airline": code, "Flight_Number_Marketing_Airline": num,
                "Operating_Airline": code, "DOT_ID_Operating_Airline": 19000 + len(code) * 7,
                "IATA_Code_Operating_Airline": code, "Tail_Number": f"N{100 + i}{code}",
                "Flight_Number_Operating_Airline": num, "OriginAirportID": 10000 + ord(org[0]),
                "OriginAirportSeqID": 1000000 + ord(org[0]), "OriginCityMarketID": 30000 + ord(org[0]),
                "OriginCityName": CITY[org][0], "OriginState": CITY[org][1], "OriginStateFips": ord(org[0]) - 60,
                "OriginStateName": CITY[org][2], "OriginWac": ord(org[0]),
                "DestAirportID": 10000 + ord(dst[0]), "DestAirportSeqID": 1000000 + ord(dst[0]),
                "DestCityMarketID": 30000 + ord(dst[0]), "DestCityName": CITY[dst][0], "DestState": CITY[dst][1],
                "DestStateFips": ord(dst[0]) - 60, "DestStateName": CITY[dst][2], "DestWac": ord(dst[0]),
                "DepDel15": "" if cancelled else float(dd >= 15), "DepartureDelayGroups": "" if cancelled else float(int(dd // 15)),
                "DepTimeBlk": f"{crs // 100:02d}00-{crs // 100:02d}59", "TaxiOut": "" if cancelled else float(rng.randint(8, 25)),
                "WheelsOff": "" if cancelled else float(_hhmm(_mins(dep) + 12)),
                "WheelsOn": "" if cancelled else float(_hhmm(_mins(arr) - 6)), "TaxiIn": "" if cancelled else float(rng.randint(3, 12)),
                "CRSArrTime": _hhmm(_mins(crs) + block), "ArrDelay": "" if cancelled else ad,
                "ArrDel15": "" if cancelled else float(ad >= 15), "ArrivalDelayGroups": "" if cancelled else float(int(ad // 15)),
                "ArrTimeBlk": f"{_hhmm(_mins(crs) + block) // 100:02d}00-{_hhmm(_mins(crs) + block) // 100:02d}59",
                "DistanceGroup": int(dist // 250) + 1, "DivAirportLandings": 0,
            })
            w.writerow([row[c] for c in FLIGHT_COLUMNS])


# Date, Open, High, Low, Close, Volume, Currency
COFFEE = [
    ("2019-09-30", 100.0, 102.5, 99.5, 101.0, 1000),
    ("2019-10-01", 101.0, 104.0, 100.5, 103.5, 1200),
    ("2019-10-02", 103.5, 105.25, 102.0, 104.0, 900),
    ("2019-10-03", 104.0, 104.5, 98.0, 99.0, 1500),
    ("2019-10-31", 99.0, 101.0, 97.5, 100.5, 800),
    ("2019-11-01", 100.5, 103.0, 100.0, 102.0, 1100),
    ("2020-01-02", 120.0, 121.5, 119.0, 121.0, 1300),
]


def write_coffee(root: Path) -> None:
    path = root / "coffee" / "coffee_price.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Open", "High", "Low", "Close", "Volume", "Currency"])
        for row in COFFEE:
            w.writerow([*row, "USD"])


AIRBNB_COLUMNS = [
    "id", "NAME", "host id", "host_identity_verified", "host name", "neighbourhood group", "neighbourhood",
    "lat", "long", "country", "country code", "instant_bookable", "cancellation_policy", "room type",
    "Construction year", "price", "service fee", "minimum nights", "number of reviews", "last review",
    "reviews per month", "review rate number", "calculated host listings count", "availability 365",
    "house_rules", "license",
]
# id, NAME, host name, neighbourhood group, neighbourhood, room type, price, minimum nights, reviews, availability
AIRBNB = [
    (1001, "Sunny Loft by the Park", "Orla", "Brooklyn", "Parkside", "Entire home/apt", 150, 2, 12, 200.0),
    (1002, "Quiet Room near Station", "Bram", "Queens", "Stationview", "Private room", 60, 1, 40, 15.0),
    (1003, "Garden Studio", "Orla", "Brooklyn", "Parkside", "Entire home/apt", 110, 3, 0, None),
    (1004, "Shared Bunk Downtown", "Cyd", "Manhattan", "Midtown West", "Shared room", 35, 1, 5, 365.0),
]


def write_airbnb(root: Path) -> None:
    path = root / "airbnb" / "Airbnb_Open_Data.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(AIRBNB_COLUMNS)
        for i, (lid, name, host, group, hood, room, price, nights, reviews, avail) in enumerate(AIRBNB):
            row = [lid, name, 70000 + i, "verified" if i % 2 else "unconfirmed", host, group, hood,
                   round(40.6 + i / 100, 4), round(-73.9 - i / 100, 4), "United States", "US", str(i % 2 == 0), "moderate", room,
                   2005.0 + i, f"${price:,} ", f"${price // 5} ", float(nights), float(reviews),
                   "" if reviews == 0 else f"{i + 1}/1{i}/2021", "" if reviews == 0 else round(reviews / 12, 2),
                   float(4 - i % 3), float(1 + i % 2), "" if avail is None else avail, "No smoking.", ""]
            w.writerow(row)


YELP = [
    {"business_id": "biz-0001", "name": "Hilltop Bakery", "address": "12 Crest Rd", "city": "Alphaville", "state": "AA",
     "postal_code": "10001", "latitude": 40.1, "longitude": -75.2, "stars": 4.5, "review_count": 120, "is_open": 1,
     "attributes": {"RestaurantsTakeOut": "True", "WiFi": "u'free'"}, "categories": "Bakeries, Food",
     "hours": {"Monday": "7:0-15:0", "Tuesday": "7:0-15:0"}},
    {"business_id": "biz-0002", "name": "Riverside Diner", "address": "3 Water St", "city": "Betatown", "state": "BB",
     "postal_code": "20002", "latitude": 41.5, "longitude": -76.0, "stars": 3.0, "review_count": 45, "is_open": 0,
     "attributes": None, "categories": "Diners, Restaurants", "hours": None},
    {"business_id": "biz-0003", "name": "Hilltop Bakery", "address": "88 Market Ave", "city": "Betatown", "state": "BB",
     "postal_code": "20003", "latitude": 41.6, "longitude": -76.1, "stars": 4.0, "review_count": 60, "is_open": 1,
     "attributes": {"RestaurantsTakeOut": "False"}, "categories": "Bakeries, Coffee & Tea, Food",
     "hours": {"Saturday": "8:0-12:0"}},
]


def write_yelp(root: Path) -> None:
    path = root / "yelp" / "yelp_academic_dataset_business.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(b) + "\n" for b in YELP), encoding="utf-8")


# DBLP: papers (id, title, year, venue, n_citation, author ids, references)
AUTHORS = {"a1": ("Ada Quill", "North Institute"), "a2": ("Ben Ortiz", "South Lab"),
           "a3": ("Cleo Vance", "North Institute"), "a4": ("Dev Rao", "")}
PAPERS = [
    ("p1", "Sparse Widgets for Graph Learning.", 2021, "Conf A", 10, ["a1", "a2"], ["p2", "p3"]),
    ("p2", "Dense Gadgets Revisited.", 2020, "Journal B", 4, ["a2", "a3"], []),
    ("p3", "A Note on Widget Pruning.", 2022, "Conf A", 0, ["a1", "a2", "a4"], ["p2"]),
]


def write_dblp(root: Path) -> None:
    import networkx as nx

    d = root / "dblp"
    d.mkdir(parents=True, exist_ok=True)
    paper_net, author_net = nx.DiGraph(), nx.Graph()
    id2title = {pid: title for pid, title, *_ in PAPERS}
    title2id = {title: pid for pid, title, *_ in PAPERS}
    id2author = {aid: name for aid, (name, _) in AUTHORS.items()}
    author2id = {name: aid for aid, (name, _) in AUTHORS.items()}
    for pid, title, year, venue, cites, authors, refs in PAPERS:
        paper_net.add_node(pid, title=title, authors=[{"name": AUTHORS[a][0], "org": AUTHORS[a][1], "id": a} for a in authors],
                           year=year, venue={"raw": venue}, n_citation=cites, keywords=["widgets"],
                           doc_type="Conference" if venue.startswith("Conf") else "Journal", page_start="1", page_end="9")
    for pid, _title, _y, _v, cites, authors, refs in PAPERS:
        for r in refs:
            paper_net.add_edge(pid, r)
        for a in authors:
            if a not in author_net:
                author_net.add_node(a, org=AUTHORS[a][1])
        for i, a in enumerate(authors):
            for b in authors[i + 1:]:
                if author_net.has_edge(a, b):
                    e = author_net[a][b]
                    e["weight"] += 1
                    e["papers"].append(pid)
                    e["n_citation"].append(cites)
                else:
                    author_net.add_edge(a, b, weight=1, papers=[pid], n_citation=[cites])
    for name, obj in (("paper_net", paper_net), ("author_net", author_net), ("title2id_dict", title2id),
                      ("author2id_dict", author2id), ("id2title_dict", id2title), ("id2author_dict", id2author)):
        with (d / f"{name}.pkl").open("wb") as f:
            pickle.dump(obj, f)


AGENDA = [
    "On 2022/03/14, Priya has a pottery workshop at Clay Corner from 10:00 AM to 12:00 PM. Bring an apron.",
    "Marcus will attend a jazz concert at the Blue Note Hall on 2022/05/02 from 8:00 PM to 10:00 PM.",
    "A dentist appointment for Priya at Bright Smile Clinic on 2022/06/21, 3:00 PM to 3:30 PM.",
    "On 2022/07/09 Lena joins a rowing lesson at Lakeside Club from 7:00 AM to 8:30 AM.",
]
SCIREX = [
    "Widget Networks for Image Parsing",
    "section : Abstract We propose WidgetNet , a network for image parsing . On the Foo-Seg dataset WidgetNet reaches a mean IoU of 61.2 % .",
    "section : Experiments GadgetBERT is evaluated on the Bar-QA dataset for question answering and obtains an F1 score of 77.4 .",
    "section : Results On Baz-MT translation , the Sprocket model reaches a BLEU score of 29.3 .",
]


def write_text_corpora(root: Path) -> None:
    (root / "agenda").mkdir(parents=True, exist_ok=True)
    (root / "agenda" / "agenda_descriptions_merged.jsonl").write_text(
        "".join(json.dumps({"id": f"agenda-{i:04d}", "event": t}) + "\n" for i, t in enumerate(AGENDA)), encoding="utf-8")
    (root / "scirex").mkdir(parents=True, exist_ok=True)
    (root / "scirex" / "Preprocessed_Scirex.jsonl").write_text(
        "".join(json.dumps({"id": f"scirex-{i:04d}", "content": t}) + "\n" for i, t in enumerate(SCIREX)), encoding="utf-8")


def make(out_dir: str | Path) -> Path:
    root = Path(out_dir) / "data" / "external_corpus"
    write_flights(root)
    write_coffee(root)
    write_airbnb(root)
    write_yelp(root)
    write_dblp(root)
    write_text_corpora(root)
    return Path(out_dir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/make_tiny_toolqa.py OUT_DIR")
    print(make(sys.argv[1]))
