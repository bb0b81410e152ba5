"""Name pools for synthetic traffic, built by composition rules.

Where the names come from: word lists written for this generator (common Arabic, Kurdish,
Turkish and Chinese given names and name parts, Iraqi tribal and family names, trade words),
combined the way names are formed in each place: an Iraqi person is given name + father's name
(+ grandfather's) + family or tribal name, with the spelling variants transliteration produces
(Mohammed/Muhammad/Mohamed); a company is a stem + a trade + a legal form in the style of its
country ("... Company for General Trading", "... San. ve Tic. A.S.", "... Co., Ltd.").

They are deliberately NOT taken from bench/data (names-dataset frequencies, Iraq Stock Exchange
companies, regional listed suppliers): that corpus is the screening bench's independent clean
traffic, and a generator drawing from it would make the clean-traffic measurement circular.

Pool sizes: ~170 given names x ~170 fathers' names x ~110 family names give millions of
distinct persons, so a name repeats only when the same customer pays again.
"""

from __future__ import annotations

import random

MALE_GIVEN: tuple[str, ...] = (
    "Ahmed", "Ali", "Hussein", "Hassan", "Mohammed", "Mustafa", "Omar", "Abbas", "Kadhim",
    "Jassim", "Haider", "Karrar", "Muntadher", "Murtadha", "Sajjad", "Hamza", "Yasser", "Saad",
    "Salah", "Sami", "Samir", "Adel", "Adnan", "Akram", "Ammar", "Anmar", "Arkan", "Asaad",
    "Ayad", "Aziz", "Basim", "Bashar", "Dhafer", "Diyar", "Emad", "Fadhil", "Falah", "Faris",
    "Firas", "Ghassan", "Hadi", "Hamid", "Hameed", "Harith", "Hatem", "Hazim", "Hikmat",
    "Ibrahim", "Ihsan", "Imad", "Ismail", "Jabbar", "Jaafar", "Jamal", "Jawad", "Kamal",
    "Karim", "Khalid", "Khalil", "Laith", "Luay", "Mahdi", "Mahmoud", "Majid", "Mazin",
    "Mohanad", "Muhsin", "Munir", "Nabil", "Naji", "Nasir", "Nawfal", "Nizar", "Qasim",
    "Qusay", "Raad", "Rafid", "Raheem", "Raid", "Ramzi", "Rasheed", "Riyadh", "Sabah", "Sadiq",
    "Safaa", "Saif", "Salam", "Salim", "Sattar", "Shakir", "Shawkat", "Sinan", "Suhail",
    "Taha", "Talal", "Tariq", "Thamer", "Usama", "Wael", "Waleed", "Wisam", "Yahya", "Yasin",
    "Yousif", "Zaid", "Zuhair", "Zaki", "Ziad", "Mithaq", "Muayad", "Nazar", "Osama", "Qais",
    "Radhi", "Saleem", "Shihab", "Thaer", "Uday", "Waad", "Yaseen", "Zaher", "Abdulkareem",
    "Abdulrahman", "Abdulameer", "Abdulhussein", "Abdulwahab", "Abdulsattar", "Abdulmajeed",
    "Abdullah", "Abdulqadir", "Ayham", "Bilal", "Dawood", "Fouad", "Ghanim", "Habib",
    "Hashim", "Husam", "Jalal", "Kifah", "Lutfi", "Maher", "Marwan", "Monther", "Nashwan",
    "Rafat", "Sarmad", "Sufyan", "Tahsin", "Wathiq", "Yaqoob", "Zakariya", "Rebwar", "Shwan",
    "Karwan", "Dilshad", "Hemin", "Kawa", "Soran", "Aram", "Bakhtiyar", "Hawre", "Sherwan",
    "Nechirvan", "Azad", "Botan", "Dler", "Goran", "Zana", "Yousuf", "Hani", "Nihad",
)  # fmt: skip
"""Given names of Iraqi men, Arabic and Kurdish (Latin transliteration as in bank records)."""

