"""The router's grammar: what asks for data, what asks about the assistant, what it cannot serve."""

from __future__ import annotations

import re

from conversation.nlu import register_pattern_words


def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


DATA_WORDS = _rx(
    # "data scientist jobs" names a job, not data
    r"\b(?:data(?! (?:scientists?|analysts?|engineers?|science|entry|protection officer)\b)|dataset|datasets|database|databases|statistics|statistic|census|survey|surveys|indicators?"
    r"|time series|records|figures|numbers|benchmark|benchmarks|corpus|corpora|open data|table|tables"
    r"|index|indices|rates?|trends?|counts?|levels|estimates|csv|geojson|shapefile|kml)\b"
)
# Quantities and breakdowns: "who are the top trading partners" asks for statistics, not trivia.
STAT_WORDS = _rx(
    r"\b(?:top|most|least|largest|biggest|highest|lowest|number of|how many|percentage|proportion|share of|average"
    r"|median|total|trends?|growth|per capita|distribution|breakdown|statistics|stats|by (?:age|sex|gender|year|month"
    r"|region|country|town|industry|occupation|ethnicity|race|district|planning area)|by (?!me\b|you\b|us\b|the way\b)[a-z]+$"
    r"|ownership|subscriptions?|registrations?|enrol?ments?|consumption|usage|borrowed|loans|incidence|prevalence"
    r"|occupancy|ridership|arrivals|production|output|emissions|grades|rates|counts|census|survey|surveys)\b"
)
# A question about the assistant names it or what it shows.
ASSISTANT_REFERENCE = re.compile(
    r"\b(?:you|your|yours|yourself|this|these|here|site|tool|app|assistant|bot|results?|search|searches|ranking|ranked"
    r"|score|scores|scored|api|sources?|catalog|catalogue|filters?|history|links?|answers?|datasets?|data|portal)\b"
)
REQUEST_WORDS = _rx(
    r"\b(?:looking for|look for|look up|search for|find me|find|show me|show|get me|give me|i need|need|want"
    r"|do you have|have you got|any|anything on|where can i (?:find|get)|is there|are there|information on"
    r"|information about|about)\b"
)

