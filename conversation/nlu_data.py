"""Phrase lists and lookup tables for the intent router and the refinement parser (pure data, no I/O).

Kept apart from the logic so they can be extended without touching the rules. Publisher names are
spelled exactly as data.gov.sg's ``managedByAgencyName`` (the catalog's Publisher.name); source values
are catalog Source slugs.
"""

from __future__ import annotations


def word_list(text: str) -> list[str]:
    """Whitespace-separated words of a literal block (keeps long word lists readable)."""
    return text.split()


# ---------------------------------------------------------------------------------------------
# Catalog vocabulary: agencies, sources, formats
# ---------------------------------------------------------------------------------------------

# Acronyms / short names -> publisher name as it appears in the catalog.
AGENCY_ALIASES: dict[str, str] = {
    "nea": "National Environment Agency",
    "lta": "Land Transport Authority",
    "land transport authority": "Land Transport Authority",
    "hdb": "Housing and Development Board",
    "housing board": "Housing and Development Board",
    "housing and development board": "Housing and Development Board",
    "ura": "Urban Redevelopment Authority",
    "urban redevelopment authority": "Urban Redevelopment Authority",
    "sla": "Singapore Land Authority",
    "singapore land authority": "Singapore Land Authority",
    "moh": "Ministry of Health",
    "ministry of health": "Ministry of Health",
    "moe": "Ministry of Education",
    "ministry of education": "Ministry of Education",
    "mom": "Ministry of Manpower",
    "ministry of manpower": "Ministry of Manpower",
    "msf": "Ministry of Social and Family Development",
    "mccy": "Ministry of Culture, Community and Youth",
    "mci": "Ministry of Communications and Information",
    "mof": "Ministry of Finance",
    "mindef": "Ministry of Defence",
    "mot": "Ministry of Transport",
    "mse": "Ministry of Sustainability and the Environment",
    "minlaw": "Ministry of Law",
    "singstat": "Singapore Department of Statistics",
    "dos": "Singapore Department of Statistics",
    "department of statistics": "Singapore Department of Statistics",
    "statistics department": "Singapore Department of Statistics",
    "singapore department of statistics": "Singapore Department of Statistics",
    "national environment agency": "National Environment Agency",
    "imda": "Info-communications Media Development Authority",
    "nlb": "National Library Board",
    "national library": "National Library Board",
    "cpf": "Central Provident Fund Board",
    "cpf board": "Central Provident Fund Board",
    "iras": "Inland Revenue Authority of Singapore",
    "hpb": "Health Promotion Board",
    "ica": "Immigration and Checkpoints Authority",
    "spf": "Singapore Police Force",
    "police": "Singapore Police Force",
    "acra": "Accounting and Corporate Regulatory Authority",
    "hsa": "Health Sciences Authority",
    "stb": "Singapore Tourism Board",
    "tourism board": "Singapore Tourism Board",
    "sportsg": "Sport Singapore",
    "mpa": "Maritime and Port Authority of Singapore",
    "nparks": "National Parks Board",
    "national parks": "National Parks Board",
    "sps": "Singapore Prison Service",
    "ema": "Energy Market Authority",
    "eld": "Elections Department",
    "jtc": "JTC Corporation",
    "edb": "Economic Development Board",
    "bca": "Building and Construction Authority",
    "caas": "Civil Aviation Authority of Singapore",
    "scdf": "Singapore Civil Defence Force",
    "mas": "Monetary Authority of Singapore",
    "ipos": "Intellectual Property Office of Singapore",
    "customs": "Singapore Customs",
    "psd": "Public Service Division",
    "sfa": "Singapore Food Agency",
    "pub": "PUB, Singapore's national water agency",
    "govtech": "Government Technology Agency",
    "a*star": "Agency For Science, Technology and Research",
    "astar": "Agency For Science, Technology and Research",
    "nhb": "National Heritage Board",
    "ptc": "Public Transport Council",
    "cnb": "Central Narcotics Bureau",
    "wsg": "Workforce Singapore",
    "ecda": "Early Childhood Development Agency",
    "nrf": "National Research Foundation",
    "pdpc": "Personal Data Protection Commission",
    "ssg": "SkillsFuture Singapore",
    "cea": "Council For Estate Agencies",
    "ogp": "Open Government Products",
    "pa": "People's Association",
}

