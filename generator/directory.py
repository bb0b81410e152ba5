"""Real banks for synthetic traffic (names and BIC8s from public BIC directories), with shares.

Clean traffic uses legitimate banks only; planted violations use the listed banks taken from the
lists themselves (rules/data/*.yaml, and the OFAC/UN files when loaded), so the generator and the
rules agree on facts without the generator copying them. Shares are rough orders of magnitude
(state banks carry payroll and pensions; Trade Bank of Iraq carries state imports), not
published market data.
"""

from __future__ import annotations

from typing import NamedTuple

from generator import names


class Bank(NamedTuple):
    bic: str
    name: str
    country: str


IRAQI_BANKS: tuple[Bank, ...] = (
    Bank("RAFBIQBA", "Al Rafidain Bank", "IQ"),
    Bank("RDBAIQBB", "Rasheed Bank", "IQ"),
    Bank("TRIQIQBA", "Trade Bank of Iraq", "IQ"),
    Bank("BABIIQBA", "Bank of Baghdad", "IQ"),
    Bank("NBIQIQBA", "National Bank of Iraq", "IQ"),
    Bank("GUCEIQBA", "Gulf Commercial Bank", "IQ"),
    Bank("CIHBIQBA", "Cihan Bank for Islamic Investment and Finance", "IQ"),
    Bank("MBIVIQBA", "Mansour Bank for Investment", "IQ"),
    Bank("DFDIIQBA", "Dijlah and Furat Bank", "IQ"),
    Bank("WAIVIQBA", "Warka Bank for Investment and Finance", "IQ"),
    Bank("CBIQIQBA", "Credit Bank of Iraq", "IQ"),
    Bank("AUBBIQBA", "Commercial Bank of Iraq", "IQ"),
    Bank("BIBIIQB1", "Basrah International Bank for Investment", "IQ"),
    Bank("IDBQIQBA", "International Development Bank for Investment and Finance", "IQ"),
    Bank("RTBAIQBA", "Region Trade Bank for Investment and Finance", "IQ"),
    Bank("IRIBIQBA", "Iraqi Islamic Bank for Investment and Development", "IQ"),
    Bank("BABKIQBA", "Babylon Bank", "IQ"),
    Bank("NRTTIQBA", "North Bank", "IQ"),
)

FOREIGN_BANKS: tuple[Bank, ...] = (
    Bank("EBILAEAD", "Emirates NBD Bank", "AE"),
    Bank("NBADAEAA", "First Abu Dhabi Bank", "AE"),
    Bank("DUIBAEAD", "Dubai Islamic Bank", "AE"),
    Bank("ADCBAEAA", "Abu Dhabi Commercial Bank", "AE"),
    Bank("BOMLAEAD", "Mashreqbank PSC", "AE"),
    Bank("TCZBTR2A", "Turkiye Cumhuriyeti Ziraat Bankasi", "TR"),
    Bank("TGBATRIS", "Turkiye Garanti Bankasi", "TR"),
    Bank("ISBKTRIS", "Turkiye Is Bankasi", "TR"),
    Bank("AKBKTRIS", "Akbank", "TR"),
    Bank("TVBATR2A", "Turkiye Vakiflar Bankasi", "TR"),
    Bank("BKCHCNBJ", "Bank of China", "CN"),
    Bank("ICBKCNBJ", "Industrial and Commercial Bank of China", "CN"),
    Bank("PCBCCNBJ", "China Construction Bank", "CN"),
    Bank("ABOCCNBJ", "Agricultural Bank of China", "CN"),
    Bank("ARABJOAX", "Arab Bank PLC", "JO"),
    Bank("HBHOJOAX", "Housing Bank for Trade and Finance", "JO"),
    Bank("DEUTDEFF", "Deutsche Bank", "DE"),
    Bank("COBADEFF", "Commerzbank", "DE"),
    Bank("INGBNL2A", "ING Bank", "NL"),
    Bank("BCITITMM", "Intesa Sanpaolo", "IT"),
    Bank("UNCRITMM", "UniCredit", "IT"),
)

US_CORRESPONDENTS: tuple[Bank, ...] = (
    Bank("CHASUS33", "JPMorgan Chase Bank", "US"),
    Bank("CITIUS33", "Citibank N.A.", "US"),
    Bank("IRVTUS3N", "The Bank of New York Mellon", "US"),
)