# About the assistant even when the results are named ("can you look inside these files?", "notify me when any of
# these changes"): limits, alerts, what is searched and for whom.
CAPABILITY_ABOUT_ITSELF = _rx(
    # doubt about the assistant itself: "can u actually find datasets for my science fair or nah"; what it covers: "do you
    # cover WHO / World Bank indicators, or only Singapore sources"
    r"\b(?:can|could|do|will) (?:you|u) (?:actually|really|even) (?:find|search|do|help|get|handle)\b",
    r"\bdo (?:you|u) (?:cover|include|index|carry|hold|have)\b[^?]{0,80}\bor (?:only|just)\b",
    r"\b(?:search|include|cover|index) (?:data )?(?:from )?(?:other (?:countries'? |country )?(?:portals|sites|sources|catalogs|catalogues)"
    r"|foreign (?:portals|sites|sources))\b",
    r"\bare (?:these|those|they) all (?:the|of the) results\b|\bor (?:just|only) the top (?:ten|10|five|5|twenty|20)\b",
    r"\bdo you (?:host|store|keep|mirror) the (?:files|data|datasets)\b|\b(?:just |only )?link out to\b",
    r"\bwhy do (?:some|many|a few|most) of (?:these|them|the results|those) (?:have no|lack|not have|have missing|show no)\b",
    r"\bwhen (?:was|is) (?:your|the) (?:catalog|catalogue|index|database|collection) (?:last )?(?:updated|refreshed|built)\b",
    r"\bhow (?:does|do) (?:the |this )?(?:undo|share|sharing|chip|chips|filter|filters|export|save|saved search|compare|comparison|streaming|"
    r"exclude|excluding|exclusions?|include|sort|sorting|ranking|search|searching|matching|summary|summaries)"
    r"(?: thing| feature| button| function| option| bit)? work\b",
    r"\b(?:as well|too),? or (?:only|just) (?:statistics|stats|government data|official statistics|datasets|research datasets"
    r"|data\.gov\.sg|singapore data)\b",
    r"\bwhat (?:the assistant|this assistant|this tool|this service|the tool|the service|the system|this system) (?:is|are|can)"
    r" (?:able to |capable of |designed to |meant to )?do\b",
    r"\bhow many (?:results|datasets|items|hits) (?:can|do|will|could) (?:you|it|this) (?:show|return|give|list|display|find)\b",
    # "can I get an alert when ... publishes new ...", "got export to CSV function or not?", "can I undo more than one step?"
    r"\b(?:can|could|may) (?:i|we) (?:get|receive|set up|have|be sent) (?:an? )?(?:e-?mail )?(?:alerts?|notifications?|reminders?)\b|"
    r"^(?:got|is there|there is) (?:an? )?(?:[\w-]+ ){0,3}(?:function|feature|option|button)s?(?: or not| anot)?\b|"
    r"\b(?:can|could) (?:i|we|you) undo (?:more than (?:one|1)|multiple|several|many|two|2|all)\b|"
    r"\b(?:notify|alert|ping) (?:me|us) (?:when|if|whenever|once)\b|\b(?:e-?mail|tell|let) (?:me|us)(?: know)? (?:when|whenever|once) (?:a |an |any )?new\b",
    r"\b(?:are you able|can you|could you|do you|is it possible) (?:to )?(?:look|see|read|search|peek) (?:inside|into|within|the contents of)\b",
    r"\bpart of (?:what|the (?:sources|data|catalog|catalogue)) (?:you|it) (?:search|cover|index|hold|have|include)\b",
    r"\bis (?:it|(?:this|the)(?: (?:site|tool|assistant|service|app|chatbot))?) (?:suitable|safe|ok|okay|appropriate|good) for (?:\w+ ){0,2}(?:students|kids|children"
    r"|pupils|schools?|teachers|beginners|classes|classroom)\b",
    r"\bbased on my (?:previous |past |earlier |old )?(?:searches|search history|history|queries|questions)\b",
    r"\b(?:can|could|do|will) you (?:also )?(?:search|look (?:at|in|through)|check|query|include) (?:kaggle|google|hugging ?face|zenodo"
    r"|github|figshare|dryad|other (?:sites|portals|sources)|external (?:sites|sources))\b",
    # What to ask or use: "what can I ask you about these datasets?", "what other filters can I use on this list?"
    r"\bwhat (?:else |other (?:\w+ )?|more (?:\w+ )?)?(?:can|could|should) (?:i|we) (?:ask|say|type|try|use)(?: you)?\b",
    r"\bhow (?:do|can|should|would) (?:i|we) (?:(?:get|tell|ask) (?:you|it|this|the (?:assistant|tool|bot)) to|make (?:you|it|this|the (?:assistant"
    r"|tool|bot)))\b",
    # Its own ways: "the tags you use for these", "do you do that automatically?", "why did you drop the KML files?"
    r"\b(?:tags|labels|badges|icons|scores|chips|categories|colou?rs|symbols) (?:that )?(?:you|it) (?:use|show|give|assign|add|put|attach)\b",
    r"\bdo you do (?:that|this|it) (?:automatically|by default|always|every time|on purpose)\b",
    # Why the list looks as it does: "why did only 4 results come back", "why did my filter return nothing?", "why do some
    # results have no publisher listed?"
    r"\bwhy (?:did|do|does|is|are|was|were) (?:only )?(?:(?:\d+|two|three|four|five|six|seven|eight|nine|so few|no|my|the|some|these|those|"
    r"a few) )?(?:results?|filters?|search(?:es)?|"
    r"lists?|datasets?|exclusions?)\b.{0,40}\b(?:come back|came back|return(?:ed)?|nothing|empty|missing|no (?:publisher|date|dates|licen[cs]e)|"
    r"show(?:ed|n)? up|appear(?:ed)?)\b",
    # What its marks mean and where its fields come from: "what does the 'no dates' tag mean", "what does 'family of 2'
    # mean in the list", "where does the licence info you show come from?"
    r"\bwhat (?:does|do) (?:the |a |that |this |your )?['\"\u2018\u201c][^'\"\u2019\u201d]{1,30}['\"\u2019\u201d] (?:\w+ )?(?:mean|stand for)\b",
    r"\bwhat (?:does|do) (?:the |a |that |this |your )?(?:[\w-]+ ){0,3}(?:tags?|labels?|badges?|icons?|chips?|columns?|fields?|scores?|markers?)"
    r" (?:mean|stand for|actually mean|(?:actually )?come from)\b",
    r"\b(?:where|what) (?:does|do) (?:the |this |that |your |all the )?(?:[\w-]+ ){0,3}(?:columns?|fields?|metadata|tags?|labels?|"
    r"summar(?:y|ies)|blurbs?|descriptions?|(?:licen[cs]e|date|frequency|coverage|publisher) (?:info|information|details|years|dates))"
    r"(?: (?:you|u) (?:show|give|list|use))? (?:actually )?come from\b",
    # Who wrote its text: "did a language model write that blurb?"
    r"\b(?:did|does|do|was|is|were) (?:an? )?(?:person|human|people|language model|llm|ai|bot|machine|gpt|chatgpt|model|computer)"
    r"(?: or (?:an? )?(?:person|human|language model|llm|ai|bot|machine|model|computer))? (?:write|wrote|written|generate|generated|produce)\b",
    # How it ranks and decides: "what made you put that top one above the others?", "why is X ranked first", "how do you
    # work out which one is most recent?", "how does 'exclude' work?"
    r"\bwhat (?:made|makes) .{0,40}\b(?:on top|above the others|above (?:the )?rest|first|higher|at the top|top spot|rank(?:ed)? )",
    r"\bwhy (?:is|was|are|were) .{1,60}? (?:ranked|listed|shown|placed|put|at the top|on top)(?: so)? (?:first|top|at the top|so high|higher|above|#1)\b",
    r"\bhow do (?:you|u|it|the (?:assistant|tool|system|search)) (?:work out|decide|determine|pick|choose|calculate|figure out|judge|define|rank|order)\b",
    # What it lets the user do with the list: "can I export the list of results for my bibliography?"
    r"\b(?:can|could|may) (?:i|we) (?:export|download|save|share|print|copy|email|e-mail) (?:the |this |these |my |our )?(?:whole )?"
    r"(?:list(?: of results)?|results|search|searches|conversation|chat|shortlist)\b",
    # Who is behind it: "which team made this assistant?"
    r"\b(?:who|which (?:team|company|organi[sz]ation|people|group|agency|department))\s+(?:made|built|created|developed|runs|maintains|owns|"
    r"designed|trained|wrote)\s+(?:you|u|this (?:assistant|tool|bot|site|app|chatbot|service|thing)|the (?:assistant|tool|bot|chatbot))\b",
    # "could you explain how you decide which results come first?", "how you pick what shows up first"
    r"\bhow (?:you|u) (?:work out|decide|determine|pick|choose|rank|order|sort) (?:which|what|the order)\b",
    # How fresh the catalog is: "how up to date the information is", "catalog refresh cadence?", "index update frequency?"
    r"\bhow (?:up to date|current|fresh|recent|often updated) (?:is |are )?(?:the |your |this )?(?:information|info|catalog(?:ue)?|index|"
    r"database|data (?:you|u) (?:have|hold|show))\b(?! (?:of|for|on) )",
    r"\b(?:catalog(?:ue)?|index|database)(?:'s)? (?:refresh|update|updating|rebuild|sync)(?:es|ed|s)?(?: (?:cadence|frequency|schedule|"
    r"rate|interval|cycle))?\b",
    r"\bhow (?:does|do) ['\"\u2018\u201c][^'\"\u2019\u201d]{2,25}['\"\u2019\u201d] (?:work|function)\b",
    # Whether its settings last: "if I exclude a publisher, does that persist for my next search?"
    r"\b(?:does|will|would) (?:that|it|this|the (?:filters?|exclusions?|settings?)) (?:persist|stick|carry over|remain|stay|be remembered)\b",
    r"\bwhy (?:did|do|does|would) (?:you|it|the (?:assistant|search|tool|bot)) (?:drop|remove|hide|exclude|pick|choose|rank|order|put|leave out"
    r"|skip|filter out|not (?:find|show|include|list))\b|\bwhy (?:didn'?t|did not|don'?t|do not|doesn'?t|does not) (?:you|it) (?:find|show|include|list|have)\b",
    r"\bsomething (?:you|this (?:tool|assistant|app|site)) (?:can|could|are able to) do\b",
    r"\bcan you (?:also )?(?:search|find|look up|cover|include) (?:the )?[\w ]{0,40}? or (?:only|just)\b",
    r"(?:^|[.?!]\s+)do you (?:cover|index|support|crawl|include) (?!(?:any |some )?(?:data|datasets|statistics|stats|figures|numbers|info)\b)",
    r"\bdo you (?:support|offer|have|allow) (?:\w+ )?(?:filters?|filtering|sorting|exports?|exporting|facets|alerts|an? api|bookmarks?|sharing|undo)\b",
    r"\b(?:live|real[- ]time) (?:portals?|feeds?|sources?|data|versions?) or (?:a |from a )?(?:snapshot|cache|cached copy|copy|mirror)\b",
)
CAPABILITY_STRONG = _rx(
    CAPABILITY_ABOUT_ITSELF.pattern,
    r"\b(?:is|would) (?:that|this|it) (?:a feature|possible|supported|something you (?:can|could) do|an option)\b",
    r"\bwhat (?:else )?(?:\w+ )?(?:can|could) (?:you|i|this(?: \w+)?) (?:do|ask|help|search|find|answer)\b",
    r"\b(?:what|who) (?:you are|you do|you can do|this (?:is|does))\b",
    r"\bwhat are you (?:capable of|able to do|good at|for)\b",
    r"\bhow (?:can|could|will|would|do|might) you (?:help|assist|be of use)\b",
    r"\b(?:is|are) (?:this|it|you|the api|the service) (?:free|paid|open source|open-source)\b|\bhow much does (?:this|it) cost\b",
    r"\bwhat are the (?:filters|sources|formats|options|limits|commands|features)\b",
    # "the coverage" of the catalog, not of a dataset ("what's the coverage of the daily exchange rate series?")
    r"\byour (?:data |catalog |catalogue )?coverage\b|\bthe (?:data |catalog |catalogue )?coverage\b"
    r"(?!\s+(?:of|for|on|in)\s+(?!(?:your|the|this) (?:catalog|catalogue|site|app|service|assistant)\b|you\b))",
    r"\b(?:explain|describe|introduce) yourself\b",
    r"\b(?:best|right|quickest|easiest) way to (?:search|use (?:this|you|it)|find (?:data|datasets|things)|ask)\b",
    r"\b(?:tips|examples?|sample questions|ideas) (?:for|of|on) (?:searching|search|what to ask|queries|questions"
    r"|using)\b|\bwhat (?:to|should i) (?:ask|search for|type)\b",
    r"\bwhat are the (?:data |main )?(?:sources|portals|filters|formats|options)\b",
    r"\b(?:is|are) my (?:data|searches|conversations?|chats?|history|queries|information) (?:private|safe|secure|stored"
    r"|saved|kept|shared|deleted|visible)\b|\bprivacy\b",
    r"\bwhat (?:do|does) (?:the |a |this |that |these |those )?(?:\w+ )?(?:badges?|icons?|labels?|colou?rs?|scores?"
    r"|stars?|tags?|symbols?|percentages?|link status|freshness|thumbs)(?: \w+)? mean\b",
    r"\b(?:broken|dead) links?\b|\blinks? (?:are |is )?(?:broken|dead|not working)\b",
    r"\b(?:delete|remove|rename|export|share) (?:a |this |my |the )?(?:conversation|chat|search history|history)\b",
    r"\bdo you (?:search|include|cover|index|use|query|crawl|support) (?:kaggle|google|hugging ?face|zenodo|github"
    r"|other (?:sites|portals|sources)|external|the web|the internet|data\.gov\.sg|world bank|uci|figshare|dryad)",
    r"\bwhat do you do\b",
    r"^(?:so )?(?:what|who) are you\b",
    r"^what is this(?: site| app| tool| service| thing| website| page| assistant| chatbot)?$",
    r"\bwho (?:made|built|created|developed|runs) (?:you|this)\b",
    r"\bare you (?:a |an )?(?:ai|bot|robot|human|real|person|chatgpt|gpt|llm|machine)\b",
    r"\b(?:your|this assistant is) (?:purpose|capabilities|capability|features|limitations|limits|sources"
    r"|data sources|catalog|catalogue|coverage|scope)\b",
    r"\b(?:tell me )?about yourself\b|\bintroduce yourself\b",
    r"\bwhat are your\b",
    r"\bhow (?:does|do|did|will|would) (?:this|it|you|the (?:search|ranking|site|app|tool|assistant|system|scoring"
    r"|filters?|chat|bot|engine))(?: \w+)? (?:work|works|rank|score|choose|pick|decide|sort|order|find|search)\b",
    r"\bhow (?:the |this |your )?(?:search|ranking|assistant|site|tool|app|system|engine|scoring|it|this|you)"
    r" (?:works|work)\b",
    r"\bhow (?:is|are) (?:the )?(?:ranking|results|scores?|relevance|datasets|data|catalog|catalogue|answers?)"
    r" (?:done|ranked|computed|calculated|ordered|sorted|chosen|picked|collected|gathered|updated|refreshed"
    r"|generated|scored|selected)\b",
    r"\bhow (?:do|can|should) i (?:use|search|filter|query|call|access|start|get started|export|save|delete"
    r"|sign|download|narrow|sort|refine|cite)\b",
    r"\bhow to use\b|\bhow do i use\b",
    # How-to questions about the assistant's own features, and what powers it.
    r"\bhow (?:do|can|should|would) (?:i|we) (?:undo|exclude|remove|include|compare|log ?in|sign ?(?:up|in)|share|reset"
    r"|clear|go back|bookmark|filter out|leave out|bring back|change the)\b",
    r"^(?:can|could) (?:i|we) (?:log ?in|sign ?(?:up|in)|create an account|register|bookmark|share (?:a|my|this)"
    r" (?:search|chat|conversation))\b",
    r"^(?:can|could) you (?:compare|export|save|share|summari[sz]e|undo)(?: (?:datasets?|results?|searches|them))?\s*\??$",
    r"\b(?:is there|are there|do you use|is it) (?:a |an )?(?:large language model|llm|gpt|chatgpt|language model"
    r"|generative ai|ai model) (?:behind|in|powering|running)\b",
    r"\b(?:is|are) (?:the |your |this )?(?:summary|summaries|answers?|replies) (?:written|generated|made|produced)"
    r" by (?:an? )?(?:ai|llm|model|human|bot|person|machine)\b",
    r"^(?:help|help me|i need help|need help|can you help(?: me)?|help please|please help|instructions|usage"
    r"|how to|how does it work|menu|options|commands)$",
    r"\bhelp me (?:understand|use|get started|search|with this)\b",
    r"\b(?:how|why) (?:do|does|did|is|are|was) (?:you |the |your |this |these |it )?(?:\w+ )?"
    r"(?:rank|ranked|ranking|scored|scoring|relevance|quality score|relevance score)\b",
    r"\bwhat (?:is|are) (?:the |your |a )?(?:quality|relevance|match|ranking) scores?\b",
    r"\bwhy (?:is|was|are|were|did|does|do) (?:this|that|these|it|the \w+(?: (?:result|one|dataset))?|result \d+)"
    r"(?: one| result| dataset)?(?: \w+)?(?: \w+)? (?:first|top|ranked|shown|here|higher|lower|on top|at the top|listed"
    r"|included|returned|above|below|appear|appears|come first|show up|shows up)\b",
    r"\bhow did you (?:rank|pick|choose|sort|order|find|score|select|get)\b",
    r"\b(?:do you have|is there|have you got|you have|got|does it have|do you offer|do you provide|do you expose|do you serve"
    r"|do you host) (?:an? |any )?(?:public |rest |restful |json |programmatic |open |wms |wfs |ogc |tile |(?:wms|wfs) or (?:wms|wfs) )?"
    r"(?:api|apis|sdk|endpoint|endpoints|services?)\b",
    # "the API" of the service, not "the API feeds / ones / kind" among the results
    r"\b(?:the|your|rest|this) api\b(?!\s+(?:feeds?|ones?|kinds?|types?|datasets?|versions?|formats?|files?|results?"
    r"|stuff|sources?|based|only)\b)|\bapi (?:key|keys|access|docs|documentation|limit|limits|rate|token|usage)\b",
    # asked about, not mentioned ("I'd rather not deal with rate limits" after a request for bus stop layers)
    r"\brate limits?\b(?=\W*\?)|^(?:any |the |your )?rate limits?$|\b(?:what|any|is there|are there|how|your|do you have|do you) (?:[\w']+ ){0,3}?rate limits?\b|\bthrottl",
    r"\b(?:use|call|access|query) (?:this|you|it|the assistant|the search) (?:from|with|in|via|through) \w+",
    r"\b(?:which|what) (?:data )?(?:sources|portals|catalogs|catalogues|repositories|websites|sites|providers"
    r"|publishers|agencies|organisations|organizations)\b",
    r"\bwhere (?:does|do|did) (?:your|the|this|these|you get (?:your|the|this)) (?:data|datasets|information"
    r"|results|catalog|catalogue)(?: \w+)?(?: come from| from)\b",
    r"\bwhere do you get\b|\bwhere is (?:the|your) data from\b",
    r"\blist (?:your|the|all)(?: of)?(?: your)?(?: data)? sources\b",
    r"\bsources? (?:do|does|are|is) (?:you|supported|covered|included|available|used|searched)\b",
    r"\bcan you (?:search|access|query|look in|use|index|cover|include|read)(?: data from)? (?:kaggle|google"
    r"|hugging ?face|zenodo|github|other (?:sites|portals|sources|websites)|external|the web|the internet"
    r"|data\.gov\.sg|world bank|uci|figshare|dryad)\b",
    r"\bcan (?:you|i) (?:search|filter|sort|narrow|limit|browse|restrict|look up|find (?:things|datasets)) "
    r"(?:by|using|with|on (?:the basis of|(?:a |the |their )?(?:publisher|format|date|year|licen[cs]e|source|agency|frequency|keyword|"
    r"update|coverage|column)s?\b))\b",
    r"\b(?:what|which) (?:filters|formats|file formats|file types|options|fields|languages|facets)\b",
    r"\bcan i (?:filter|sort|narrow|limit|restrict|see my|get an api)\b",
    r"\bcan i (?:export|download|save|delete|share|bookmark|print)(?: (?:the |my |these |all |this |search )?(?:results?"
    r"|searches|search history|history|conversations?|chats?|them|these|it|this|answers?|list))?(?: (?:as|to|in|into)"
    r"(?: an?)? \w+)?$",
    r"\bwhat (?:you|i) can (?:do|search|find|ask|help with|look up)\b",
    r"\bexplain (?:the |your |how )?(?:ranking|rankings|scoring|relevance|search|order of (?:the )?results|results order"
    r"|quality scores?)\b",
    r"\bhow (?:were|are|was|is) (?:these|they|the results|results|this|it|those|the datasets) (?:ranked|sorted|ordered"
    r"|scored|chosen|picked|selected|found)\b",
    r"\bcan you (?:search|cover|find|look|go) (?:things |data |datasets )?(?:outside|beyond|other countries"
    r"|internationally|globally|worldwide|abroad)\b",
    r"\b(?:python|r|javascript|js|java) (?:client|library|package|sdk|wrapper)\b|\b(?:client|library|sdk) (?:or|and)"
    r" (?:an? )?api\b",
    r"\bhow (?:reliable|accurate|good|trustworthy|useful|correct) (?:is|are) (?:the |your |this |these )?(?:quality"
    r" scores?|scores?|ranking|rankings|results|answers?|summaries|summary|catalog|catalogue|metadata)\b",
    r"\bhow many (?:datasets|records|sources|things) (?:do you|are|is|does|have|can)\b",
    r"\bhow (?:up to date|current|fresh|recent|often|old|frequently)\b.*\b(?:catalog|catalogue|data|datasets"
    r"|index|it|this|updated|refreshed)\b",
    r"\b(?:is|are|does) (?:the |your )?(?:data|catalog|catalogue|index|it) (?:refreshed|updated|kept up)",
    r"\b(?:my )?search history\b|\bmy history\b|\bhistory (?:saved|stored|kept)\b",
    r"\bdo you (?:store|save|keep|track|log|remember|record|share|sell)\b",
    r"\b(?:delete|clear|remove|erase) my\b",
    r"\bhow (?:accurate|reliable|trustworthy|good) (?:are|is) (?:you|your|the answers|the results|this)\b",
    r"\b(?:make things up|making things up|made up|hallucinat\w*|trust you|trust your|cite your sources)\b",
    r"\b(?:which|what) (?:llm|model|ai|language model|embedding model|models)\b.*\b(?:use|using|run|power)",
    r"\bdo you use (?:ai|an llm|llms?|chatgpt|gpt|machine learning|openai|claude|embeddings)\b",
    r"\bdifference between (?:you|this) and\b|\b(?:better|different) than (?:data\.gov\.sg|google)\b",
    r"\b(?:do you|can you) (?:speak|understand) \w+\b",
    r"\bhow (?:do|does) (?:the )?(?:filters?|facets?|paging|pagination|refinements?) work\b",
    r"\bwhat does (?:the |a |this |that )?(?:quality score|score|scores|relevance|ranking|why|badge|link status"
    r"|freshness|icon|label|\w+ score) mean\b",
    # The assistant's own features, price and help pages ("how does the compare function work?", "got dark mode?").
    r"\bhow (?:does|do) (?:the |this |your )?(?:\w+ )?(?:function|feature|button|option|mode|command|tab|toggle)s? work\b",
    r"^(?:got |any |is there (?:an? |any )?)?(?:dark|light|night) mode\b|^(?:pricing|price plans?|subscriptions?"
    r"|premium plan|enterprise plan)$|^(?:do (?:i|we) |would (?:i|we) |will (?:i|we) )?(?:need|have|got) to pay\b",
    r"^(?:any |got |is there (?:an? |any )?|where (?:is|are|can i find) (?:the |a |your )?)(?:tutorials?|user guide|guide"
    r"|manual|documentation|docs|faq|help page|walkthrough)(?: (?:somewhere|anywhere|available|or not|for (?:this|you"
    r"|beginners|new users)))?$",
    # How the assistant treats things: "how do you handle datasets without dates when I filter by year?", "when I filter by
    # year, what happens to the undated ones?", "how you decide which one comes first"
    r"\bhow (?:do|does|will|would) (?:you|u|it|the (?:search|filters?|system|assistant|tool|ranking)) (?:handle|treat|deal with)\b",
    r"\bwhat happens (?:to|with)\b.{0,60}\bwhen (?:i|we|you|u) (?:filter|exclude|sort|search|narrow|limit|restrict)\b"
    r"|\bwhen (?:i|we) (?:filter|exclude|sort|narrow|limit|restrict)\b.{0,40}\bwhat happens\b",
    r"\bhow (?:you|u) (?:decide|choose|pick|rank|sort|order|determine)\b",
    r"\b(?:you|u) (?:remember|recall|keep track of) (?:my|our|what|the) (?:(?:last|previous|earlier|past|old) )?(?:search|searches"
    r"|query|queries|chats?|conversations?|questions?|history|session)\b",
    r"\bis (?:the|your|this) search (?:semantic|fuzzy|keyword[- ]based|keyword|case[- ]sensitive|exact|smart|ai[- ]powered)\b",
    r"\b(?:can|could) (?:you|u) read (?:(?:the results|them|it|this) )?(?:out|aloud)\b|\btext[- ]to[- ]speech\b",
    r"\b(?:whether|if) (?:the system|the tool|the assistant|the service|this (?:system|tool|assistant|service)|you) (?:is|are|can|could"
    r"|would be|will be) (?:able to|capable of)\b",
)
# "What kinds of datasets do you have?", "do you cover data outside singapore?": capabilities unless a topic follows.
CAPABILITY_SOFT = _rx(
    r"\bwhat (?:kind|kinds|sort|sorts|type|types) of (?:data|datasets|information|things|questions|stuff|topics)\b",
    r"\b(?:what|which) (?:data|datasets|topics|subjects|areas|domains|countries) do you (?:have|cover|know|hold"
    r"|offer|support|index)\b",
    r"\bdo you (?:cover|include|support|index|have access to|know about)\b",
    r"\bdo you have (?:any )?(?:data|datasets|anything) (?:from|for|on|about|outside|beyond|covering)\b",
    r"\bwhat (?:do you|does it) (?:cover|know|have)\b",
    r"\bwhat is (?:in )?(?:the|your) (?:catalog|catalogue|collection|database|index)\b",
    r"\bhow (?:big|large) is (?:the|your) (?:catalog|catalogue|collection|database|index)\b",
)
# One figure, not data: "just tell me the number", "only the figure, not a dataset", a value read out of a dataset
# ("from the first dataset, what was the figure for 2019?"). Sure even while results are shown.
ONE_FIGURE = _rx(
    r"\b(?:the )?(?:exact|precise) (?:number|figure|count|total|value|rate|amount) of\b",
    r"\bhow many (?:people|residents|persons|citizens) (?:live|are living|reside|are there) in (?:[a-z]+ ){1,2}(?:right now|now|today|currently"
    r"|at the moment|at present)\b",
    r"^(?:so |and |ok )?what (?:is|was|were) (?:the |singapore'?s |sg'?s |the world'?s )?(?:[a-z-]+ ){0,3}(?:rate|growth|number|population|total"
    r"|gdp|inflation|figure|count|price)\b[^?]{0,40}\b(?:in (?:19|20)\d\d|this (?:quarter|month|year|week)|last (?:week|month|quarter"
    r"|year)|right now|today|currently|at the moment)\b",
    r"\b(?:just|only) (?:tell me |give me |need |want )?the (?:number|figure|answer|value|total)\b|\bnot (?:a |the )?datasets?\b[,:]",
    r"\bwhat (?:was|is|were|are) the (?:figure|number|value|total|count|rate|amount|reading)s? (?:for|in|of) (?:19|20)\d\d\b",
    # "what's the current unemployment rate", "how many MRT stations are there", "the highest rainfall ever recorded", "number only"
    r"^(?:so |and |ok |also |btw )*what (?:is|are) (?:the |singapore'?s |sg'?s )?(?:current|latest|present|today'?s) (?:[a-z-]+ ){0,3}(?:rate|number|population"
    r"|total|gdp|inflation|figure|count|price|level|value)s?\b(?![^?]*\b(?:data|dataset|datasets|series|trend|trends|over time|history|historical|by)\b)",
    r"^(?:so |and |ok |exactly |roughly )?how many (?!(?:of |datasets|results|records|files|ones)\b)[a-z -]{2,40}? (?:are there|is there|exist)\s*[?.!]*$"
    r"(?![^?]*\b(?:by|per|each|every|over|since|trend|trends|data|dataset|datasets|statistics|breakdown|annual|monthly|yearly|these|those|them"
    r"|it|one|first|second|third|fourth|fifth|last|top)\b)(?![^?]*#\s?\d)",
    r"\b(?:highest|lowest|biggest|largest|hottest|coldest|wettest|driest|most|least|record) [a-z -]{0,30}\bever (?:recorded|measured|seen|reported|registered)\b",
    r"\b(?:the )?(?:number|figure|value|answer|amount|total) only\b",
)
OOS_STRONG = _rx(
    ONE_FIGURE.pattern,
    # personal advice on a procedure: "how do I get PR in Singapore"
    r"\bhow (?:do|can|should|would) (?:i|we) (?:get|apply for|obtain|renew|qualify for) (?:a |an |my |our )?(?:pr|permanent residen\w*"
    r"|citizenship|visa|passport|work permit|employment pass|driving licen[cs]e|loan|mortgage|bto flat)\b",
    # errands with the user's own documents: "proofread my cover letter", "fill in this form for me"
    r"\b(?:proofread|proof-read|edit|check|fill (?:in|out)|complete|sign|submit) (?:my|this|the|our) (?:\w+ )?(?:cover letter|letter|essay"
    r"|cv|resume|form|application|thesis|report|homework|assignment)\b",
    # made-up data: "generate synthetic patient records for testing"
    r"\b(?:generate|create|make|simulate|synthesi[sz]e|fabricate|invent) (?:me |us )?(?:some |a |an )?(?:synthetic|fake|dummy|mock|random"
    r"|made-up|artificial) (?:\w+ )?(?:data|dataset|datasets|records|rows|entries|samples)\b",
    # creative writing / generation
    r"\b(?:write|compose|draft|generate|create|make|pen|give) (?:me |us )?(?:a |an |some |my |another |one )?"
    r"(?:[\w-]+ ){0,2}(?:poem|poems|haiku|limerick|song|songs|story|stories|essay|essays|letter|cover letter|email"
    r"|joke|jokes|speech|lyrics|tweet|caption|article|blog post|image|picture|photo|drawing|logo|meme|code|headline|headlines"
    r"|press release|news story|news article|paragraph|paragraphs|abstract|introduction|conclusion|literature review"
    r"|related[- ]work section|section|dataloader|data loader|scraper|parser|notebook"
    r"|script|program|function|resume|cv|novel|rap|sonnet|riddle|slogan|presentation|slides|slide deck|powerpoint|infographic"
    r"|video|website|app)\b",
    r"\b(?:tell|say|know)(?: me| us)? (?:a |an |another |some )?(?:\w+ )?(?:joke|jokes|riddle|story|fun fact)\b",
    r"\bwrite (?:me |us )?(?:some |a |an |the )?(?:python|javascript|java|sql|bash|excel formula|regex|html|css|c\+\+)\b",
    r"\b(?:make me laugh|something funny|cheer me up|sing (?:me )?(?:a )?song)\b|^tell me something\b",
    r"\btranslate\b|\bhow do you say\b|\bin (?:french|spanish|german|japanese|korean|chinese|malay|tamil) please\b",
    r"\b(?:fix|debug|review|refactor|optimi[sz]e|explain) (?:my |this |the |our )?(?:\w+ )?(?:code|bug|script"
    r"|program|function|error|regex|query|sql)\b",
    r"\b(?:do|solve|finish|complete|write) (?:my |this |the )?(?:homework|assignment|exam|test|quiz|equation|maths?"
    r" problem)\b",
    r"^(?:what is |calculate |compute )?(?!(?:19|20)\d\d ?- ?(?:19|20)\d\d\b)\d+(?:\.\d+)? ?(?:\+|-|\*|x|/|times"
    r"|plus|minus|divided by) ?\d+(?:\.\d+)?\b",
    # live prices and rates ("exchange rate now", "stock price of apple today")
    r"\b(?:price|rate|value|quote)s?\b.*\b(?:right now|today|currently|at the moment|live|now)\b",
    # tasks in the world
    r"\b(?:book|reserve|order|buy|purchase|sell|hire|cancel|renew|rent|call|get|send|find|arrange|schedule)"
    r"(?: me| us| for me)? (?:a |an |some |my |the |two |2 |three |cheap |cheapest )?(?:\w+ )?(?:flight|flights"
    r"|ticket|tickets|table|hotel|room|taxi|cab|uber|grab|ride|pizza|meal|delivery|laptop|phone|iphone|job|doctor"
    r"|appointment|passport|visa|holiday|vacation|trip|car|gift|present|massage|haircut|plumber|tutor|girlfriend|restaurant"
    r"|cafe|bar|atm|clinic|dentist|gym|salon|hairdresser|lawyer|babysitter|nanny"
    r"|boyfriend)\b",
    r"\b(?:set|cancel|snooze) (?:an? |my )?(?:alarm|reminder|timer)\b|\bremind me\b|\bwake me\b",
    r"\bplay (?:some |a |me |my )?(?:music|song|songs|video|game|games|playlist|podcast|radio)\b",
    r"\bsend (?:an? |my )?(?:email|message|text|sms|letter)\b|\bcall (?:me|my)\b",
    r"\bhack\b|\bpassword of\b|\bspy on\b",
    r"\bsummari[sz]e (?:this|the|my|that) (?:article|text|document|pdf|email|page|book|paper|video)\b",
    r"\bsummari[sz]e (?:it|this|that) for (?:me|us)\b|\bfact[- ]check\b",
    r"\bwhat should i (?:name|eat|watch|wear|buy|do tonight|cook|read)\b",
    r"\brecommend (?:me )?(?:a |an |some )?(?:good |nice |cheap )?(?:\w+ )?(?:movie|movies|film|book|books"
    r"|restaurant|song|songs|show|series|place|game|phone|laptop|hotel|anime|podcast)\b",
    r"\bmeaning of life\b",
    r"\bshould i (?:buy|sell|invest|get|date|marry|quit|trade)\b",
    r"\b(?:can|could|would|will) you (?:please )?(?:do|file|prepare|handle|pay|manage|clean|plan) (?:my|our) \w+",
    r"\bplan (?:my|our|a) (?:trip|holiday|vacation|wedding|party|itinerary|day|week|meals?)\b",
    r"\b(?:i want to|i would like to|can i|let me|help me) (?:order|buy|purchase|book|reserve)\b(?! by)",
    r"\b(?:order|buy|purchase|get) (?:me |us )?(?:a |an |some |two |2 )?(?:\w+ )?(?:tea|coffee|bubble tea|burger|burgers"
    r"|sushi|noodles|drink|drinks|groceries|flowers|food)\b",
    # analysis and writing the user's own material: "fit a Poisson regression to the counts", "compute rates from these
    # counts", "put this abstract into Malay", "draft the tender specification", "summarise the Procurement Act"
    r"\bfit (?:a|an|the|my) (?:[\w-]+ ){0,3}?(?:regression|model|curve|line|distribution)\b",
    r"\b(?:compute|calculate|work out|derive) (?:[\w-]+ ){0,4}?(?:from|using|with) (?:these|those|the following|my|our) (?:counts|numbers"
    r"|figures|values|data|rows)\b",
    r"\bput (?:this|it|that|my|our|the) (?:\w+ )?(?:into|in) (?:malay|chinese|mandarin|tamil|english|french|spanish|german|japanese"
    r"|korean|hindi|thai|vietnamese|indonesian|arabic)\b",
    r"\bdraft (?:me |us )?(?:a |an |the |our |my )?(?:[\w-]+ ){0,3}?(?:document|letter|email|specification|spec|proposal|report|memo"
    r"|speech|contract|tender|minutes|policy|brief|briefing)\b",
    r"\bsummari[sz]e (?:the|this|that|our|my) (?:[\w-]+ ){0,4}?(?:act|law|bill|policy|regulations?|guidelines|rules|paper|report"
    r"|document|judgment|judgement|speech|budget)\b",
    r"\b(?:evaluate|assess|score|grade|mark|review) (?:the |these |those |our |my |this )?(?:\w+ )?(?:bids?|tenders?|proposals?|applications?"
    r"|essays?|submissions?|cvs?|resumes?|quotes|quotations)\b",
    # a model's score: "what F1 does SpanBERT get on CoNLL-2012?"
    r"\bwhat (?:f1|f-1|accuracy|bleu|rouge|map|auc|wer|perplexity|error rate|top-?1|top-?5|score)\b.{0,40}\b(?:get|gets|got|achieve"
    r"|achieves|score|scores|reach|reaches)\b",
    r"\b(?:state|quote|confirm) (?:the|our) (?:current |prevailing |latest |applicable )?(?:[\w-]+ ){0,2}?(?:rate|price|fee|amount"
    r"|figure|tax)\b",
)
# What refers to the results on screen: a refinement changes or asks about them.
RESULT_REFERENCE = re.compile(
    r"\b(?:these|those|them|they|their|ones?|it|its|this|that|the (?:first|second|third|fourth|fifth|last|top|other"
    r"|previous|above|same|list|results?)|#\s?\d+|number \d+|no\.? ?\d+|results?|instead|same|more|fewer|less|only|just"
    r"|except|without|also|too|again|back|breakdown|broken down|split|resolution|granularity|at a time|per page|hourly|daily"
    r"|weekly|monthly|quarterly|annual|annually|yearly)\b|^(?:with|without|by|in|for|from|but|and|or)\b"
)
# A question or a command, as opposed to a bare topic ("retail prices of rice"): its first word.
CLAUSE_FORM = re.compile(
    r"^(?:(?:btw|also|and|now|so|ok|okay|then|but|hey|quick one|quick question)[, ]+)*(?:what|whats|what's|which|who|whom"
    r"|whose|where|when|why|how|is|are|was|were|am|can|could|would|will|shall|should|do|does|did|have|has|may|might|must"
    r"|please|pls|tell|give|help|explain|write|make|plan|convert|calculate|compute|translate|book|order|buy|send|create"
    r"|draw|recommend|suggest|teach|let|i|i'm|im|my|we|you|u|if|define|describe|summari[sz]e|list|name|solve|fix|build"
    r"|generate|predict|forecast|estimate|compare|decide|choose|pick|remind|set|play|call|show|find|get|search|look)\b"
)
# Work on the data the assistant does not do: analysis, charts, training, scraping. A command (at the start,
# or after "can you" / "please" / "help me"), so "datasets to train a detector" stays a search.
ANALYSIS_TASK = re.compile(
    r"(?:^(?:(?:btw|by the way|also|and|now|so|ok|okay|then|next)[, ]+)*|\b(?:(?:can|could|would|will) (?:you|u)"
    r"(?: please| pls| just| kindly| also)?|please|pls|help me|i (?:want|need) you to|go ahead and|if you (?:could|would|can)(?: please)?) )(?:(?:download|get|open|take|load) (?:the |that |this )?"
    r"(?:\w+ )?(?:one|dataset|file|csv)s? and )?(?:(?:plot|chart|graph|visuali[sz]e|analy[sz]e) (?:the|this|that|these|those"
    r"|it|them|my|our|its|their|all|both|each|first|second|third|last|top|#?\d)\b|(?:web ?)?(?:scrape|crawl)(?! (?:the |these |those |all |that |my )?(?:filters?|facets?|search|results?|chips?|last)\b)(?!\s+(?:that|this|it)\s*(?:[,.;:!-]|$))"
    r"|train (?:a |an |my |the |me a )?(?:\w+ ){0,2}(?:models?|network|classifier|net|resnet|cnn|bert|transformer|llm|detector)"
    r"|fine-?tune|clean (?:it|this|them|that|the (?:data|dataset|file|csv)|up)|merge (?:them|these|those|it|the)"
    r"|join (?:them|these|those|the)|run (?:a |an |some )?(?:regression|analysis|model|test|query|statistics|stats)"
    r"|find (?:the )?(?:outliers|correlations?|anomalies|patterns)|summari[sz]e (?:the |its |their )?(?:main |key )?"
    r"(?:trends|findings|insights|patterns)|make (?:me )?(?:a |some )?(?:chart|graph|plot|dashboard|visuali[sz]ation))\b"
    # Charts, arithmetic and reshaping of the data itself: "draw me a line graph of ...", "compute the growth rate of
    # ...", "combine all the csvs", "pivot the data by year", "forecast next year's prices using these".
    r"|(?:^(?:(?:btw|by the way|also|and|now|so|ok|okay|then|next)[, ]+)*|\b(?:(?:can|could|would|will) (?:you|u)"
    r"(?: please| pls| just| kindly| also)?|please|pls|help me|i (?:want|need) you to|go ahead and|if you (?:could|would|can)(?: please)?) )(?:(?:draw|sketch|build|produce|generate|show|give"
    r"|create|render|make) (?:me |us )?(?:a |an |some )?(?:\w+ )?(?:graphs?|charts?|plots?|heat ?maps?|histograms?|dashboards?"
    r"|visuali[sz]ations?|pyramids?)|draw (?:me |us )?(?:a )?maps?|(?:compute|calculate|work out|tally|sum up|add up|sum) "
    r"|estimate (?:how|what|the|my)\b|combine (?:all |both )?(?:the|these|those|them)\b|(?:pivot|resample|deduplicate"
    r"|de-duplicate|impute|interpolate|normali[sz]e|reshape|aggregate) (?:the|this|that|these|those|it|them|both|all|each)\b"
    r"|(?:predict|forecast) (?!data\b|datasets?\b)(?:the |next |future |what |how |my |it\b|them\b|this\b|these\b|(?:[\w']+ ){1,4}?"
    r"(?:for|in|next|using|from)\b))"
    r"|\b(?:remove|detect|find|flag|drop) (?:the |all |any )?outliers\b|\b(?:extract|pull out) (?:\w+ ){0,3}(?:rows|columns"
    r"|records|values)\b|\b(?:count|calculate|compute|tally|add up|sum up)(?: (?:it|them|this|that|these|those))? for me\b"
    r"|\b(?:open|take|load|read|download|use) (?:the |that |this |those |these )?(?:\w+ )?(?:one|dataset|file|csv|table|data)s?"
    r" and (?:tell|give|show) me\b"
    # "download the third one and email it to me"
    r"|\b(?:download|get|fetch|take|save) (?:the |that |this |those |these )?(?:\w+ ){0,2}(?:one|dataset|file|csv|table|data)s?"
    r" and (?:e-?mail|send|mail|forward|share|whatsapp)\b"
    # Errands with files: "zip all the results and send them to me", "download all of these into my google drive",
    # "delete the csv I downloaded earlier"
    r"|\b(?:zip|compress|upload|save|download|copy|move|put|send|transfer|sync)(?: up)? (?:all |both |each )?(?:of )?(?:the |these |those |them|it|my )?"
    r"[\w ]{0,30}?\b(?:to|into|onto|in) (?:my|our|me\b)(?: [\w-]+){0,2}\s*(?:drive|dropbox|folder|laptop|computer|email|inbox|account|desktop|cloud)?\b"
    r"|\bzip (?:up |all )?(?:the |these |those |them\b|all\b)|\bsend (?:them|these|those|it) to me\b"
    r"|\bdelete (?:the |my |that |this |those |these )?[\w ]{0,20}?(?:files?|csvs?|downloads?|folders?|documents?|spreadsheets?)\b"
    r"(?: (?:i|we) (?:downloaded|saved|made|created))?"
    # Reading the data itself: "summarise the actual numbers inside the second dataset", "based on that data, is X rising?"
    r"|\b(?:summari[sz]e|analy[sz]e|read out|tell me|list) (?:the )?(?:actual |raw )?(?:numbers|values|figures|contents|rows|records|data points)"
    r" (?:inside|in|of|within|from) (?:the |this |that |these |those )?(?:\w+ )?(?:dataset|file|one|table|csv|spreadsheet)s?\b"
    r"|^(?:so |and |ok )?based on (?:that|this|the|these|those) (?:data|dataset|datasets|figures|numbers|results|files?)\b,? "
    r"(?:is|are|was|were|will|does|do|did|has|have|can|should|which|what|how)\b"
)
# A request for data on a topic, however politely wrapped: "anything on drug abuse arrests?", "any record of how many
# dengue cases", "I'm helping someone who wants data on community clubs. What can you find?"
DATA_REQUEST = re.compile(
    # "can you pull up like the retail sales index": fetching something named is a search
    r"\b(?:can|could|would|will) (?:you|u) (?:please |just |quickly )?(?:pull up|dig up|dig out|bring up|fetch|grab|track down)\s+"
    r"(?!(?:like |the |my |our |all |those |these )*(?:results|list|history|previous|last|conversation|chat|page|filters?|it|them|that|this|these|those|first|second|third|#)\b)[a-z#]|"
    # "do you have datasets of handwritten digits?": a dataset asked for by what it holds, not a question about the catalog
    r"\b(?:do|does) (?:you|u|the catalog(?:ue)?|your catalog(?:ue)?) (?:have|hold|carry|contain|include|got|keep)\s+"
    r"(?:any |some |a |an )?(?:good |open |public |labell?ed |annotated |large |big )?"
    r"(?:data ?sets?|datasets?|corpora|corpus|benchmarks?|collections?) (?:of|with|containing) "
    r"(?!(?:you|your|it|this|that|these|those|them|the (?:results|list))\b)[a-z]|"
    # "does the catalog have OECD national accounts data?": a topic of two words or more, not only a source's name
    r"\b(?:do|does) (?:you|u|the catalog(?:ue)?|your catalog(?:ue)?) (?:have|hold|carry|contain|include|got|keep)\s+(?:any |some )?"
    r"(?:[a-z][\w-]*\s+){0,3}?(?!(?:data|datasets?|any|some|other)\b)[a-z][\w-]{2,}\s+(?!(?:or|and|from)\b)[a-z][\w-]{2,}\s+"
    r"(?:data|statistics|stats|figures|numbers|series)\b(?!\s+(?:or|and) (?:just|only))|"
    # "what open data the National Library Board releases about ..."
    r"\bwhat (?:open |public |official )?(?:data|datasets|statistics)\s+(?!(?:do|does|did|can|could|is|are|was|were|you|your|i|we)\b)"
    r"(?:the |a |an )?[a-z][a-z-]{2,}\s+(?:[a-z-]+\s+){0,4}(?:releases?|publish(?:es)?|puts? out|collects?|produces?|keeps?|has|holds?)\b|"
    r"\b(?:data|datasets?|records?|figures|statistics|stats|numbers|information|info|anything|something|materials?)"
    r"\s+(?:on|about|regarding|concerning|covering|related to|of how many|of the number of)\s+"
    r"(?!(?:you|your|yourself|this (?:tool|site|app|assistant|chat)|the (?:assistant|tool|site|app)|it|that|these|those|them|here)\b)"
    r"(?:the |a |an )?[a-z][a-z-]{2,}|"
    # "records of old street names"
    r"\b(?:records|statistics|figures|archives?|registers?|lists?)\s+of\s+(?!(?:you|your|yours|mine|it|this|that|these|those|them|the (?:first|second|third|last|top)"
    r"|all|each|any)\b)(?:the |old |past |historical |historic )?[a-z][a-z-]{2,}\s+[a-z][a-z-]{2,}|"
    # Singlish "is there ...?": "got hdb resale price data or not", "human pose dataset got or not"
    r"^(?:(?:eh|oi|hi|hey|hello|so|ok|okay|then|and|also|wah|alamak)[, ]+)*(?:got|have) (?!(?:you|your|it|this|that|any questions?)\b)[a-z].{2,}\b(?:or not|anot|onot)\b|"
    r"\b(?:data|datasets?|dataset|statistics|stats|figures|numbers|maps?) got (?:or not|anot|onot)\b|"
    # "I would like to look up the old results, constituency by constituency": what the user wants to look up
    r"\b(?:i|we) (?:would like|want|need|wish|am hoping|are hoping|hope|am trying|are trying|would love) to (?:look up|find|get hold of"
    r"|locate|track down|look at|study|download|access|dig up|consult) (?:the |some |any |all |a )?(?:(?:old|historical|past|earlier|recent"
    r"|latest|official|full|complete) )*(?!(?:you|your|it|this|that|these|those|them|how|what|why|where|out|more|a way|someone)\b)"
    r"[a-z][a-z-]{2,}|"
    # "whether those old newspapers have been digitised and made available somewhere"
    r"\b(?:have|has|had) been (?:digiti[sz]ed|scanned|archived|put online|made (?:available|public|accessible))\b|"
    # "is there dengue data", "please share CPF contribution datasets", "i need actual receipts like real temperature data":
    # data named by its topic, asked for
    r"\b(?:need|needs|want|wants|share|send|provide|is there|are there|got any|have any|looking for|find me|get me|give me"
    r"|show me)\s+(?:(?!(?:your|you|my|this|these|those|it|the results)\b)[\w'-]+\s+){0,5}?"
    r"(?!(?:much|many|more|less|the|any|some|your|my|of|this|that|raw|all|new|own|personal|no|only|just|research|open|other"
    r"|similar|actual|those|these|such|real|more|additional|extra|test|sample|enough)\s)[a-z][\w-]{2,}\s+"
    r"(?:data|datasets?|statistics|stats|time series)\b|"
    # Malay: "saya perlukan data tentang populasi penduduk"
    r"\b(?:data|dataset|set data|statistik|maklumat) (?:tentang|mengenai|berkenaan|berkaitan) [a-z]|"
    # "i need a dataset of pictures to train an image classifier": a dataset asked for, whatever it is for
    r"\b(?:need|want|looking for|would like|require|searching for|find me|get me)\s+(?:a |an |some |any )?"
    r"(?:(?:good|large|big|small|labell?ed|open|public|free|simple|easy|annotated)\s+)?(?:dataset|data ?set|corpus|corpora|benchmark)s?"
    r"\s+(?:of|for|with|to|that|containing|where)\b"
)
# A comment on the results and nothing else: "these results are kinda meh tbh", "hmm, not what I expected but ok",
# "haha that's a weird dataset", "that was not very useful, but whatever, thanks for trying"
RESULTS_COMMENT = re.compile(
    # how much there is: "wow, I didn't know there was so much", "oh, that's a lot of datasets"
    r"^(?:(?:haha+|hmm+|wow|whoa|oh|ah|gosh|ok|okay|lol)[,.!]*\s+)*(?:(?:that is|that's|thats|there (?:is|are|was|were)|so)\s+"
    r"(?:a lot|lots|loads|heaps|tons|so many|so much|plenty|quite a (?:lot|few))(?: of (?:datasets|data|results|stuff|options|rows))?|"
    # "wow that's a long list", "lol so many rows"
    r"(?:(?:that is|that's|thats|what|such|quite)\s+)?an? (?:long|big|huge|massive|short|tiny) (?:list|lot|bunch)|"
    r"(?:(?:so|too|that) )?many (?:rows|results|datasets|entries|options|of them|hits)|"
    # "interesting, didn't know that existed"
    r"(?:i )?(?:did not|didn't|never|had no idea|do not|don't) (?:know|knew|realise|realize|think)?\s*(?:that|this|it|they|those|these)"
    r" (?:one |dataset |data )?(?:existed|exists|was a thing|were a thing|was there|were there|existed lol)|"
    r"i (?:did not|didn't|do not|don't|never) (?:know|expect|realise|realize|think)(?: that)? there (?:was|were|is|are|would be)"
    r"(?: (?:so much|so many|that much|that many|this much|this many|such a lot))?(?: of (?:it|them|data|datasets))?)[.!]*$|"
    r"^(?:(?:haha+|hmm+|hm+|ugh|wow|oh|ah|well|ok|okay|lol|meh)[,.!]*\s+)*"
    r"(?:(?:(?:these|those|the) (?:results|datasets|ones)|that|this|these|those|it|they|the result|the list|that one|this one|"
    r"that dataset|this dataset)(?:'s| is| are| was| were)?\s+)?"
    r"(?:(?:not|kinda|kind of|kind|sort of|pretty|quite|really|very|a bit|a little|super|so|rather|honestly|tbh)\s+)*"
    r"(?:(?:an? )?(?:useful|helpful|great|good|bad|weird|odd|strange|interesting|cool|neat|meh|fine|ok|okay|disappointing|"
    r"surprising|underwhelming|impressive|funny|random|unexpected) (?:dataset|list|results?|one|set|bunch)|"
    r"useful|helpful|great|good|bad|weird|odd|strange|interesting|cool|neat|meh|disappointing|surprising|underwhelming|"
    r"impressive|funny|random|unexpected|what i (?:expected|expect|was expecting|had in mind|hoped for|hoped|hope|wanted|want|was hoping for))"
    r"(?:[,.!]*\s*(?:tbh|lol|haha+|honestly|though|but (?:ok|okay|fine|whatever|thanks)|anyway|i guess|"
    r"(?:but )?(?:whatever|oh well|never mind)|(?:but )?thanks(?: for trying| anyway)?|but))*[.!]*$"
)
# "can you sort these by most recently updated": a new order for the results on screen, not a question about a feature
# ("can I sort these by date at all?" asks whether it can be done: that one is about the assistant)
SORT_REQUEST = re.compile(
    r"^(?!.*\b(?:(?:can|could|may) (?:i|we)|is it possible|are we able|am i able|at all)\b)"
    r".*(?:\bsort (?:these|them|those|the results|the list|it|this list) (?:by|on|from)\b|\b(?:newest|latest|most recent) first\b|"
    # "can u sort by oldest start year": a named order is a request, "can you sort results?" asks about a feature
    r"\b(?:sort|order|rank)(?: (?:these|them|those|the results|the list|it))? by (?:the )?(?:oldest|newest|latest|earliest|"
    r"most recent|start|end|date|year|recency|last update|update|coverage)\b|"
    # "can you show more results?": the next page
    r"^(?:(?:can|could|would) (?:you|u) )?(?:please )?(?:show|give|get)(?: me| us)? (?:some |a few )?more(?: results| datasets| of them)?"
    r"(?: please| pls)?\s*\??$)"
)
# A topic's datasets named first, then a question about them: "fake news datasets - who's built them?" (read on the
# message as typed: the punctuation matters)
TOPIC_HEAD = re.compile(
    r"^(?!(?:what|which|who|how|why|where|when|do|does|can|could|is|are|your|my|our|the assistant|these|those|the)\b)"
    r"[a-z][a-z/ -]{2,40}? (?:datasets?|corpora|corpus|benchmarks?)\s*[-\u2013\u2014:]\s+\S|"
    # "code search datasets", "sign language corpora": a topic and nothing else
    r"^(?!(?:what|which|who|how|why|where|when|do|does|can|could|is|are|your|my|our|the|these|those|any|all|more|other|new|good|best"
    r"|similar|related|compare|list|show|find|search|your|some|open|public|free|many|few|both|same|such|those|government|research)\b)"
    r"[a-z][a-z0-9/ -]{2,40}? (?:datasets|corpora|benchmarks)\s*[?.!]*$"
)
# "recycling rates in sg", "dengue case figures": a measured quantity of a topic, what datasets hold.
STATISTIC_REQUEST = re.compile(
    r"\b(?!(?:your|my|our|the|their|his|her|its|current|today|live|best|good|cheap|cheapest|lowest|highest|latest)\b)"
    r"[a-z][a-z-]{3,}\s+(?:rates|statistics|stats|figures|indicators|trends|totals|counts|volumes)\b"
)
# "how many babies are born in sg each year": a figure asked over time is a series, which datasets hold.
SERIES_QUESTION = re.compile(
    r"\b(?:how (?:many|much)|(?:what|which) (?:is|are|was|were) the (?:number|rate|amount|count|level|share)s? of)\b"
    r".*\b(?:(?:each|every|per|a|by) (?:year|yr|month|mth|quarter|week)|over (?:the (?:years|decades)|time)|year on year|annually|"
    r"through the years|from year to year)\b"
)
# "where are the hawker centres?", "is there a map of the fire stations": where a kind of facility is, which map
# layers and location lists answer; "the nearest ATM", "near me", "open now" ask for live directions instead.
FACILITY_LOCATIONS = re.compile(
    r"^(?:(?:so|ok|okay|hi|hello|hey|and|also|please|pls)[, ]+)*(?:where (?:are|can (?:i|we) find|do i find)|is there a (?:list|map)"
    r" (?:or (?:a )?(?:list|map) )?of|(?:a |the )?(?:list|map) of) (?:all )?(?:the )?"
    r"(?!(?:these|those|they|them|results?|datasets?|data|papers?|links?|urls?|sources?|homepages?|websites?|pages?|downloads?"
    r"|licen[cs]es?|citations?|documentation|descriptions?|details)\b)(?:[a-z-]+ ){0,3}[a-z-]{3,}s\b|"
    # "I need the list of all the hawker centre addresses"
    r"\b(?:need|want|get|give me|show me|send me|looking for)\s+(?:a |the )?(?:full |complete )?(?:list|map|directory) of (?:all )?(?:the )?"
    r"(?!(?:these|those|them|results?|datasets?|sources)\b)(?:[a-z-]+ ){0,3}[a-z-]{3,}s\b"
)
NEAR_ME = re.compile(r"\b(?:nearest|closest|near me|nearby|near here|around me|open (?:now|today)|right now|today|tonight)\b")
# "can you make charts or is it just finding datasets?": a question whether the assistant can, not the task itself.
CAPABILITY_PROBE = re.compile(r"\bor (?:is it |are you |do you |does it |can you )?(?:just|only)\b")
# What points at particular results on screen ("the second one", "these", "#3", "the NEA one"): a question about the
# assistant that points at none of them ("do you hallucinate datasets?") is not about the results.
RESULT_POINTER = re.compile(
    r"#\s?\d|\b(?:these|those|ones?|them|they|number \d+|no\.? ?\d+|results? \d+|(?:item|entry|option) \d+|first|second|third|fourth|fifth|sixth"
    r"|seventh|eighth|ninth|tenth|last(?! (?:search|searches|session|query|chat|conversation|time|visit))|top (?:result|hit|dataset)s?"
    r"|1st|2nd|3rd|\dth)\b"
)
# A question for one figure at one time ("what was the recycling rate last year?", "how many dengue cases were
# reported in 2020?", "which country had the highest emissions in 2018?"): a fact to look up, not a request for the
# data, unless it names the data or a span of time ("... by year", "since 2010", "over time").
FACT_QUESTION = re.compile(
    r"^(?:(?:so|ok|okay|and|then|but|exactly|roughly)[, ]+)*(?!(?:which|how many) (?:of (?:these|those|them|the results)"
    r"|ones?)\b)(?:how (?:many|much)|what (?:is|was|were|are) the|which \w+(?: \w+)? (?:has|had|have|is|was|were|got|did))\b"
    r"(?=.*\b(?:in (?:19|20)\d\d|(?:19|20)\d\d$|last (?:year|month|week|quarter)|this (?:year|month|week)|ever|right now"
    r"|currently|now|today|yesterday|tonight|at the moment)\b)(?!.*\b(?:data|dataset|datasets|statistics|series|table"
    r"|tables|records|over time|trend|trends|from (?:19|20)\d\d|since|between|by (?:year|month|age|town|region|country)"
    r"|per year|each year|every year|annual|monthly|yearly|history|historical)\b)"
)
# Programming help: "sql query to get the top customers", "pandas groupby error".
# A text to write, said as a command: "write a headline for a story on rising divorce rates", "draft the related-work
# section of my paper on CXR datasets" (the data it is about does not make it a search; "Draft Master Plan" is a plan)
WRITING_COMMAND = re.compile(
    r"^(?:(?:please|pls|kindly|can you|could you|would you|will you|help me|i need you to|ok|okay|now|so|and|also)[, ]+)*"
    r"(?:(?:write|compose|pen|ghostwrite|ghost-write)(?: me| us)?|draft(?! (?:master plan|mp\d|plans?\b)))"
    r"(?! (?:a |an |the )?(?:short |quick )?(?:list|overview|summary) of (?:the |all |some )?(?:datasets?|data|sources|results)\b)"
    r" (?:a|an|the|my|our|some|this|that|two|three|\d+)\b"
)
PROGRAMMING_HELP = re.compile(
    r"\b(?:sql|mysql|postgres|python|pandas|numpy|matplotlib|seaborn|excel|vlookup|regex|javascript|typescript|java|c\+\+"
    r"|rust|golang|dataframe|jupyter|notebook|git|docker|tableau|power ?bi|spss|stata|r studio|rstudio|ggplot)\b.*\b(?:query"
    r"|queries|code|snippet|script|function|formula|syntax|error|errors|bug|loop|groupby|group by|pivot|merge|install"
    r"|import|read|load|plot|chart|convert|how (?:do|to|can))\b|\b(?:query|code|snippet|script|function|formula)"
    r" (?:in|for|using|with) (?:sql|pandas|python|excel|r|javascript)\b|^(?:sql|python|pandas|excel|regex) (?:query|code|for|to)\b"
    r"|\bwrite (?:me |us )?(?:some |a |an |the )?(?:r|are|stata|spss|matlab|julia|vba|python|sql) (?:script|code|function|program|snippet)\b"
)
# Definitions and explanations of concepts ("what's the difference between mean and median"): general knowledge
# even when the concept is a statistic.
DEFINITION = re.compile(
    r"^(?:what(?:'s| is| are) (?:a|an) [a-z-]+(?: [a-z-]+)?$|define |definition of |(?:what(?:'s| is) the )?difference between"
    r"|explain (?:what|how|why|the (?:concept|difference|meaning|theory))|(?:what(?:'s| is) the )?meaning of (?!(?:the |this |that )?"
    r"(?:score|badge|label|icon|colou?r|tag|link|column|field)))"
)
OOS_WEAK = _rx(
    # jobs and hiring ("any data scientist jobs open?"); job vacancy *statistics* carry data words
    r"\b(?:jobs?|internships?|positions?|roles?|openings?) (?:open|available|going|hiring)\b|\bhiring\b|\bapply for (?:a |an |the )?"
    r"(?:\w+ )?(?:job|position|role|internship)\b|\b(?:find|get|land) (?:me )?(?:a |an )?(?:\w+ ){0,2}(?:job|internship)\b",
    # live / real-time information
    r"\b(?:weather|forecast)\b.*\b(?:today|tomorrow|tonight|now|this (?:morning|afternoon|evening|week|weekend)"
    r"|right now|currently|later|like)\b",
    r"\b(?:today|tomorrow|tonight|now)\b.*\b(?:weather|forecast)\b",
    r"\b(?:will|is) it (?:going to )?(?:rain|raining|be sunny|sunny|be hot|snow|be cold|pour)\b",
    r"\bis it (?:hot|cold|raining|sunny|windy|humid|cloudy|warm|chilly|nice)(?: outside| out| today| now| there)?$",
    r"^how is the weather\b|\bweather like\b|\bweather (?:in|at) [a-z]+$",
    r"\bwhere(?: is| are)? the (?:nearest|closest)\b|\b(?:nearest|closest) (?:\w+ )?(?:to me|from here)\b|\bnear me\b"
    r"|\bhow do i get to\b|\bdirections to\b",
    r"\b(?:score|result)s?\b.*\b(?:right now|today|currently|at the moment|live|now)\b",
    r"\bwhat time is it\b|\bwhat is the time\b|\btime (?:is it )?(?:now )?in [a-z]+\b|\bwhat (?:day|date) is (?:it|today)\b"
    r"|\bcurrent time\b",
    r"^how (?:old|tall|far|big|long|deep|hot|heavy|fast|high) (?:is|are|was) (?:the |a |an )?(?:universe|earth|moon|sun"
    r"|mount \w+|\w+ tower|eiffel|everest|pyramids?|[a-z]+ (?:river|mountain|building))\b",
    r"\bhow (?:old|tall|rich) is [a-z]+(?: [a-z]+)?$",
    r"\b(?:score|result)s? of (?:the |last night's |today's )?(?:match|game|race)\b",
    r"\b(?:is|are) (?:the |my )?\w+(?: \w+)? (?:down|delayed|open|closed|crowded|running|working|jammed|late)"
    r"(?: right now| now| today| at the moment| currently)\b",
    r"\bwhen (?:is|does|will) (?:the |my )?next (?:bus|train|mrt|flight|ferry|tram)\b",
    r"\b(?:stock market|stocks?|shares?|markets?|sti|crypto|bitcoin)\b.*\b(?:today|now|right now|currently|this week)\b",
    r"\btrending\b|\bon (?:twitter|instagram|tiktok|facebook|reddit)\b",
    r"\b(?:pizza|burger|sushi|coffee|food|dinner|lunch|brunch|ramen|bubble tea) (?:places|spots|joints|shops|near)\b"
    r"|\bplaces to (?:eat|visit|go|stay|hang out)\b",
    # the news of the day, not news as data ("fake news detection", "news articles for summarisation")
    r"\b(?:latest|today's|todays|breaking|recent|current|top|any) (?:news|headlines)\b(?! (?:articles?|datasets?|corp\w+|texts?"
    r"|classification|detection|summari\w+|data))|\bheadlines\b(?! (?:datasets?|corp\w+|data))|"
    r"\bnews (?:today|tonight|now|this (?:morning|afternoon|evening|week))\b|\b(?:in|on) the news\b|^news\??$",
    r"\bwho (?:won|is winning|will win)\b",
    # general knowledge / personal advice
    r"^(?:who|whom) (?:is|was|are|were|invented|wrote|discovered|founded|painted|sang|directed)\b",
    r"\bwhat is the capital of\b|\bcapital city of\b",
    r"^how (?:do|can|should) i (?:cook|make|bake|lose|gain|renew|apply|get to|fix|learn|improve|install|become"
    r"|start a|treat|cure|quit|stop|meet|date|travel|invest)\b",
    r"^how to (?:cook|make|bake|lose|gain|renew|apply|get to|fix|learn|improve|install|become|start a|treat|cure"
    r"|quit|stop|meet|date|travel|invest)\b",
    r"\brecipes?\b|\bhow to cook\b",
    r"\bsymptoms? of\b|\b(?:treatment|cure) for\b|\bdo i have\b",
    r"\b(?:which|what) (?:\w+ )?should i (?:buy|get|choose|pick|watch|read|eat)\b",
    # shopping for products or services
    r"\b(?:cheap|cheapest|affordable|discount|discounted|deals?|bargain|on sale|for sale|for rent|near me|nearby"
    r"|best (?:price|deal)s?|coupon|promo)\b",
    r"\b(?:laptops?|iphones?|smartphones?|phones?|macbooks?|pcs?|gaming|headphones|sneakers|shoes|tvs?|cameras?"
    r"|playstation|xbox|ipad|tablet|watch|watches|handbag|handbags)\b.*\b(?:prices?|cost|costs|deals?|buy|reviews?"
    r"|recommendations?|specs|best|cheap|sale)\b",
    r"\b(?:prices?|cost|costs|deals?|buy|reviews?|recommendations?|specs|best|cheap|sale) (?:of |for |on )?(?:an? |the )?"
    r"(?:laptops?|iphones?|smartphones?|phones?|macbooks?|pcs?|gaming pcs?|headphones|sneakers|shoes|tvs?|cameras?)\b",
    r"\b(?:iphone|macbook|samsung galaxy|pixel|playstation|xbox|ipad)(?: \d+)?\b",
    r"\b(?:restaurants?|cafes?|bars?|hotels?|apartments?|condos?|flights?)\b.*\b(?:near|in|to|for)\b.*$",
    r"\b(?:flights?|air ?fares?|tickets?|hotel rooms?) (?:prices?|costs?|fares?)?\b.*\b(?:to|from|next|this|tomorrow)\b",
)
# Shopping/services nouns that are also catalog topics when asked as statistics ("hotel occupancy rates").
OOS_PLACE_NOUN = re.compile(r"\b(?:restaurants?|cafes?|bars?|hotels?|apartments?|condos?|flights?)\b")
OOS_PLACE_CONTEXT = re.compile(
    r"\b(?:cheap|cheapest|best|near|book|nearby|good|nice|recommend|around|for rent|to rent|for two|tonight|next"
    r"|tomorrow|this (?:week|weekend|month)|prices? to|fares?)\b"
)