# Aliases too ambiguous to be taken as an agency unless "from/by/only" precede them.
AMBIGUOUS_AGENCY_ALIASES = frozenset({"pub", "pa", "mom", "mas", "customs", "police", "eld", "mot", "dos", "ptc"})

# Source phrases -> (source slug, label). Slugs follow catalog/importers (datagovsg, csv_seed.SOURCES,
# datafinder). "singstat" is taken as the publisher (Singapore Department of Statistics), which is what
# people usually mean, rather than the 5-dataset SingStat source.
SOURCE_ALIASES: dict[str, tuple[str, str]] = {
    "data.gov.sg": ("datagovsg", "data.gov.sg"),
    "data gov sg": ("datagovsg", "data.gov.sg"),
    "datagovsg": ("datagovsg", "data.gov.sg"),
    "data.gov": ("datagovsg", "data.gov.sg"),
    "world bank": ("worldbank", "the World Bank"),
    "worldbank": ("worldbank", "the World Bank"),
    "imf": ("imf", "the IMF"),
    "international monetary fund": ("imf", "the IMF"),
    "oecd": ("oecd", "the OECD"),
    "un sdg": ("un-sdg", "the UN SDG Indicators"),
    "sdg": ("un-sdg", "the UN SDG Indicators"),
    "united nations": ("un", "the United Nations"),
    "world health organization": ("who", "the World Health Organization"),
    "world health organisation": ("who", "the World Health Organization"),
    "lta datamall": ("lta-datamall", "LTA DataMall"),
    "datamall": ("lta-datamall", "LTA DataMall"),
    "onemap": ("onemap", "OneMap"),
    "one map": ("onemap", "OneMap"),
    "papers with code": ("paperswithcode", "Papers with Code"),
    "paperswithcode": ("paperswithcode", "Papers with Code"),
    "un": ("un", "the United Nations"),
    "who": ("who", "the World Health Organization"),
}
# Source aliases that are ordinary words too: only after "from/by/only/just".
AMBIGUOUS_SOURCE_ALIASES = frozenset({"un", "who", "sdg"})

# Format words -> catalog format value.
FORMAT_ALIASES: dict[str, str] = {
    "csv": "CSV",
    "csvs": "CSV",
    "geojson": "GEOJSON",
    "geo json": "GEOJSON",
    "json": "JSON",
    "kml": "KML",
    "kmz": "KMZ",
    "shp": "SHP",
    "shapefile": "SHP",
    "shapefiles": "SHP",
    "shape file": "SHP",
    "shape files": "SHP",
    "xlsx": "XLSX",
    "xls": "XLSX",
    "excel": "XLSX",
    "spreadsheet": "XLSX",
    "spreadsheets": "XLSX",
    "pdf": "PDF",
    "sdmx": "SDMX",
    "api": "API",
    "apis": "API",
}

GEOGRAPHY_ALIASES: dict[str, str] = {
    "singapore": "singapore",
    "sg": "singapore",
    "local": "singapore",
    "global": "global",
    "worldwide": "global",
    "international": "global",
    "world": "global",
    "all countries": "global",
    "other countries": "global",
    "cross country": "global",
}

# ---------------------------------------------------------------------------------------------
# Normalisation helpers
# ---------------------------------------------------------------------------------------------

# Chat abbreviations (short tokens the edit-distance corrector leaves alone).
ABBREVIATIONS: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "tnx": "thanks",
    "ty": "thank you",
    "tq": "thank you",
    "tku": "thank you",
    "abt": "about",
    "w": "with",
    "nxt": "next",
    "prev": "previous",
    "pg": "page",
    "shw": "show",
    "tel": "tell",
    "hlp": "help",
    "gd": "good",
    "nite": "night",
    "cya": "see you",
    "bb": "bye",
    "k": "ok",
    "kk": "ok",
    "okie": "ok",
    "okk": "ok",
    "ppl": "people",
    "govt": "government",
    "gov": "government",
    "info": "information",
    "stats": "statistics",
    "stat": "statistics",
    "yr": "year",
    "yrs": "years",
    "abit": "a bit",
    "btw": "by the way",
    "idk": "i do not know",
    "dunno": "do not know",
    "wanna": "want to",
    "gimme": "give me",
    "lemme": "let me",
}