BANK_SHARES: dict[str, float] = {
    "RAFBIQBA": 0.17,
    "RDBAIQBB": 0.12,
    "TRIQIQBA": 0.13,
    "BABIIQBA": 0.06,
    "NBIQIQBA": 0.06,
    "GUCEIQBA": 0.04,
    "CIHBIQBA": 0.04,
    "MBIVIQBA": 0.05,
    "DFDIIQBA": 0.02,
    "WAIVIQBA": 0.02,
    "CBIQIQBA": 0.04,
    "AUBBIQBA": 0.04,
    "BIBIIQB1": 0.03,
    "IDBQIQBA": 0.04,
    "RTBAIQBA": 0.03,
    "IRIBIQBA": 0.04,
    "BABKIQBA": 0.03,
    "NRTTIQBA": 0.05,
}
"""Share of customers banking with each Iraqi bank (sums to 1)."""

STATE_BANKS: tuple[Bank, ...] = tuple(b for b in IRAQI_BANKS if b.bic in ("RAFBIQBA", "RDBAIQBB"))
"""Where ministries and the pension authority hold their payroll accounts."""
TRADE_BANK = next(b for b in IRAQI_BANKS if b.bic == "TRIQIQBA")
"""Trade Bank of Iraq: state imports, and the restricted escrow of the energy waiver."""
DFI_AGENT = Bank("FRNYUS33", "Federal Reserve Bank of New York", "US")
"""Where Iraq's oil proceeds are paid (the Development Fund for Iraq account)."""

DIASPORA_BANKS: tuple[Bank, ...] = (
    Bank("SWEDSESS", "Swedbank", "SE"),
    Bank("NDEASESS", "Nordea Bank", "SE"),
    Bank("BARCGB22", "Barclays Bank", "GB"),
    Bank("HBUKGB4B", "HSBC UK Bank", "GB"),
    Bank("DEUTDEFF", "Deutsche Bank", "DE"),
    Bank("COBADEFF", "Commerzbank", "DE"),
    Bank("CHASUS33", "JPMorgan Chase Bank", "US"),
    Bank("NATAAU3303M", "National Australia Bank", "AU"),
)
"""Banks of the Iraqi diaspora sending remittances home."""

OIL_BUYER_BANKS: tuple[Bank, ...] = (
    Bank("DBSSSGSG", "DBS Bank", "SG"),
    Bank("SBININBB", "State Bank of India", "IN"),
    Bank("BCITITMM", "Intesa Sanpaolo", "IT"),
    Bank("TGBATRIS", "Turkiye Garanti Bankasi", "TR"),
    Bank("BKCHCNBJ", "Bank of China", "CN"),
)

# Name pools (generator.names), under the names older callers import.
IRAQI_FIRST = names.MALE_GIVEN + names.FEMALE_GIVEN
IRAQI_LAST = names.FAMILY
COMPANY_STEMS = names.IRAQI_STEMS
COMPANY_TRADES = names.IRAQI_TRADES

CITIES = {
    "IQ": (
        "Baghdad",
        "Basra",
        "Erbil",
        "Mosul",
        "Najaf",
        "Karbala",
        "Sulaymaniyah",
        "Kirkuk",
        "Duhok",
        "Hilla",
        "Nasiriyah",
        "Ramadi",
        "Kut",
        "Amarah",
        "Diwaniyah",
        "Samawah",
        "Baqubah",
        "Fallujah",
        "Zakho",
        "Tikrit",
    ),
    "AE": ("Dubai", "Abu Dhabi", "Sharjah", "Ajman", "Ras Al Khaimah"),
    "TR": ("Istanbul", "Ankara", "Gaziantep", "Mersin", "Bursa", "Izmir", "Konya", "Kayseri"),
    "CN": ("Shenzhen", "Ningbo", "Guangzhou", "Yiwu", "Foshan", "Xiamen", "Qingdao"),
    "JO": ("Amman", "Aqaba", "Zarqa", "Irbid"),
    "DE": ("Hamburg", "Munich", "Stuttgart", "Cologne", "Berlin"),
    "NL": ("Rotterdam", "Amsterdam"),
    "IT": ("Milan", "Genoa", "Turin", "Bologna"),
    "SE": ("Stockholm", "Malmo", "Gothenburg"),
    "GB": ("London", "Manchester", "Birmingham"),
    "US": ("Dearborn", "San Diego", "Nashville", "New York"),
    "AU": ("Sydney", "Melbourne"),
    "SG": ("Singapore",),
    "IN": ("Mumbai", "Jamnagar"),
    "LB": ("Beirut",),
}
