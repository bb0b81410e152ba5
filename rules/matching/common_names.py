"""Given names and family names that many people in Iraq and its trading partners share, as data.

A word's weight says how much it tells about *which* subject a name means. A sanctions list is a
poor guide for person names: "Hussein" or "al-Shammari" are rarer on the SDN list than in an
Iraqi payment file, so a corpus weight alone would let two different people named "Mohammed
al-Shammari" match on the strength of a family name that a whole tribe carries. These words get a
low prior weight (lexicon.PRIOR_WEIGHTS), whatever their frequency on the lists.

Spellings are listed as payments write them (after normalisation: lower case, articles dropped);
the lexicon's SYNONYMS already unify a few (Mohammed/Mehmet -> muhammad). The lists are
compiled by hand from common naming knowledge, not derived from any test corpus.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Arabic, Kurdish, Turkish and Persian given names common in Iraqi and regional payments.
GIVEN_NAMES: Final = _words(
    """
    ahmad ahmed ahmet ali hussein husein hussain husain husayn hossein huseyin hassan hasan
    hassane mahmoud mahmud mahmood mustafa mostafa moustafa omar umar omer othman osman uthman
    khalid khaled khalil ibrahim ebrahim ismail ismael yusuf yousif yousef youssef yosef yaqub
    yacoub musa mousa moussa isa issa idris jasim jassim jassem qasim kasim qassim kadhim kazim
    kazem kareem karim abbas jafar jaafar jaffar sadiq sadeq baqir baqer haider hayder haidar
    mahdi mehdi hadi salih saleh salah salim saleem salem salman sulaiman suleiman sulayman
    hamad hamid hamed hameed hamza hamdi hamdan said saeed saed saad saadi sami samir sameer jamal
    jalal kamal kemal faisal faysal fadhil fadel fadil falah majid majeed nasser nasir naser
    nabil tariq tareq walid waleed wael yasir yasser yaser ziad ziyad zaid zayd adel adil
    amer amir ameer anas anwar ayman bilal basim bassem bashir fares faris firas ghazi hazim
    hisham imad emad issam essam jabbar jawad karrar latif mazin mazen muhannad munir mushtaq
    naji qais qays raad rafid riyadh riad sabah sabri sattar shakir talib thamer thamir uday
    qusay yahya younis yunus younes zuhair ammar ayad ayyad akram aziz rahman rahim razzaq
    wahab jabar ghani hamoudi hussam osama usama ousama nizar mohsen muhsin mohsin taha yassin
    yaseen munther mundhir ihsan ahsan emre murat burak fatih can serkan ozgur mehdi reza
    hossain farhad karwan rebwar dilshad shwan sherko hawre soran azad aram dara goran hemin
    kawa nawzad sirwan zana hiwa barzan
    fatima fatma fatimah zainab zaynab zeynep maryam mariam meryem noor nour nur sara sarah
    aisha ayesha ayse amina amna khadija hatice layla leila laila rana rania hana hanaa dunya
    shaima zahraa zahra asmaa iman eman israa rusul ruqaya ruqayya mina hiba nada duaa farah
    ghada lina noura samira suad wafaa elif emine shirin zhila lana nasrin
    huda hadeel hanan shahad sura aya ayat abeer amal azhar basma buthaina dalia ebtisam
    ibtisam enas inas hind hala hayat intisar jinan kawthar khulood lamia lubna maysoon muna
    mona nadia najla nahla nisreen raghad rasha reem rihab ruba sahar salwa sawsan shatha suha
    tamara wasan widad zina nibras marwa manar mays yasmin yasmeen
    nihad kifah mohanad muhanad adnan akeel aqeel alaa arkan asaad atheer bahaa basil dhiaa
    diyar durgham ehab ihab fouad fuad ghassan haitham haytham harith husam laith layth luay
    louay maher mudhafar muntadhar muntadher nabeel nadhim najim nawfal nazar qutaiba raed
    rami sajjad sarmad shihab sinan safaa saif sayf thaer wisam wissam abdullah abdulla
    abdallah abdulrahman abdulrahim abdulkarim abdulaziz abdulhadi abdulameer abdulrazzaq
    abdulwahab abdulhussein abdulkadhim abdulsattar abduljabbar abdulmajeed
    """
)

# Iraqi tribal and family names (nisba forms), and the commonest Turkish and Kurdish surnames.
FAMILY_NAMES: Final = _words(
    """
    shammari tamimi jubouri jabouri juburi jibouri dulaimi dulaymi obaidi ubaidi zubaidi
    khafaji maliki rubaie rubaiy rubaei hashimi hashemi husseini hussaini hakim janabi azzawi
    ani kubaisi karbalai najafi baghdadi basri mosuli tikriti jabiri lami asadi kaabi bayati
    daini ghurabi hamdani jaf talabani barzani zebari doski mizuri surchi hawrami kurdi
    turkmani shaikhli samarrai rawi hadithi fahdawi issawi mashhadani ugaili uqaili khalidi
    sharifi hilali saedi saidi sudani amiri ameri bakri tai shaibani kinani sabawi mousawi
    musawi yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan
    kilic aslan cetin kara koc kurt ozkan simsek polat korkmaz ahmadi hosseini mohammadi
    rezaei karimi hashemi
    """
)