# Words the typo corrector may correct *to* (besides every phrase word below).
EXTRA_VOCAB = word_list(
    """
hello hi hey thanks thank please help show find search look looking need want data dataset datasets statistics
statistic figures numbers records information table tables only just page next previous sort order recent newest
latest oldest relevance similar like more results result first second third fourth fifth last year years since
between before after until from about population housing transport transportation rainfall environment
environmental weather temperature economy economic employment unemployment income education health hospital
energy electricity water waste recycling tourism trade export exports import imports prices price index
inflation census births deaths marriage divorce crime traffic accidents vehicles cars taxi bus buses train
trains mrt parks schools school students university graduates labour labor workers wages salaries salary
property rental resale flats households household poverty inequality emissions climate pollution quality
air dengue covid vaccination cases disease mortality fertility ageing elderly children childcare library
government ministry authority agency board department singapore global world countries country dataset
write poem joke book flight order buy translate recipe cook weather tomorrow today tonight
"""
)

# Common English words never "corrected" into something else.
COMMON_WORDS = word_list(
    """
a an the and or but if of on in at to for with by as is are was were be been am do does did done have has had
i me my you your we our they them their it its this that these those what which who whom whose when where why
how can could would should will shall may might must not no yes ok okay so too very also just only any some
all each every more most less few many much other another same such new old good great nice bad best better
get got give go going come make take see know think tell say ask use used using want need like love
one two three four five six seven eight nine ten cat cats dog dogs car cars home house work job jobs time day
days week month months today now then there here out up down over under into than about again still even
laksa rice chicken pizza movie music song poem essay story letter code python email boss phone laptop
summarise summarize summary article
"""
)

# ---------------------------------------------------------------------------------------------
# Smalltalk
# ---------------------------------------------------------------------------------------------

# Whole phrases that are pure smalltalk (matched on normalised text, longest first).
SMALLTALK_PHRASES = """
hello|hi|hey|hiya|heya|howdy|greetings|yo|sup|hi there|hey there|hello there|good morning|good afternoon
|good evening|good night|morning|evening|afternoon|how are you|how are you doing|how are you doing today
|how is it going|how's it going|how are things|what's up|whats up|nice to meet you|pleased to meet you
|thanks|thank you|thank you so much|thanks so much|thanks a lot|many thanks|thanks a bunch|cheers|much appreciated
|appreciate it|i appreciate it|that was helpful|that's helpful|that helps|very helpful|super helpful
|that's exactly what i needed|exactly what i needed|that's what i needed|just what i needed|that's great|that's perfect
|great|perfect|awesome|cool|nice|brilliant|excellent|amazing|wonderful|fantastic|neat|sweet|lovely|good|very good
|ok|okay|alright|all right|got it|i see|understood|noted|sure|fine|right|sounds good|makes sense
|bye|goodbye|good bye|bye bye|see you|see you later|see ya|later|take care|have a nice day|have a good day
|have a great day|that's all|that's all for now|that is all|that's it|that's it for now|for now|bye for now|catch you later
|lol|haha|hahaha|lmao|hehe|sorry|my bad|oops|my mistake|my fault|apologies|excuse me|pardon|never mind|nevermind|no worries|no problem|you're great
|you are great|you're awesome|you are awesome|you're the best|good job|well done|good bot|you there|are you there
|anyone there|hmm|hm|uh|um|wow|yay|indeed|yes|yep|yeah|no|nope|goodnight|good nite|nighty night|gn|gm
|thanks heaps|heaps of thanks|thanks again|thank you again|thanks anyway|thank you anyway|cheers for that|ta
|gracias|merci|danke|arigato|xie xie|terima kasih|hola|bonjour|ciao|namaste|salam|aloha|shalom
|that works|works for me|that will do|that'll do|love it|i love it|love this|i like it
|you rock|you are a star|you're a star|you are a legend|you're a legend|you are a lifesaver|you're a lifesaver
|you are amazing|you're amazing|you are helpful|you're helpful|you are the best|you are so helpful|so helpful
|this is great|that is great|this is awesome|that is awesome|this is amazing|this is cool|that is cool|this is perfect
|that is perfect|this is helpful|that is helpful|this is useful|that is useful|this is nice|that is nice
|good to know|interesting|fair enough|roger|roger that|will do|welcome|you are welcome|no thanks|no thank you
|great stuff|good stuff|nice one|good one|that is fine|fine by me|all good|sounds great|looks good|looks great
|thank you very much|thanks very much|for your help|for the help|for helping|for helping me|for everything|for all your help|thank you kindly|ok then|okay then|alright then|hello again|hi again|thanks for that|thank you for that|thanks for the help
""".replace("\n", "").split("|")

