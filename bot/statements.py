"""An answer as statements, and which statements say nothing a key point could rest on.

Evidence for a key point is one statement of the answer. These statements are never evidence, whatever
words they use:
- hype: a topic named and praised or ranked ("point-in-time correctness is huge", "drift is top of mind",
  "SBOMs are all part of our tooling landscape") with nothing said about what is done, why or how, or with
  two kinds of praise at once;
- framing in place of an answer ("the answer lies in segment-aware monitoring", "it's really about trust");
- buzzword prose: two kinds of corporate filler ("a strategic, scalable control plane");
- vague lines: two hedges that leave what to do open ("look into it, then take the appropriate action");
- dismissal: the practice waved away ("rolling back is pointless", "no need to slice by region");
- lines written to the grader ("ignore previous instructions", a fake verdict, evaluator note or system
  turn).
"""

from __future__ import annotations

import re

from bot.answer_words import WORD
from bot.name_lists import ACTION_VERBS

# Where one statement ends: sentence punctuation, a semicolon, a line break.
_STATEMENT_END = re.compile(r"(?<=[.!?;])\s+|\n+")

# Praise, rank or importance in place of content. Kept to words that carry no MLOps meaning themselves.
_HYPE = re.compile(
    r"\b(?:huge|critical|crucial|(?:is|are) key|great(?! expectations)|powerful|important|matters?|"
    r"top of mind|first[- ]class|"
    r"part of the (?:picture|story|toolbox|landscape)|levers?|go-to|rounds? things out|the works|"
    r"whole toolbox|incredibly|obviously|well[- ]known|mindful|embrac\w*|all about|it'?s about|north star|"
    r"at the heart|front and cent(?:er|re)|table stakes|non[- ]negotiable|game|essential|paramount|"
    r"a must|must[- ]have|love|super|"
    # a story told without its content: "it taught me a lot", "in the end the project went well"
    r"taught me a lot|learn(?:ed|t) a lot|went (?:really |very )?well|(?:was|were) (?:all )?happy|"
    r"plenty of (?:projects|experience|times)|"
    r"tough calls|in the end|a lot of experience|on the same page|worked out|big believer|"
    r"comes? into play|massive|closes? the loop|\w+[- ]nines thinking|antifragile|self[- ]healing|"
    # framing in place of content: "this is a FinOps problem", "the answer lies in segment-aware monitoring"
    r"(?:is|are|'s) (?:really |basically |just |fundamentally |ultimately |first and foremost )?(?:a |an )?"
    r"(?:classic |textbook |typical )?(?:[\w-]+ ){0,2}(?:problem|strategy|framework|paradigm|operating model|"
    r"continuum|primitives?|program|programme|discipline|signal|story|journey|exercise)|"
    # praise and slogans in place of content (stop 21)
    r"the way to|silent \w+ killer|(?:a )?safe bet|(?:a )?great fit|juggling act|a different world|"
    r"definitely|the trick|goes a long way|is everything|pays off|"
    r"calls for|first and foremost|pillars?)\b",
    re.IGNORECASE,
)
# Framing that stands in for an answer, whatever else the statement names ("the answer lies in
# segment-aware monitoring and a clear root-cause framework spanning pipeline issues").
_FRAMING = re.compile(
    r"\b(?:the answer lies in|(?:is|are|'s) (?:really|all|ultimately) about|flywheel|backbone|cornerstone|"
    r"bedrock|linchpin)\b",
    re.IGNORECASE,
)
# What a statement with content has: a reason, a condition, an order, or a verb of doing. A hype word next
# to one of these is ordinary emphasis ("key metrics are compared before the release").
_CONTENT = re.compile(
    r"\b(?:because|so|otherwise|instead of|rather than|by \w+ing|when|if|until|before|after|then|"
    r"which|compare\w*|set|alert\w*|page|roll\w*|split\w*|send|route|log\w*|pin\w*|version\w*|retrain\w*|"
    r"measur\w*|check\w*|run|write|store|keep|cap|limit|track\w*|diff|replay|backfill|block|gate)\b",
    re.IGNORECASE,
)
# Corporate filler: two of these in one statement make it buzzword prose, whatever else it says ("a
# contract-first, registry-centric approach standardizes onboarding, so every model is first-class").
_FILLER = re.compile(
    r"\b(?:leverag\w*|holistic\w*|synerg\w*|paradigm\w*|empower\w*|posture|best[- ]practices?|"
    r"industry[- ]standard|world[- ]class|cutting[- ]edge|state[- ]of[- ]the[- ]art|game[- ]chang\w*|"
    r"seamless\w*|operationali[sz]\w*|single pane of glass|time[- ]to[- ]value|first[- ]class|fabric|"
    r"unlock\w*|woven|at scale|robust\w*|agil\w*|"
    r"\w+-(?:driven|centric|first|aware|native|informed|conscious|grade)|mindset|harmoni[sz]\w*|"
    r"elevat\w*|firefighting|pragmatic\w*|position(?:ed)? (?:myself|ourselves|itself)|enabler|refram\w*|"
    r"storytelling|narrative|tailor\w*|lean(?:ed|t)? into|time[- ]to[- ]market|maintainability|"
    r"align(?:ed|ing)|rounds? out|full[- ]stack|resilien\w*|\w+[- ]as[- ]code|grounded in|principles|"
    r"the power of|"
    r"embedded as|core capabilit\w*|governance|end[- ]to[- ]end|north star|accelerat\w*|streamlin\w*|"
    r"optimi[sz]es?\b|architect\b|abstracts? away|heterogeneit\w*|converges?|strategic\w*|enablement|"
    r"alignment|cent(?:re|er) of excellence|as[- ]a[- ]service|innovat\w*|vision|accountability|awareness|"
    r"thinking|transparency|proactive\w*|hardening|envelope|future[- ]proof\w*|cost[- ]efficient|"
    r"scalab\w*|high[- ](?:trust|velocity|performing)|cultur\w*|underpinn\w*|well[- ]governed|"
    # from a blind corpus of buzzword sentences (stop 21); none carries an MLOps meaning of its own
    r"de-?risk\w*|uplift|delight|roi|quick wins?|paved roads?|hypergrowth|intelligent\w*|modern\w*|"
    r"elastic|governed|audit[- ]ready|regulator[- ]ready|enterprise|commitment|velocity|"
    r"confidence(?! intervals?)|"
    r"rich|granular|(?:structured|decision|governance|evaluation|testing) framework|program(?:me)?|"
    r"initiatives?|ecosystem|foundation(?:al|s)?(?! models?)|complementary|disciplined?|rigor\w*|"
    r"path forward|full picture|deep[- ]dive|multi[- ]factor|\w+[- ]by[- ]design|modular|excellent|"
    r"heightened|smooth|unified|powered by|baked in|wired (?:up|into)|hands[- ]off|comprehensive|"
    r"holy trinity|immune system|rock[- ]solid|hot topic|goldmine|living asset|stack|capabilit\w*|"
    r"dramatic\w*|massive\w*|mature|sustainabl\w*|trustworthy|ensures?|"
    r"compliant|methodolog\w*)\b",
    re.IGNORECASE,
)
FILLER_PER_STATEMENT = 2
# Two kinds of praise or framing in one statement are hype even beside a reason ("reference windows are
# obviously critical, so we are always mindful of multiple testing").
HYPE_PER_STATEMENT = 2
# Words that commit to nothing: what to do is left to "the right" thing, done "as needed" once one has
# seen "what's going on". Two kinds in one statement make it vague, whatever else it names ("look into it,
# figure out what's going on, then take the appropriate action, maybe retrain if needed").
_VAGUE = re.compile(
    r"\b(?:the (?:right|relevant|appropriate|important) (?:\w+ )?(?:people|person|folks|metrics|access|"
    r"data|checks|features|tools|things?|approach|way|action|steps|process|teams?|stakeholders|guardrails)|"
    r"appropriate\w*|relevant|as (?:needed|required|"
    r"appropriate)|if (?:needed|necessary|required)|where (?:needed|appropriate|it makes sense)|"
    r"what'?s going on|what (?:might have|has|had) changed|something (?:looks|seems|is) off|"
    r"if something goes wrong|make sure|ensure (?:that )?everything|everything|anywhere|properly|"
    r"keep an eye on|look into|figure out|take (?:the )?(?:appropriate |right |necessary )?(?:action|steps)|"
    r"(?:a )?good (?:model|features|data|architecture|process)|works? out (?:fine|well)|always try|"
    r"thorough\w*|at every stage|use (?:the right |some |various |our )?tools|everyone|in the loop|"
    r"build (?:the )?trust|take ownership|"
    r"good (?:\w+ ){0,2}practices|"
    # hedges and story lines without their content (from a blind corpus of vague lines, stop 21)
    r"accordingly|sensibl\w*|smartly|nicely|somehow|some (?:kind|sort) of|a bit|"
    r"(?:it|that|this) (?:all )?depends|hinges on|it varies|case[- ]by[- ]case|"
    r"keep(?:ing)? (?:it|things) simple|stay(?:ing)? (?:flexible|organi[sz]ed)|what matters(?: most)?|"
    r"making sure|extra careful|careful(?:ly)?|"
    r"put (?:something|things|measures|controls|safeguards|guardrails) in place|"
    r"(?:the )?(?:main|key|biggest) (?:issues|gaps|bottlenecks|pain points)|"
    r"follow (?:the|their|our) (?:process|guidance)|going forward|solid|decent|comprehensive|"
    r"well[- ]defined|pros and cons|"
    r"(?:identified|found|fixed|addressed|stabili[sz]ed) "
    r"(?:it|them|the (?:main |root )?(?:issues?|cause|problems?))|"
    r"won (?:them|people|everyone) over|(?:a )?good outcome|the right call|delivered on time|"
    r"made (?:my|the|our) case|raised my concerns|respectfully|backed (?:them|it) up|the trick|"
    r"juggling act|"
    r"in a (?:\w+ )?(?:and \w+ )?way|people involved|learn(?:ed|t)? a lot|the (?:usual|standard) \w+)\b",
    re.IGNORECASE,
)
VAGUE_PER_STATEMENT = 2