FEMALE_GIVEN: tuple[str, ...] = (
    "Zainab", "Fatima", "Maryam", "Noor", "Sara", "Hiba", "Huda", "Rasha", "Rana", "Reem",
    "Shahad", "Teeba", "Tabarak", "Zahraa", "Ruqaya", "Asmaa", "Amal", "Aseel", "Ban", "Dalia",
    "Duaa", "Enas", "Farah", "Ghada", "Hadeel", "Hala", "Hanan", "Iman", "Israa", "Jinan",
    "Khadija", "Lamia", "Layla", "Lubna", "Maysoon", "Mayada", "Muna", "Nada", "Nadia", "Najlaa",
    "Nawal", "Rafal", "Raghad", "Rasmiya", "Sahar", "Samar", "Sanaa", "Suha", "Suzan", "Shatha",
    "Widad", "Wafaa", "Yusra", "Zina", "Basma", "Ibtisam", "Intisar", "Athraa", "Afrah",
    "Aya", "Dunya", "Nazdar", "Shilan", "Kazhal", "Avin", "Bahar", "Roj", "Nisreen", "Hind",
)  # fmt: skip
"""Given names of Iraqi women, Arabic and Kurdish."""

FAMILY: tuple[str, ...] = (
    "Al-Jubouri", "Al-Dulaimi", "Al-Tamimi", "Al-Obaidi", "Al-Shammari", "Al-Zubaidi",
    "Al-Khafaji", "Al-Saadi", "Al-Maliki", "Al-Rubaie", "Al-Hashimi", "Al-Janabi", "Al-Azzawi",
    "Al-Ani", "Al-Rawi", "Al-Hadithi", "Al-Karbalai", "Al-Najafi", "Al-Basri", "Al-Mosuli",
    "Al-Tikriti", "Al-Samarrai", "Al-Baghdadi", "Al-Kubaisi", "Al-Jumaili", "Al-Mashhadani",
    "Al-Lami", "Al-Fartousi", "Al-Mayahi", "Al-Kaabi", "Al-Bahadli", "Al-Sudani", "Al-Gharawi",
    "Al-Hakeem", "Al-Helli", "Al-Shibli", "Al-Ugaili", "Al-Daraji", "Al-Kinani", "Al-Asadi",
    "Al-Khazraji", "Al-Ansari", "Al-Saedi", "Al-Muhammadawi", "Al-Sari", "Al-Tai", "Al-Hamdani",
    "Al-Qaisi", "Al-Mufraji", "Al-Bayati", "Al-Salihi", "Al-Kurdi", "Al-Kaisi", "Al-Zaidi",
    "Al-Hilfi", "Al-Issawi", "Al-Mafraji", "Al-Jaberi", "Al-Khalidi", "Al-Sharifi",
    "Al-Husseini", "Al-Yasiri", "Al-Taee", "Al-Shawi", "Al-Nuaimi",
    "Al-Ghanimi", "Al-Badri", "Al-Dabbagh", "Al-Khatib", "Al-Attar", "Al-Haddad", "Al-Najjar",
    "Al-Sarraf", "Al-Chalabi", "Al-Pachachi", "Al-Damluji", "Al-Umari", "Al-Qaraghuli",
    "Kadhim", "Jawad", "Hamoudi", "Kubba", "Shukur", "Allawi", "Mahmood", "Jaber", "Saleh",
    "Rashid", "Hamadi", "Shakir", "Sabri", "Barzani", "Talabani", "Zebari", "Hawrami",
    "Dizayee", "Mirani", "Rekani", "Bradosti", "Sindi", "Doski", "Jaff", "Baban", "Shaways",
    "Kakai", "Khoshnaw", "Amedi", "Harki", "Surchi", "Bamerni",
)  # fmt: skip
"""Iraqi family and tribal names (nisba and surname forms), Arab and Kurdish."""

SPELLINGS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Mohammed", "Muhammad", "Mohamed", "Mohammad"),
    "Hussein": ("Hussein", "Hussain", "Husain"),
    "Hassan": ("Hassan", "Hasan"),
    "Kadhim": ("Kadhim", "Kadhem", "Kazim"),
    "Abbas": ("Abbas", "Abas"),
    "Yousif": ("Yousif", "Yusuf", "Youssef"),
    "Jassim": ("Jassim", "Jasim", "Qasim"),
    "Haider": ("Haider", "Hayder", "Haidar"),
    "Mustafa": ("Mustafa", "Mustafa", "Mostafa"),
    "Raheem": ("Raheem", "Rahim"),
}
"""Transliteration variants a name is written with from one bank record to the next."""

# --- companies -----------------------------------------------------------------------------