register_pattern_words(
    (
        DATA_WORDS,
        STAT_WORDS,
        ASSISTANT_REFERENCE,
        REQUEST_WORDS,
        CAPABILITY_STRONG,
        CAPABILITY_SOFT,
        OOS_STRONG,
        ANALYSIS_TASK,
        CAPABILITY_PROBE,
        RESULT_POINTER,
        FACT_QUESTION,
        PROGRAMMING_HELP,
        WRITING_COMMAND,
        DEFINITION,
        CLAUSE_FORM,
        RESULT_REFERENCE,
        OOS_WEAK,
        OOS_PLACE_NOUN,
        OOS_PLACE_CONTEXT,
    )
)
# A question whether something is possible ("can I sort these by date?", "is there an option to see a map?"),
# as opposed to a polite command ("can you drop the LTA ones"): the follow-up reading is not sure of it.
FEATURE_QUESTION = re.compile(
    r"^(?:(?:btw|also|and|so|ok|okay|hey|hmm|quick question)[, ]+)*(?:(?:can|could|may|do|does|should) (?:i|we|one|users?)\b"
    r"|(?:is|are) there (?:a|an|any)? ?(?:way|option|setting|feature|button|mode|function)|is it possible|any (?:way|option)"
    r"|(?:do|does|will|can) (?:you|it|this|the (?:tool|site|app|assistant|search)) (?:support|allow|let|have|index|cover|offer"
    r"|handle|cope|understand|work|remember|show|keep|include)|(?:am|are) (?:i|we) allowed|got (?:option|feature|way|function))"
)