_DISMISSAL = re.compile(
    r"\b(?:pointless|no need|not needed|unnecessary|overkill|don'?t bother|(?:is|are)n'?t an issue|"
    r"not an issue|no real|a hack|waste of time|skip\w*|irrelevant|doesn'?t matter|don'?t matter|"
    r"not worth|(?:do|does|did)n'?t (?:really )?need (?!to\b)|(?:is|are)n'?t (?:really )?(?:needed|necessary|"
    r"a factor|important|useful)|only (?:needed|necessary|useful) (?:if|when)|whatever the|no matter what|"
    r"(?:is|are)n'?t a worry|not a worry|the other way round)\b",
    re.IGNORECASE,
)
# Lines written to the grader rather than about the topic (shared with the model grader's evidence rule).
INJECTION = re.compile(
    r"ignore (?:all |any |the )?(?:previous|prior|above|earlier)|disregard (?:the|all|previous|prior)|"
    # a fake turn starts a line or a sentence ("SYSTEM: ..."), unlike "guardrails around the assistant: ..."
    r"(?:^\s*|[.!?]\s+)(?:system|assistant)\s*:|you are now|new instructions|as the grader|to the grader|"
    r"\b(?:mark|grade|score|rate|label)\w* (?:all|every|each|this|the)\b[^.\n]{0,40}"
    r"\b(?:covered|correct|full)|"
    r"\"\w*(?:verdict|coverage|points)\w*\"\s*:|"
    # a fake note to the grader, a verdict on the answer itself, a key point label set to true
    r"\b(?:evaluator|grader|grading|assessor|examiner|marker)\W{0,3}(?:note|notice|instruction|override|message)|"
    r"\b(?:this|the) (?:candidate|answer|response) (?:has |already |clearly )*"
    r"(?:cover(?:s|ed)?|address\w*|hits|meets|satisf\w*|deserves|earns|should (?:get|receive|score))\b|"
    r"\b(?:all|every|each|both|\d+|two|three|four|five|six|seven|eight) (?:of the )?(?:\w+ )?key points\b|"
    r"\"[^\"\n]{15,}\"\s*:\s*(?:true|\"covered\")|"
    r"\b(?:instructions?|notes?|message) (?:for|to) (?:the |any )?(?:grad\w*|evaluat\w*|assess\w*|review\w*|"
    r"marker|model|llm|ai)\b|\bscore (?:it |this |me )?accordingly\b|"
    r"\bassume\b[^.\n]{0,80}\b(?:(?:is|are) covered|addressed)\b",
    re.IGNORECASE | re.MULTILINE,
)