IRAQI_STEMS: tuple[str, ...] = (
    "Al-Nakheel", "Al-Furat Al-Awsat", "Bab Al-Sharqi", "Al-Mansour Gate",
    "Al-Kindi", "Al-Farabi", "Ibn Sina", "Al-Khwarizmi", "Al-Mutanabbi", "Al-Zawraa",
    "Al-Adhamiya", "Al-Karkh", "Al-Rusafa", "Al-Jadiriya", "Al-Yarmouk", "Al-Amal Al-Jadeed",
    "Al-Noor Al-Mudhi", "Nahr Dijla", "Shatt Al-Arab", "Al-Zubair", "Al-Kufa", "Al-Hilla",
    "Al-Diwaniya", "Al-Samawa", "Al-Amara", "Al-Kut", "Baquba", "Al-Ramadi", "Al-Fallujah",
    "Kirkuk Star", "Dohuk Valley", "Sulaymaniyah Hills", "Zakho Bridge", "Akre", "Halabja",
    "Rawanduz", "Shaqlawa", "Koya", "Penjwen", "Qaradagh", "Haji Omaran", "Safeen", "Azmar",
    "Goizha", "Bekhal", "Nalin", "Rozh", "Hawler Line", "Jazira", "Sinjar Mountain",
    "Al-Hadba", "Al-Nabi Younis", "Babylon Gardens", "Ishtar Gate", "Uruk", "Lagash",
    "Eridu", "Nippur", "Akkad", "Kish", "Larsa", "Al-Ahwar", "Al-Jubayish", "Al-Qurna",
    "Um Qasr Port", "Faw Peninsula", "Al-Saqr Al-Dhahabi", "Al-Waha", "Al-Sundus", "Al-Rayhan",
    "Al-Yasmeen", "Al-Zanbaq", "Al-Ghadeer", "Al-Ghasaq", "Al-Bayraq", "Al-Mirqab",
    "Al-Tawfiq", "Al-Itqan", "Al-Masar", "Al-Manara", "Al-Qimma", "Al-Rawabi", "Al-Sahil",
    "Al-Bawadi", "Al-Safwa", "Al-Nukhba", "Al-Ittihad Al-Wataniya", "Ard Al-Sawad",
)  # fmt: skip
"""Stems of Iraqi company names: places, landmarks, ancient cities, plants, virtues."""

IRAQI_TRADES: tuple[str, ...] = (
    "General Trading", "General Contracting", "Trading and Contracting", "Pharmaceuticals",
    "Medical Supplies", "Food Industries", "Foodstuff Trading", "Electrical Appliances",
    "Car Spare Parts", "Construction Materials", "Building Materials", "Steel Trading",
    "Cement Trading", "Agricultural Equipment", "Textiles", "Ready-Made Garments",
    "Mobile Phones and Accessories", "Computer Systems", "Household Appliances", "Tyres",
    "Furniture", "Ceramic Tiles", "Poultry Feed", "Frozen Foods", "Water Treatment",
    "Air Conditioning Systems", "Generators Trading", "Printing and Publishing",
    "Travel and Tourism", "Transport and Logistics", "Cleaning Materials", "Cosmetics",
    "Sweets Factory", "Flour Mills", "Plastic Industries", "Paints",
)  # fmt: skip

IRAQI_FORMS: tuple[str, ...] = ("Company for {trade}", "{trade} Co.", "for {trade} Ltd",
                                "{trade} LLC", "Company for {trade} Ltd")  # fmt: skip

AE_STEMS: tuple[str, ...] = (
    "Gulf Crest", "Palm Line", "Blue Lagoon", "Falcon Ridge", "Desert Pearl", "Creek Side",
    "Marina Bay", "Oasis Gate", "Sand Dune", "Coral Reef", "Golden Sands", "Silver Crescent",
    "Arabian Sail", "Dhow Harbour", "Emerald Coast", "Sapphire Line", "Sky Tower", "Sunrise",
    "Horizon Star", "Al Barsha", "Al Quoz", "Deira Gold", "Bur Dubai", "Jumeirah Breeze",
    "Al Khail", "Ras Al Khor", "Hatta Valley", "Fujairah Rock", "Khor Fakkan", "Al Maktoum",
    "Mirdif", "Al Nahda", "Karama Point", "Satwa", "Al Warqa", "Umm Suqeim", "Al Hamriya",
    "Jebel Hafeet", "Liwa", "Al Dhafra", "Saadiyat", "Yas Point", "Musaffah", "Al Reem",
)  # fmt: skip
AE_FORMS: tuple[str, ...] = ("{stem} General Trading LLC", "{stem} Trading FZE",
                             "{stem} {trade} FZCO", "{stem} {trade} LLC",
                             "{stem} International FZE")  # fmt: skip