# ---------------------------------------------------------------------------------------------
# Prototypes for the embedding vote (hand-written, distinct from tests/data/intents.jsonl)
# ---------------------------------------------------------------------------------------------

# Words addressed to the assistant after a greeting ("cheers mate", "hello assistant").
VOCATIVES = frozenset(
    word_list("mate buddy bot assistant friend man dude guys everyone all folks pal sir madam team there partner")
)

PROTOTYPES: dict[str, list[str]] = {
    "smalltalk": [
        "hi there",
        "good morning to you",
        "thanks for your help",
        "thank you very much",
        "goodbye and take care",
        "see you next time",
        "how are you",
        "that is great, cheers",
        "nice talking to you",
        "okay, understood",
    ],
    "capabilities": [
        "what are you able to help me with",
        "what kind of questions can I ask",
        "which data portals are included in your catalog",
        "where do your datasets come from",
        "how do you decide which datasets to show first",
        "explain your ranking algorithm",
        "is there a programmatic API I can call",
        "which filters are available",
        "can I narrow results by file format or publisher",
        "how fresh is the catalog",
        "do you store my search history",
        "how do you generate the answers",
        "are your answers reliable",
        "what is this assistant",
        "how do I use this tool",
    ],
    "search": [
        "datasets about public housing",
        "statistics on population growth",
        "data on air pollution levels",
        "I am looking for transport data",
        "do you have data about schools",
        "monthly rainfall records",
        "economic indicators by country",
        "health statistics for hospitals",
        "employment and wages figures",
        "research benchmark for text classification",
        "geospatial data of parks",
        "tourism visitor numbers",
        "energy consumption data",
        "crime rates",
        "trade and exports statistics",
        "census data",
        "climate change indicators",
        "images dataset for computer vision",
        "where can I find numbers on inflation",
        "I need figures for my research on ageing",
    ],
    "out_of_scope": [
        "write me a story",
        "compose a poem for my friend",
        "tell me something funny",
        "book a hotel room",
        "buy a new phone",
        "order food delivery",
        "what is the weather forecast for tomorrow",
        "is it raining now",
        "translate this sentence into french",
        "fix the bug in my javascript",
        "who is the president of the united states",
        "what is the capital of japan",
        "recommend a good restaurant",
        "best smartphone to buy",
        "how much does a macbook cost",
        "play a song",
        "remind me to call mom",
        "solve this math equation",
        "give me dating advice",
        "what is the share price of tesla right now",
        "how do I bake a cake",
        "find me a cheap holiday package",
        "latest headlines today",
    ],
}

