"""Country names as OFAC and the UN write them -> ISO 3166-1 alpha-2 codes.

rigour's territory table gives the standard names. Its fuzzy `lookup_territory` would also
resolve the lists' own spellings, but it builds a normalised index of every name on first use
(~2 s), which would dominate the SDN load time; a small table of the lists' spellings is cheaper
and explicit. Names that are regions rather than countries ("Region: Crimea") map to None.
"""

from __future__ import annotations

from functools import cache

from rigour.territories import get_territories

# Spellings the OFAC/UN lists use that differ from rigour's territory names.
LIST_SPELLINGS: dict[str, str] = {
    "bahamas, the": "BS",
    "burma": "MM",
    "cabo verde": "CV",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "hong kong": "HK",
    "korea, north": "KP",
    "korea, south": "KR",
    "democratic people's republic of korea": "KP",
    "iran (islamic republic of)": "IR",
    "iran, islamic republic of": "IR",
    "macau": "MO",
    "man, isle of": "IM",
    "north macedonia, the republic of": "MK",
    "palestinian": "PS",
    "sao tome and principe": "ST",
    "st. kitts & nevis": "KN",
    "st. kitts and nevis": "KN",
    "st. vincent and the grenadines": "VC",
    "syrian arab republic": "SY",
    "the gambia": "GM",
    "turkey": "TR",
    "united kingdom of great britain and northern ireland": "GB",
    "united states of america": "US",
    "russian federation": "RU",
    "virgin islands, british": "VG",
    "west bank": "PS",
    "region: gaza": "PS",
    "region: west bank": "PS",
}


@cache
def _standard_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for territory in get_territories():
        code = territory.code if len(territory.code) == 2 else None
        if code is None or not territory.is_country:
            continue
        for name in (territory.name, territory.full_name):
            if name:
                names.setdefault(name.casefold(), code.upper())
    return names


@cache
def country_code(name: str | None) -> str | None:
    """The alpha-2 code for a country name, or None when it is no country we know."""
    if not name:
        return None
    key = " ".join(name.split()).casefold()
    return LIST_SPELLINGS.get(key) or _standard_names().get(key)