AE_TRADES: tuple[str, ...] = (
    "Electronics", "Foodstuff", "Building Materials", "Auto Parts", "Medical Equipment",
    "Textiles", "Household Goods", "Industrial Supplies", "Tyres", "Mobile Phones",
    "Lubricants", "Cosmetics", "Paper Products", "Hardware",
)  # fmt: skip

TR_STEMS: tuple[str, ...] = (
    "Anadolu", "Yildiz", "Ege", "Marmara", "Kartal", "Toros", "Demirel", "Ozturk", "Aksoy",
    "Kaya", "Celikler", "Yilmazlar", "Karadeniz", "Akdeniz", "Boztepe", "Uludag", "Erciyes",
    "Kapadokya", "Bogazici", "Sakarya", "Firat", "Dicle", "Mardin Tas", "Gaziantep Baharat",
    "Sanliurfa", "Harran", "Nemrut", "Bursa Ipek", "Kocaeli", "Konya Un", "Kayseri Mobilya",
    "Denizli Tekstil", "Izmir Liman", "Mersin", "Hatay", "Adana Pamuk", "Trabzon", "Rize Cay",
    "Ordu Findik", "Eskisehir", "Bolu Dag", "Van Golu", "Ararat", "Cukurova", "Altinova",
)  # fmt: skip
TR_TRADES: tuple[str, ...] = (
    "Insaat", "Tekstil", "Gida", "Makine", "Kimya", "Otomotiv", "Elektrik", "Plastik",
    "Mobilya", "Celik", "Ambalaj", "Tarim", "Seramik", "Kablo", "Boya",
)  # fmt: skip
TR_FORMS: tuple[str, ...] = (
    "{stem} {trade} San. ve Tic. A.S.",
    "{stem} {trade} Ltd. Sti.",
    "{stem} {trade} Sanayi A.S.",
    "{stem} Dis Ticaret Ltd. Sti.",
)

CN_CITIES: tuple[str, ...] = (
    "Guangzhou", "Shenzhen", "Yiwu", "Ningbo", "Foshan", "Xiamen", "Qingdao", "Hangzhou",
    "Dongguan", "Wenzhou", "Suzhou", "Wuxi", "Changzhou", "Jinhua", "Taizhou", "Quanzhou",
    "Zhongshan", "Shantou", "Tianjin", "Dalian",
)  # fmt: skip
CN_STEMS: tuple[str, ...] = (
    "Huaxin", "Jinlong", "Tianyu", "Xinyuan", "Hongda", "Mingyang", "Ruifeng", "Haoyu",
    "Jiahe", "Shengtai", "Yongxing", "Fuda", "Xinghe", "Baixin", "Lianhua", "Kaiyuan",
    "Dingsheng", "Chuangyi", "Boyuan", "Weilong", "Zhongtian", "Hengxin", "Jiayuan", "Taifeng",
    "Shunda", "Guanghui", "Lixin", "Meida", "Oufeng", "Qianhe", "Ronghua", "Sanhe", "Wanjia",
    "Xinlian", "Yuantong", "Zhenghe", "Anxin", "Bochuang", "Chenguang", "Dongsheng",
)  # fmt: skip
CN_TRADES: tuple[str, ...] = (
    "Electronics", "Machinery", "Building Materials", "Auto Parts", "Textile", "Lighting",
    "Solar Technology", "Hardware", "Furniture", "Import and Export", "Garments", "Ceramics",
    "Plastic Products", "Electric Appliance", "Packaging", "Medical Instruments", "Tools",
)  # fmt: skip
CN_FORMS: tuple[str, ...] = ("{city} {stem} {trade} Co., Ltd.", "{city} {stem} {trade} Co Ltd",
                             "{stem} ({city}) {trade} Co., Ltd.")  # fmt: skip

