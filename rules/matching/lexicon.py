"""The matcher's word knowledge, as data: spelling/translation variants, word weights, classes.

Everything here is a fact about names in the region (how reporters spell the same bank, which
words say *what kind* of thing a name is rather than *which* one). Changing anything in this
module changes scores, so bump MATCHER_VERSION in rules/matching/__init__.py when you do.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from rules.matching.common_names import FAMILY_NAMES, GIVEN_NAMES

# One canonical token per spelling or translation variant seen in reporting and on lists.
_VARIANTS: dict[str, tuple[str, ...]] = {
    # Place and proper-name transliterations of listed institutions.
    "ashur": ("assyria", "assyrian", "assur", "ahsur", "ashour", "asur", "ashshur", "aashur"),
    "janoob": ("south", "southern", "janub", "janoub", "janob", "jnoob", "junub", "janoup"),
    "arabia": ("arab", "arabi", "arabiya", "arabiyah", "arabya", "arabiyya", "arabic", "arabian"),
    "mashreq": ("mashriq", "mashrek", "mashrik", "machrek", "mashrak"),
    "amin": ("ameen", "amine"),
    "huda": ("hoda", "houda", "hudaa"),
    "rafidain": ("rafidayn", "rafedain", "rafidein"),
    "rasheed": ("rashid", "rachid"),
    "erbil": ("arbil", "irbil", "hawler", "hewler", "hewlir"),
    "basra": ("basrah", "busra"),
    "center": ("centre", "centers", "centres", "markaz"),
    # Institution words: English spellings and Arabic/Turkish/French loans.
    "bank": (
        "bk",
        "bnk",
        "banks",
        "masraf",
        "masrif",
        "mesref",
        "mesrif",
        "masref",
        "bankasi",
        "bankas",
        "banque",
        "banco",
        "banca",
        "banka",
        "bankasy",
    ),
    "islamic": ("isl", "islami", "islamiya", "islamiyah", "islamia", "islamiyya"),
    "iraq": ("iraqi", "iraqiya", "iraqia", "eraq"),
    "iran": ("iranian", "irani"),
    "investment": (
        "inv",
        "invest",
        "invt",
        "investments",
        "investing",
        "istithmar",
        "estithmar",
        "yatirim",
    ),
    "finance": ("fin", "financing", "financial", "finances", "tamweel", "tamwil", "finans"),
    "international": ("intl", "int", "dawli", "dawly", "duwali", "dowali", "uluslararasi"),
    "company": (
        "co",
        "companies",
        "comp",
        "cie",
        "sirketi",
        "sharika",
        "sharikat",
        "sherkat",
        "shirkat",
    ),
    "corporation": ("corp", "corpn"),
    "establishment": ("est", "estab", "muassasa", "muassasat", "moassesseh", "mu'assasat"),
    "organization": ("org", "orgn", "organisation", "organizations", "organisations"),
    "branch": ("br", "brn", "brnch", "branches"),
    "holding": ("hldg", "hldgs", "holdings"),
    "group": ("grp",),
    "services": ("svc", "svcs", "service"),
    "industries": ("ind", "inds", "industry", "industrial"),
    "general": ("gen", "genl"),
    "brothers": ("bros",),
    "technology": ("tech",),
    "engineering": ("eng", "engg"),
    "construction": ("constr",),
    "exchange": ("exch", "sarafa", "sirafa", "sarrafa"),
    "insurance": ("ins",),
    "association": ("assn", "assoc"),
    "foundation": ("fdn",),
    "management": ("mgmt",),
    "manufacturing": ("mfg",),
    "commercial": ("tijari", "tejari", "ticari"),
    "development": ("dev", "devt", "tanmiya", "tanmia"),
    "national": ("natl", "watani", "milli"),
    "united": ("muttahid", "mutahida", "muttahida"),
    "limited": ("ltd",),
    "trading": ("trdg", "tijara", "tejara", "ticaret", "bazargani"),
    # Militia and movement vocabulary (Kata'ib = brigades, Harakat = movement).
    "kataib": ("brigades", "brigade", "kataeb", "katib", "katayib", "kataaib", "katiba", "katibat"),
    "hizballah": ("hezbollah", "hizbollah", "hizbullah", "hezballah", "hizbulla", "hezbolla"),
    "harakat": ("movement", "haraka", "harakah", "harakeh"),
    "nujaba": ("nujabaa", "nojaba", "nujabah"),
    "shuhada": ("shohada", "shuhadaa", "shouhada", "martyrs"),
    "sayyid": ("sayed", "sayyed", "seyyed", "seyed"),
    "asaib": ("asaeb", "asayib", "assaib"),
    # Person-name particles and the commonest given names, so order and spelling cannot hide them.
    "muhammad": (
        "mohammed",
        "mohamed",
        "mohammad",
        "mohamad",
        "muhammed",
        "mohamud",
        "mehmet",
        "mehmed",
        "muhamed",
        "muhamad",
        "mohamet",
        "muhamet",
        "muhammet",
        "mohmed",
        "mohd",
        "mouhamed",
        "mouhamad",
        "mohummad",
    ),
    "bin": ("ibn", "ben"),
    "abu": ("abou", "abo"),
    "abdullah": ("abdallah", "abdollah", "abdulla"),
}

SYNONYMS: Final = MappingProxyType(
    {variant: canonical for canonical, variants in _VARIANTS.items() for variant in variants}
)

# Names one typing error apart that name different institutions in the region: Al Rajhi Bank
# (Saudi) is not Al-Rajih Bank (barred by the CBI). The edit search never offers one for the other.
_DISTINCT_PAIRS: tuple[tuple[str, str], ...] = (("rajhi", "rajih"),)
DISTINCT: Final = frozenset(_DISTINCT_PAIRS + tuple((b, a) for a, b in _DISTINCT_PAIRS))

# Multi-word variants, applied to the canonical token sequence.
PHRASES: Final[dict[tuple[str, ...], tuple[str, ...]]] = {
    ("sharq", "awsat"): ("middle", "east"),
    ("hizb", "allah"): ("hizballah",),
    ("hezb", "allah"): ("hizballah",),
    ("hizb", "ullah"): ("hizballah",),
    ("abd", "allah"): ("abdullah",),
}

# Words with no identity at all: dropped (Arabic "fi" = in, "wa" = and, "li"/"lil" = for).
STOPWORDS: Final = frozenset(
    {"and", "for", "of", "the", "in", "to", "de", "du", "la", "le", "des", "fi", "wa", "li", "lil"}
)

# Articles that are dropped when they stand alone ("Al Huda") or are hyphenated ("Al-Huda").
ARTICLES: Final = frozenset({"al", "el", "ul", "il"})

# Prior weights: how much a word can say about *which* institution a name means. The index
# takes min(prior, corpus weight), so corpus frequency can lower a word but never raise a
# word the region's naming habits make generic (e.g. "arab" is rare on the CBI list but names
# Arab Bank, Arab National Bank, Arab Banking Corporation ...).
_PRIORS: dict[float, tuple[str, ...]] = {
    0.1: (
        "bank",
        "company",
        "corporation",
        "limited",
        "llc",
        "inc",
        "plc",
        "pjsc",
        "psc",
        "jsc",
        "cjsc",
        "ojsc",
        "sa",
        "sal",
        "sarl",
        "saog",
        "saoc",
        "bsc",
        "wll",
        "fzc",
        "fze",
        "fzco",
        "est",
        "establishment",
        "gmbh",
        "ag",
        "as",
        "bv",
        "nv",
        "spa",
        "srl",
        "sas",
        "pvt",
        "pte",
        "bhd",
        "sdn",
        "ooo",
        "zao",
        "oao",
        "pao",
        "llp",
        "lp",
        "ltda",
        "cia",
        "a",
        "s",
        "branch",
        *[
            "sac",
            "saic",
            "sab",
            "sca",
            "scs",
            "cv",
            "sapi",
            "eirl",
            "kg",
            "ohg",
            "ek",
            "ug",
            "sro",
            "oy",
            "ab",
            "asa",
            "aps",
            "kk",
            "pt",
            "tbk",
            "ltda",
            "fzllc",
            "dmcc",
            "spc",
            "ksc",
            "kscc",
            "kscp",
            "qsc",
            "qpsc",
            "pllc",
            "lc",
            "gie",
            "sasu",
            "eurl",
            "snc",
            "sci",
            "scp",
            "sl",
            "sll",
            "se",
            "mbh",
            "sapa",
            "ss",
            "sc",
            "sae",
            "ae",
            "doo",
            "dd",
            "ad",
            "ood",
            "eood",
            "zrt",
            "kft",
            "nyrt",
            "bhd",
            "sdn",
            "ltd",
            "co",
            "corp",
        ],
    ),
    0.2: (
        "investment",
        "finance",
        "development",
        "islamic",
        "commercial",
        "international",
        "national",
        "general",
        "trading",
        "trade",
        "group",
        "holding",
        "holdings",
        "services",
        "service",
        "industrial",
        "industries",
        "industry",
        "exchange",
        "money",
        "transfer",
        "payment",
        "payments",
        "electronic",
        "import",
        "export",
        "cooperative",
        "credit",
        "savings",
        "real",
        "estate",
        "agricultural",
        "economy",
        "economic",
        "contracting",
        "construction",
        "engineering",
        "petroleum",
        "oil",
        "gas",
        "energy",
        "shipping",
        "transport",
        "logistics",
        "travel",
        "tourism",
        "technology",
        "solutions",
        "consulting",
        "office",
        "agency",
        "center",
        "centre",
        "factory",
        "manufacturing",
        "hotel",
        "hospital",
        "medical",
        "food",
        "foodstuff",
        "brothers",
        "sons",
        "partners",
        "global",
        "modern",
        "new",
        "first",
        "central",
        "enterprise",
        "enterprises",
        "resources",
        "mining",
        "marine",
        "maritime",
        "navigation",
        "airlines",
        "airline",
        "airways",
        "aviation",
        "insurance",
        "securities",
        "brokerage",
        "fund",
        "private",
        "public",
        "joint",
        "stock",
        "shareholding",
        "head",
        "main",
        "bin",
        "abu",
        "import",
        "export",
        "financial",
        "wholesale",
        "retail",
        "organization",
        "association",
        "foundation",
        "society",
        "institute",
        "management",
        "house",
        # Arabic "house (of)": Dar al-Salam, Dar al-Huda ... name shops, agencies and hotels alike.
        "dar",
    ),
    0.3: (
        "iraq",
        "iran",
        "kataib",
        "harakat",
        "muhammad",
        "ali",
        "abd",
        "abdullah",
        "united",
        # Islamic vs conventional is part of an Iraqi bank's identity: the same group often runs
        # both an "X Bank" and an "X Islamic Bank".
        "islamic",
        # Words of blessing and good omen that name countless shops and firms (peace, people).
        "salam",
        "salaam",
        "ahli",
    ),
    0.4: (
        "arabia",
        "gulf",
        "middle",
        "east",
        "asia",
        "africa",
        "african",
        "europe",
        "european",
        "orient",
        "oriental",
        "levant",
        "world",
        "sharq",
        "north",
        "west",
        "city",
        "khair",
        "khayr",
        "baraka",
        "barakat",
        "rahma",
        "aman",
        "fajr",
        "hayat",
        "wafa",
        "wahda",
        "gharb",
        "shimal",
        "madina",
        "khaleej",
        "nahrain",
    ),
    0.5: (
        "trust",
        "union",
        "kurdistan",
        "capital",
        "future",
        "hope",
        "peace",
        "light",
        "noor",
        "amal",
        "ittihad",
        "itihad",
    ),
}

# Common given names weigh a little more than "muhammad" (0.3), family names a little more again:
# together they narrow a person down, alone neither identifies anyone.
GIVEN_NAME_WEIGHT: Final = 0.35
FAMILY_NAME_WEIGHT: Final = 0.45

# Legal forms: what a company is registered as, never which company it is. Two letters with dots
# ("S.A.", "A.S.", "B.V.") close up into one of these.
LEGAL_FORMS: Final = frozenset(
    w
    for w in _PRIORS[0.1]
    if len(w) > 1 and w not in ("bank", "company", "branch", "establishment")
)

PRIOR_WEIGHTS: Final = MappingProxyType(
    {
        **{word: FAMILY_NAME_WEIGHT for word in FAMILY_NAMES},
        **{word: GIVEN_NAME_WEIGHT for word in GIVEN_NAMES},
        **{word: weight for weight, words in _PRIORS.items() for word in words},
    }
)

# What kind of thing a name says it is. A bank's name found in a hotel's or a trading firm's
# name is a different subject even when the distinctive word agrees ("Ashur Hotel").
_CLASSES: dict[str, tuple[str, ...]] = {
    "bank": ("bank",),
    "money-service": ("exchange", "money", "transfer", "payment", "payments", "hawala"),
    "trading": ("trading", "trade", "import", "export", "wholesale", "retail", "foodstuff"),
    "hospitality": ("hotel", "hotels", "restaurant", "tourism", "travel", "resort"),
    "health": ("hospital", "medical", "clinic", "pharmacy", "pharmaceutical", "pharma"),
    "education": ("university", "school", "college", "institute", "academy"),
    "energy": ("oil", "gas", "petroleum", "petrochemical", "energy", "refinery", "electricity"),
    "transport": (
        "shipping",
        "airlines",
        "airline",
        "airways",
        "aviation",
        "logistics",
        "transport",
        "maritime",
        "navigation",
        "cargo",
    ),
    "construction": ("construction", "contracting", "engineering", "cement", "steel"),
    "insurance": ("insurance", "takaful"),
    "media": ("tv", "television", "media", "radio", "channel", "satellite"),
}

NAME_CLASSES: Final = MappingProxyType(
    {word: cls for cls, words in _CLASSES.items() for word in words}
)

# Words whose presence on one side only changes which institution is meant: Kurdistan
# International Bank vs Kurdistan International Islamic Bank, Bank AlBilad vs Al-Bilad Islamic.
QUALIFIERS: Final = frozenset({"islamic"})

# Words that introduce a branch designation ("Erbil Branch", "Branch Baghdad").
BRANCH_WORDS: Final = frozenset({"branch", "branches", "office", "headquarters"})

# Cities and office words a payment message appends to an institution's name ("... Baghdad
# Branch"): left unmatched on the query side they say little about identity. Countries are not
# here: "National Bank of Iraq" and "National Bank of Egypt" are different banks.
LOCATION_WORDS: Final = frozenset(
    {
        "baghdad",
        "basra",
        "erbil",
        "mosul",
        "najaf",
        "karbala",
        "kerbala",
        "sulaymaniyah",
        "sulaimaniya",
        "sulaimani",
        "kirkuk",
        "duhok",
        "dohuk",
        "anbar",
        "ramadi",
        "fallujah",
        "hilla",
        "nasiriyah",
        "amarah",
        "kut",
        "diwaniyah",
        "samawah",
        "dubai",
        "sharjah",
        "ajman",
        "beirut",
        "amman",
        "istanbul",
        "ankara",
        "tehran",
        "damascus",
        "muscat",
        "doha",
        "manama",
        "riyadh",
        "cairo",
        "branch",
        "branches",
        "head",
        "office",
        "main",
        "hq",
        "headquarters",
        "all",
    }
)


def prior_weight(token: str) -> float:
    """The most a token can weigh: its lexicon prior; initials and single letters say little."""
    found = PRIOR_WEIGHTS.get(token)
    if found is not None:
        return found
    return 0.1 if len(token) == 1 else 1.0


# Words that say a name belongs to an organisation, not a person: legal forms, institution and
# business words, movement words. A query with one of them is compared with persons on the
# lists at a penalty (names.KIND_MISMATCH), and so is a query of common person names only with
# organisations.
ORGANIZATION_WORDS: Final = frozenset(
    {w for w in _PRIORS[0.1] if len(w) > 1}
    | set(NAME_CLASSES)
    | {
        "company",
        "corporation",
        "group",
        "holding",
        "trading",
        "trade",
        "establishment",
        "organization",
        "association",
        "foundation",
        "society",
        "institute",
        "agency",
        "office",
        "center",
        "centre",
        "factory",
        "enterprise",
        "enterprises",
        "industries",
        "services",
        "brothers",
        "sons",
        "partners",
        "fund",
        "trust",
        "ministry",
        "committee",
        "council",
        "front",
        "harakat",
        "kataib",
        "party",
        "network",
        "charity",
        "relief",
        "authority",
        "international",
        "investment",
        "finance",
        "development",
        "general",
        "contracting",
        "consulting",
        "solutions",
        "technology",
        "management",
        "manufacturing",
    }
)

# Name parts that occur in person names besides given and family names.
PERSON_PARTICLES: Final = frozenset({"bin", "abu", "abd", "umm", "bint", "muhammad", "abdullah"})