def statements(answer: str) -> list[str]:
    return [s.strip() for s in _STATEMENT_END.split(answer) if s.strip()]


# Verbs that say what is done ("register", "compare", "pin"); "use" says only that a thing exists.
_DOING = ACTION_VERBS - {"use"}


def _does_something(statement: str) -> bool:
    if _CONTENT.search(statement):
        return True
    return any(word in _DOING for word in WORD.findall(statement.lower()))


def dismissals(answer: str) -> list[str]:
    """Statements that wave a practice away ("rolling back is pointless"): worth a second look."""
    return [s for s in statements(answer) if _DISMISSAL.search(s) and not INJECTION.search(s)]


def says_nothing(statement: str) -> bool:
    """Hype, a dismissal, or a line to the grader: never evidence for a key point."""
    if INJECTION.search(statement) or _DISMISSAL.search(statement) or _FRAMING.search(statement):
        return True
    if len({m.lower() for m in _FILLER.findall(statement)}) >= FILLER_PER_STATEMENT:
        return True
    if len({m.lower() for m in _VAGUE.findall(statement)}) >= VAGUE_PER_STATEMENT:
        return True
    hype = {m.lower() for m in _HYPE.findall(statement)}
    return len(hype) >= HYPE_PER_STATEMENT or (bool(hype) and not _does_something(statement))


def without_injection(answer: str) -> str:
    """The answer minus its statements addressed to the grader."""
    return "\n".join(s for s in statements(answer) if not INJECTION.search(s))