JO_STEMS: tuple[str, ...] = (
    "Petra Rose", "Wadi Rum", "Jerash", "Madaba", "Ajloun", "Karak Castle", "Aqaba Gulf",
    "Dead Sea Salt", "Zarqa River", "Irbid North", "Salt City", "Mafraq", "Tafilah",
    "Shobak", "Umm Qais", "Jabal Amman", "Abdali", "Sweileh", "Marka", "Sahab",
    "Al-Mashriq Al-Urduni", "Al-Bayyarat", "Al-Sanabel", "Al-Rawda",
)  # fmt: skip
JO_TRADES: tuple[str, ...] = (
    "Pharmaceutical Industries", "Trading", "Food Industries", "Medical Supplies",
    "Freight Services", "Chemical Industries", "Paper and Cardboard", "Detergents",
    "Agricultural Products", "Engineering Supplies",
)  # fmt: skip
JO_FORMS: tuple[str, ...] = ("{stem} {trade} Co.", "{stem} for {trade}", "{stem} {trade} LLC",
                             "{stem} {trade} PSC")  # fmt: skip

EU_COMPANIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "DE": (
        (
            "Rheinland",
            "Hansa",
            "Bayern",
            "Schwarzwald",
            "Elbtal",
            "Weser",
            "Harz",
            "Mosel",
            "Nordsee",
            "Allgaeu",
        ),
        (
            "Maschinenbau",
            "Medizintechnik",
            "Pumpen",
            "Anlagenbau",
            "Elektrotechnik",
            "Fahrzeugteile",
            "Messtechnik",
        ),
        ("{stem} {trade} GmbH", "{stem} {trade} AG", "{stem}-{trade} GmbH & Co. KG"),
    ),
    "IT": (
        ("Adriatica", "Lombarda", "Toscana", "Padana", "Sabauda", "Ligure", "Etna", "Vesuvio"),
        ("Meccanica", "Impianti", "Alimentari", "Turbine", "Valvole"),
        ("{stem} {trade} S.p.A.", "{stem} {trade} S.r.l."),
    ),
}
"""European suppliers (machinery, medical technology): country -> stems, trades, forms."""

IR_ENERGY_STEMS: tuple[str, ...] = (
    "Golestan Nour", "Hormozgan Barq", "Khuzestan Tavan", "Ilam Gaz", "Kermanshah Niru",
    "Lorestan Energy", "Kurdestan Barq", "Azarbaijan Niru", "Hamadan Tavan", "Zanjan Gaz",
)  # fmt: skip
IR_ENERGY_TRADES: tuple[str, ...] = (
    "Power Export Co.", "Electricity Supply Company", "Gas Transmission Co.",
    "Energy Trading Company", "Natural Gas Export Co.",
)  # fmt: skip
"""Iranian energy exporters for the planted IRAN-ENERGY payments (made-up, province-named)."""

IR_STEMS: tuple[str, ...] = (
    "Arvand Kala", "Shahrvand Tejarat", "Golbarg", "Sepidar", "Nikan Sanat", "Behsaz",
    "Parsian Kala", "Rahavard", "Tousan", "Kimia Gostar", "Mehrsan", "Sahand Tejarat",
)  # fmt: skip
"""Iranian traders a payment's creditor can be (made-up) for IRAN-NEXUS by IBAN and address."""

TR_ENERGY: tuple[str, ...] = (
    "Akdeniz Enerji Uretim A.S.", "Ege Elektrik Ticaret A.S.", "Marmara Enerji Ticaret A.S.",
    "Toros Elektrik Uretim A.S.", "Karadeniz Guc Sistemleri A.S.",
)  # fmt: skip
"""Turkish power suppliers: the legitimate energy payments (a decoy for IRAN-ENERGY)."""

