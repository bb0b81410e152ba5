"""Real banks for synthetic traffic (names and BIC8s from public BIC directories).

Clean traffic uses legitimate banks only; planted violations use the CBI-barred banks taken
from the list itself (rules/data/cbi_usd_ban.yaml), so the generator and the rule agree on facts
without the generator copying them.
"""

from __future__ import annotations

from typing import NamedTuple


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
    Bank("ADCBAEAA", "Abu Dhabi Commercial Bank", "AE"),
    Bank("BOMLAEAD", "Mashreqbank PSC", "AE"),
    Bank("TCZBTR2A", "Turkiye Cumhuriyeti Ziraat Bankasi", "TR"),
    Bank("TGBATRIS", "Turkiye Garanti Bankasi", "TR"),
    Bank("ISBKTRIS", "Turkiye Is Bankasi", "TR"),
    Bank("BKCHCNBJ", "Bank of China", "CN"),
    Bank("ICBKCNBJ", "Industrial and Commercial Bank of China", "CN"),
    Bank("ARABJOAX", "Arab Bank PLC", "JO"),
    Bank("HBHOJOAX", "Housing Bank for Trade and Finance", "JO"),
    Bank("DEUTDEFF", "Deutsche Bank", "DE"),
    Bank("COBADEFF", "Commerzbank", "DE"),
    Bank("INGBNL2A", "ING Bank", "NL"),
)

US_CORRESPONDENTS: tuple[Bank, ...] = (
    Bank("CHASUS33", "JPMorgan Chase Bank", "US"),
    Bank("CITIUS33", "Citibank N.A.", "US"),
    Bank("IRVTUS3N", "The Bank of New York Mellon", "US"),
)

IRAQI_FIRST = (
    "Ahmed",
    "Mohammed",
    "Ali",
    "Hussein",
    "Zainab",
    "Fatima",
    "Omar",
    "Mustafa",
    "Noor",
    "Sara",
    "Karim",
    "Hassan",
    "Layla",
    "Yousif",
    "Rana",
    "Saif",
)
IRAQI_LAST = (
    "Al-Obaidi",
    "Al-Jubouri",
    "Al-Tamimi",
    "Al-Dulaimi",
    "Al-Khafaji",
    "Al-Saadi",
    "Hamdan",
    "Kareem",
    "Jassim",
    "Abdulla",
    "Al-Shammari",
    "Barzani",
)
COMPANY_STEMS = (
    "Babel",
    "Tigris",
    "Euphrates",
    "Nineveh",
    "Zagros",
    "Basra Gate",
    "Karbala",
    "Erbil Star",
    "Sumer Sky",
    "Mesopotamia",
    "Al-Fajr",
    "Dar Al-Salam",
)
COMPANY_TRADES = (
    "General Trading Co",
    "Construction LLC",
    "Pharmaceuticals",
    "Food Industries",
    "Logistics",
    "Steel Works",
    "Medical Supplies",
    "Agricultural Co",
)
FOREIGN_COMPANIES = {
    "AE": ("Gulf Horizon Trading LLC", "Jebel Ali Logistics FZE", "Desert Rose General Trading"),
    "TR": ("Anadolu Insaat A.S.", "Bosphorus Tekstil Ltd", "Ege Gida Sanayi A.S."),
    "CN": (
        "Shenzhen Bright Electronics Co Ltd",
        "Ningbo Harbour Machinery Co",
        "Yiwu Star Import Export",
    ),
    "JO": ("Amman Pharma Industries", "Aqaba Freight Services", "Petra Food Company"),
    "DE": ("Rheinland Maschinenbau GmbH", "Hansa Medizintechnik GmbH", "Bayern Auto Teile AG"),
    "NL": ("Rotterdam Agro Trade BV", "Delft Water Systems BV", "Holland Seeds International BV"),
}
CITIES = {
    "IQ": ("Baghdad", "Basra", "Erbil", "Mosul", "Najaf"),
    "AE": ("Dubai", "Abu Dhabi"),
    "TR": ("Istanbul", "Ankara"),
    "CN": ("Shenzhen", "Ningbo"),
    "JO": ("Amman", "Aqaba"),
    "DE": ("Hamburg", "Munich"),
    "NL": ("Rotterdam", "Amsterdam"),
}