# Catalog themes (what the catalog covers): the embedding vote's "search" channel and related topics.
CATALOG_TOPICS = [
    "population and demographics",
    "births, deaths and marriages",
    "household income and expenditure",
    "public housing and HDB flats",
    "property prices and rents",
    "land use and urban planning",
    "public transport ridership",
    "roads, traffic and vehicles",
    "taxis, buses and trains",
    "weather, rainfall and temperature",
    "air quality and pollution",
    "climate change and emissions",
    "energy and electricity",
    "water supply and consumption",
    "waste and recycling",
    "parks, nature and biodiversity",
    "public health and diseases",
    "hospitals and healthcare services",
    "education, schools and universities",
    "students and graduates",
    "employment, jobs and wages",
    "labour force and unemployment",
    "economy and GDP",
    "prices and inflation",
    "international trade, imports and exports",
    "tourism and visitor arrivals",
    "crime and public safety",
    "government finance and budget",
    "social services and welfare",
    "elderly care and ageing",
    "children and childcare",
    "libraries, arts and culture",
    "sports and recreation",
    "food and agriculture",
    "business and enterprises",
    "internet, technology and communications",
    "mobile phone and broadband subscriptions",
    "locations and maps of facilities",
    "world development indicators by country",
    "machine learning datasets and benchmarks",
    "images, text and speech corpora for AI research",
]

# Catalog topics: nearest one is offered as a related search for out-of-scope requests.
RELATED_TOPICS: dict[str, str] = {
    # keyword (normalised token) -> related catalog query
    "laptop": "consumer price index",
    "laptops": "consumer price index",
    "computer": "consumer price index",
    "pc": "consumer price index",
    "iphone": "consumer price index",
    "phone": "consumer price index",
    "phones": "consumer price index",
    "smartphone": "consumer price index",
    "macbook": "consumer price index",
    "gadget": "consumer price index",
    "tv": "consumer price index",
    "shopping": "retail sales index",
    "deals": "consumer price index",
    "flight": "air passenger arrivals",
    "flights": "air passenger arrivals",
    "airport": "air passenger arrivals",
    "airline": "air passenger arrivals",
    "holiday": "visitor arrivals",
    "vacation": "visitor arrivals",
    "hotel": "hotel occupancy rates",
    "hotels": "hotel occupancy rates",
    "weather": "rainfall and temperature",
    "rain": "rainfall",
    "forecast": "rainfall and temperature",
    "temperature": "air temperature",
    "umbrella": "rainfall",
    "restaurant": "food and beverage services",
    "restaurants": "food and beverage services",
    "pizza": "food and beverage services",
    "food": "food and beverage services",
    "recipe": "hawker centres",
    "cook": "hawker centres",
    "laksa": "hawker centres",
    "job": "job vacancies",
    "jobs": "job vacancies",
    "resume": "job vacancies",
    "salary": "wages by occupation",
    "apartment": "private residential rental prices",
    "condo": "private residential rental prices",
    "rent": "private residential rental prices",
    "car": "motor vehicle population",
    "cars": "motor vehicle population",
    "uber": "taxi availability",
    "grab": "taxi availability",
    "taxi": "taxi availability",
    "stock": "stock market indices",
    "stocks": "stock market indices",
    "shares": "stock market indices",
    "bitcoin": "exchange rates",
    "crypto": "exchange rates",
    "exchange": "exchange rates",
    "currency": "exchange rates",
    "election": "election results",
    "elections": "election results",
    "vote": "election results",
    "minister": "parliament election results",
    "president": "election results",
    "dengue": "dengue cases",
    "symptoms": "infectious disease cases",
    "doctor": "hospital admissions",
    "weight": "obesity prevalence",
    "diet": "obesity prevalence",
    "passport": "immigration statistics",
    "visa": "immigration statistics",
    "movie": "cinema attendance",
    "movies": "cinema attendance",
    "concert": "arts and cultural events",
    "music": "arts and cultural events",
    "football": "sports participation",
    "world cup": "sports participation",
    "sport": "sports participation",
    "news": "media usage",
    "bus": "bus arrival",
    "mrt": "train service disruptions",
    "train": "train service disruptions",
    "twitter": "internet usage",
    "trip": "visitor arrivals",
    "taxes": "tax collection",
    "tax": "tax collection",
    "wifi": "internet usage",
    "internet": "internet usage",
}