GOVERNMENT_PAYERS: tuple[str, ...] = (
    "Ministry of Finance - Federal Payroll Directorate",
    "Ministry of Education - Directorate of Finance",
    "Ministry of Health and Environment - Accounts Department",
    "Ministry of Higher Education and Scientific Research",
    "Ministry of Water Resources - Finance Directorate",
    "Ministry of Agriculture - Salaries Section",
    "Ministry of Transport - Accounts Department",
    "Ministry of Municipalities and Public Works",
    "Ministry of Electricity - Salaries Section",
    "Ministry of Trade - Finance Department",
    "Baghdad Governorate - Finance Directorate",
    "Basra Governorate - Finance Directorate",
    "Nineveh Governorate - Finance Directorate",
    "Kurdistan Regional Government - Ministry of Finance and Economy",
)
PENSION_PAYERS: tuple[str, ...] = (
    "National Retirement Authority - Civil Pensions",
    "National Retirement Authority - Military Pensions",
    "Kurdistan Regional Government - General Directorate of Pensions",
)
ELECTRICITY_MINISTRY = "Ministry of Electricity - Directorate of Energy Imports"
OIL_SELLER = "Central Bank of Iraq - Development Fund for Iraq"
OIL_BUYER_FORMS: tuple[str, ...] = (
    "{stem} Petroleum Trading Pte Ltd",
    "{stem} Refining Company",
    "{stem} Oil Trading S.A.",
    "{stem} Energy Trading DMCC",
)
OIL_BUYER_STEMS: tuple[str, ...] = (
    "Eastern Horizon", "Meridian Coast", "Northsea Crest", "Sunda Strait", "Malacca Gate",
    "Bosporus Link", "Ligurian Shore", "Konkan", "Coromandel", "Gujarat Western",
)  # fmt: skip
"""Buyers of Iraqi crude (made-up): oil receipts are paid into the Development Fund for Iraq."""

STREETS: tuple[str, ...] = (
    "Street",
    "St.",
    "Road",
    "Avenue",
    "Alley",
    "Quarter",
    "District",
)
GOODS: dict[str, tuple[str, ...]] = {
    "AE": ("electronics", "foodstuff", "auto parts", "mobile phones", "tyres", "cosmetics"),
    "TR": ("steel rebar", "textiles", "flour", "furniture", "cables", "ceramic tiles"),
    "CN": ("machinery", "solar panels", "lighting", "garments", "tools", "hardware"),
    "JO": ("medicines", "detergents", "vegetables", "paper", "chemicals"),
    "DE": ("pumps", "medical equipment", "spare parts", "measuring instruments"),
    "IT": ("turbine parts", "valves", "food machinery"),
}


def _spell(rng: random.Random, name: str) -> str:
    variants = SPELLINGS.get(name)
    return rng.choice(variants) if variants else name


def iraqi_person(rng: random.Random) -> str:
    """Given name, father's name, sometimes the grandfather's, and mostly a family name."""
    female = rng.random() < 0.32
    given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
    parts = [_spell(rng, given), _spell(rng, rng.choice(MALE_GIVEN))]
    if rng.random() < 0.35:
        parts.append(_spell(rng, rng.choice(MALE_GIVEN)))
    if rng.random() < 0.8:
        parts.append(rng.choice(FAMILY))
    return " ".join(parts)


def iraqi_company(rng: random.Random) -> str:
    form = rng.choice(IRAQI_FORMS).format(trade=rng.choice(IRAQI_TRADES))
    return f"{rng.choice(IRAQI_STEMS)} {form}"


def foreign_company(rng: random.Random, country: str) -> str:
    """A supplier's name in the style of its country."""
    if country == "AE":
        form = rng.choice(AE_FORMS)
        return form.format(stem=rng.choice(AE_STEMS), trade=rng.choice(AE_TRADES))
    if country == "TR":
        form = rng.choice(TR_FORMS)
        return form.format(stem=rng.choice(TR_STEMS), trade=rng.choice(TR_TRADES))
    if country == "CN":
        form = rng.choice(CN_FORMS)
        return form.format(
            city=rng.choice(CN_CITIES), stem=rng.choice(CN_STEMS), trade=rng.choice(CN_TRADES)
        )
    if country == "JO":
        form = rng.choice(JO_FORMS)
        return form.format(stem=rng.choice(JO_STEMS), trade=rng.choice(JO_TRADES))
    stems, trades, forms = EU_COMPANIES[country]
    return rng.choice(forms).format(stem=rng.choice(stems), trade=rng.choice(trades))


def oil_buyer(rng: random.Random) -> str:
    return rng.choice(OIL_BUYER_FORMS).format(stem=rng.choice(OIL_BUYER_STEMS))


def iranian_energy_company(rng: random.Random) -> str:
    return f"{rng.choice(IR_ENERGY_STEMS)} {rng.choice(IR_ENERGY_TRADES)}"


def iranian_trader(rng: random.Random) -> str:
    return f"{rng.choice(IR_STEMS)} {rng.choice(('Trading Co.', 'Commercial Company', 'Co.'))}"
