"""Story reader: turn a free-text sighting story into the fields of a report, so the bot only asks what is missing.

Why rule-based and offline: stories arrive in Spanish, English and a mix of both, written fast on a phone, and must
be read without sending anyone's words to a remote service. The vocabulary is small (six fields with a handful of
values each), so explicit rules are easier to audit and to correct than a model — and an auditor can see exactly
why a field was filled.

The guiding rule is **never invent**: a field is filled only when the story says it; anything vague stays ``None``
so the report flow asks for it. A question ("¿qué hago si la migra toca mi puerta?") or a rumour is never read as a
sighting, and nothing is read out of it.

Labelling rules are those of tests/data/README.md (stories_eval2.tsv section: the product rules since issue 12):

* markings — "ICE", "ERO", "HSI" → ``ice``, and so are the everyday names "la migra", "migras", "inmigración",
  "immigration" (typos too); "Border Patrol", "patrulla fronteriza", "CBP", "BORTAC", "los verdes", green uniforms
  → ``cbp``; "policía", "cops", "CPD", "patrulla(s)", "squad cars" → ``police``; "sin placas", "unmarked", "sin
  uniforme", "de civil", "plain clothes" → ``unmarked``; "no sé qué agencia" → ``unknown``. ICE/CBP named win
  (earliest first), then "la migra"/"immigration", then police, then unmarked. "feds", "federales", "agents",
  "black vans" alone name no agency. A negated ("no eran de ICE") or hedged ("idk if it's ICE") agency and the
  court's name ("la corte de inmigración") do not count, nor does an agency named only inside a question
  ("¿migra en Pilsen? vi 2 trocas"). An agency only heard of ("dicen q hay migra pero yo solo vi policías",
  "mostly CPD but somebody said ICE", "cops arrested him…, heard they gave him to ICE") loses to the police the
  writer saw. "la fronteriza" and a number of "verdes" ("4 o 5 verdes") are Border Patrol.
* agents / vehicles — digits, number words (es/en, 1–20, "una docena", "un par", "a couple"), "a/an/un/una" before
  the noun, ranges ("4 o 5" → the larger), "más de 10" → just above; "+ 1 suv" adds one. Separate mentions add up
  ("2 suvs and a van" → 3). A count said apart from the noun, after agents were mentioned, counts ("dos de la
  migra", "unos señores de la migra como unos cuatro", "CBP agents…, maybe 6 or 7"); one vehicle named in the
  singular as the thing seen ("la troca de la migra", "ICE van parked…") is one. Vague quantities and plural nouns
  without a number stay ``None``. People taken, stopped, talked to or asked ("arrested a guy", "detuvo a 2
  personas") and one agent described ("one agent had a rifle") are not counts. "No sé cuántos" → ``unknown``.
  "a pie" / "on foot" / "sin carro" → vehicles ``0``. "N border patrol" counts agents ("seven border patrol
  questioning…"), and so does "se bajaron 2" / "3 got out"; a second single vehicle ("grey van and an ICE suv",
  "luego llegó otra troca") makes two, and the vehicle agents got out of is theirs; the writer's own car ("my friend
  in the car") and an "auto shop" are not counted.
* when — "ahorita", "rn", "right now", "todavía están", "siguen ahí", "ya llevan…", "still there" → ``now``;
  "hace N minutos" (N ≤ 15), "hace un momento", "a moment ago" → ``15m``; "hace media hora", "hace
  una hora", "hace (un) rato", "hace ratito", N ≤ 60 min → ``1h``; "esta mañana", "hoy", "hace 3 horas", a clock
  time, "around noon" → ``today``. "Ayer" / "anoche" stay ``None``; so do the writer's own "I just dropped…/just
  called" and the time of a phone call ("called at 9am"). A number of minutes/hours wins over a word; otherwise the
  first cue wins.
  A span without an explicit "still"/"siguen"/"ya llevan" ("desde hace 20 min", "desde hace rato", "since this
  morning", "for 2 hrs", "llevan toda la mañana") and a bare "just"/"acabo de"/"acaban de" with no minutes stated
  stay ``None`` (stories_eval3/eval4 labelling rules): both are weak cues, and guessing costs more than missing.
  So does the start of something still going without "still" ("started 20 min ago", "hace 20 min q empezaron",
  stories_eval5 rules); "sigue parada", "still parked", "ya van 2 horas", "lleva ahí media hora" are ``now``.
* activity — cues are grouped by category of words, and the category decides which governs. An action that names
  the activity wins: retén / checkpoint / roadblock / "every car" → ``checkpoint``; knocking, at the door, a family
  taken out → ``home``; a traffic stop ("lo pararon", "got pulled over", "took a guy out of his car") → ``street``.
  Then vehicles with nobody acting, or people only sitting inside them → ``vehicles`` (even outside a school), unless
  agents stand outside them at a named site. Then the site, by category: a group of workers approached (a crew,
  jornaleros, "los que esperan trabajo") → ``workplace`` even on a house or a store lot; a dwelling (casa, depa,
  edificio, apartment, porch, "my mom's") → ``home`` (``workplace`` if the one taken works there: "se llevaron al
  carnicero"); a raid on a store → ``workplace``; a job site (factory, warehouse, restaurant, car wash, Home Depot,
  "where I work") → ``workplace``; an institution or transit (school, church, hospital, clinic, court, consulate,
  station, CTA bus or train, a public office) or a store, market, mall or its lot → ``other``; a site named only by
  its own name counts too ("St. Genevieve", "Our Lady of Mercy", "Curie High", and the schools, hospitals,
  churches, stations and landmarks of the place finder's gazetteer, bot/geodata/landmarks.json). Then weak actions
  that a site would have overruled: driving licences checked → ``checkpoint``; people asked for papers or IDs,
  stopped or asked, agents standing at a corner or on foot on the sidewalk → ``street`` (round 6: "pidiendo
  papeles" alone names no checkpoint). Last, an arrest or a person held ("on the ground", "contra la pared") with no
  site named → ``street``. A site the writer was at, going to, leaving, or only near ("the bus stop by Curie high
  school") does not count, unless the one taken was leaving it ("lo agarraron saliendo del hospital"). Agents at a
  corner with no action stay ``None``. Round 7 (stories_eval6 causes): a CTA bus by its route ("el camión de la
  35"), a store's customers and fast-food chains → ``other``; the people who work there, staff, men unloading
  trucks, "construcción" → ``workplace``; the ICE check-in office → ``other``; vehicles heading somewhere ("yendo
  pa'l este", "heading south", "pasó una troca") → ``vehicles``; a street blocked at a corner → ``checkpoint``.
  A correction fixes the place, not what was done: when the part after it only shows vehicles or "la puerta", the
  action or site of the whole story governs.
* place — an address, then a named landmark or one-of-a-kind institution ("la escuela Whittier", "the Mexican
  Consulate on Pulaski", "Our Lady of Mercy", "the 87th st Red line station"), then a corner, then a chain store
  named alone ("enfrente del Walgreens": there are many), then a street, and a neighbourhood last.
* hearsay ("dicen que", "I heard") is not a sighting, nor is a rumour asked about ("dicen q hay migra en X,
  ¿alguien sabe si es cierto?"), unless the writer also says they saw it, or it is relayed by
  someone the writer names ("mi prima dice…", "mi suegra que vive en la 45 me mandó mensaje…", "my coworker
  texted…") with a place and a time, a count or an arrest, and no feed or chain behind it; "posted up" is not a
  post, and "consulado" is a place, not a rights question.
* a writer who corrects themselves ("¿en la 26 y Central? no, en la 26 y Laramie", "on 59th, sorry, I mean
  60th") is read from the correction: the place (and an agency named there) after it, and the corrected question
  is a statement;
* a question that wraps a statement ("r u aware ICE is at… rn?") asserts it; "¿alguien más vio X?" followed by
  "yo las vi" confirms X; the story told before a plea for advice ("…, no contesta, ¿qué hago?") is a report.

``details`` is the whole story, redacted by :func:`bot.reports.redact` and :func:`redact_more`: fragments left after
cutting out the fields lose their meaning for moderators, and details never go into an alert.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.reports import MAX_DETAILS, redact

FIELDS = ("activity", "place", "when", "agents", "vehicles", "markings")

# --------------------------------------------------------------------------- text folding


def fold(text: str) -> str:
    """Lower-case and strip accents *keeping every character's position*, so spans found in the folded text are
    spans of the original (a place span is returned as the user wrote it)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if ch in "’‘`´":
            base = "'"
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|va|vo|ava|avo|a|o)?(?![a-z])|\d+|[a-z]+(?:'[a-z]+)?|[^\sa-z0-9]")


@dataclass(frozen=True)
class _Tok:
    w: str  # folded
    start: int
    end: int
    orig: str


def _tokens(text: str, folded: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end(), text[m.start():m.end()]) for m in _TOKEN.finditer(folded)]


# --------------------------------------------------------------------------- numbers

_NUM_WORDS = {
    "un": 1, "uno": 1, "una": 1, "a": 1, "an": 1, "one": 1,
    "dos": 2, "two": 2, "tres": 3, "three": 3, "cuatro": 4, "four": 4, "cinco": 5, "five": 5,
    "seis": 6, "six": 6, "siete": 7, "seven": 7, "ocho": 8, "eight": 8, "nueve": 9, "nine": 9,
    "diez": 10, "ten": 10, "once": 11, "eleven": 11, "doce": 12, "twelve": 12, "trece": 13, "thirteen": 13,
    "catorce": 14, "fourteen": 14, "quince": 15, "fifteen": 15, "dieciseis": 16, "sixteen": 16,
    "diecisiete": 17, "seventeen": 17, "dieciocho": 18, "eighteen": 18, "diecinueve": 19, "nineteen": 19,
    "veinte": 20, "twenty": 20, "treinta": 30, "thirty": 30, "cuarenta": 40, "forty": 40,
    "cincuenta": 50, "fifty": 50, "docena": 12, "dozen": 12, "par": 2, "couple": 2, "pair": 2,
}
_ARTICLE_ONE = {"un", "una", "a", "an"}  # count only when the noun follows at once (or after colours)
_COLOURS = {"dark", "light", "black", "white", "gray", "grey", "silver", "blue", "red", "green", "tinted", "unmarked",
            "negra", "negro", "blanca", "blanco", "gris", "plateada", "plateado", "azul", "oscura", "oscuro", "roja",
            "rojo", "verde"}
_AGENCY_NOUN = {"ice", "cbp", "hsi", "ero"}  # "2 ICE at the desk": the agency's name used for its agents
# "30 people were taken", "unas 20 personas fueron detenidas": the people counted were the ones taken
_TAKEN_AFTER = re.compile(r"\s+(?:were|was|got|have been|had been|fueron|han sido|habian sido)\s+(?:\w+\s+)?"
                          r"(?:taken|arrested|detained|picked up|grabbed|deported|detenid[oa]s|arrestad[oa]s|"
                          r"llevad[oa]s|agarrad[oa]s|levantad[oa]s)\b")
_RANGE_JOIN = {"o", "or", "a", "to", "-", "y", "u"}


def _num(tok: str) -> int | None:
    if tok.isdigit():
        return int(tok)
    return _NUM_WORDS.get(tok)


# --------------------------------------------------------------------------- vocabulary

_VEHICLE_NOUNS = re.compile(
    r"^(?:camionetas?|trocas?|trokas?|vans?|suvs?|carros?|coches?|autos?|vehiculos?|vehicles?|cars?|trucks?|"
    r"pickups?|suburbans?|tahoes?|durangos?|explorers?|unidades|unidad|patrullas?|squad|cruisers?|minivans?|"
    r"buses|bus|autobuses|camiones|camion|jeeps?|sedans?|chargers?|impalas?|yukons?|escalades?|expeditions?)$"
)
_STRONG_AGENT = re.compile(
    r"^(?:agentes?|agents?|oficiales|oficial|officers?|federales|federal|feds?|migras|marshals?|policias?|"
    r"police|polis|cops?|troopers?|sheriffs?|deputies|elementos|uniformados|soldados|soldiers|verdes)$"
)
_NOT_PERSON_AFTER = re.compile(r"^(?:checkpoints?|reten|roadblocks?|stations?|estacion|lights?|luces|sirens?|"
                               r"department|dept|building|edificio|office|oficina|report|reporte|scanner|tape|"
                               r"line|stop|presence|activity|actividad)$")
_WEAK_PERSON = re.compile(r"^(?:hombres|hombre|men|man|guys?|tipos?|senores|senor|dudes?|vatos?|personas|people)$")
_TIME_NOUNS = re.compile(r"^(?:minutos?|mins?|minutes?|horas?|hours?|hrs?|hr|h|dias?|days?|segundos?|seconds?|"
                         r"am|pm|cuadras?|blocks?|millas?|miles?|veces|times|anos|years?|meses|months?)$")
_FILLER = re.compile(
    r"^(?:de|del|la|el|ice|cbp|dhs|border|patrol|federal|federales|black|white|gray|grey|silver|dark|blue|red|"
    r"green|tinted|big|large|small|unmarked|marked|armed|masked|more|mas|other|otros|otras|negras|negros|blancas|"
    r"blancos|grises|grandes|armados|encapuchados|enmascarados|police|policia|migra|immigration|plain|clothes|"
    r"undercover|official|government|sin|placas|no|plates|en|in|with|con|chalecos|vests|uniforme|uniformes|"
    r"uniform|uniforms|tactical|tacticos|civil|of|those|these|esos|esas|estas|estos|"
    r"dodge|ford|chevy|chevrolet|gmc|toyota|honda|nissan|cadillac|crown)$"
)
_DETAIN = re.compile(
    r"^(?:llevaron|llevan|llevando|llevo|detuvieron|detuvo|detiene|detienen|deteniendo|arrestaron|arresto|"
    r"arrestando|agarraron|agarro|agarrando|arrest|arrests|detain|detains|grab|grabs|take|takes|took|esposo|"
    r"talking|hablando|preguntando|asking|ask|asked|hablaron|interrogaron|questioned|approached|"
    r"levantaron|subieron|esposaron|took|taking|arrested|arresting|detained|detaining|grabbed|grabbing|"
    r"cuffed|handcuffed|chased|chasing|persiguiendo|persiguieron|pararon|paro|paran|detained|picked|stopped|pulled|"
    r"interrogando|questioning|bothering|molestando|atraparon|siguiendo|following|followed|siguieron|"
    r"rodearon|surrounded|esposando|buscando|looking|searching|llevandose|drag\w*|yank\w*|tackl\w*|"
    r"tumbaron|sacaron|saco|sacando|jalaron|jalando|pushed|empujaron|chased|corretearon|correteando)$"
)
_VAGUE = re.compile(r"^(?:varios|varias|several|muchos|muchas|many|lots|bunch|monton|bola|chingo|madral|tons|"
                    r"some|unos|unas|algunos|algunas|few|pocos|pocas|bastantes|plenty)$")

# is_sighting ------------------------------------------------------------------------------------------------
_ENFORCEMENT = re.compile(
    r"\b(?:ice(?!\s*cream)|la migra|migra|migras|agentes?|agents?|oficiales|officers?|border patrol|"
    r"boa?rde?r ?patr?o?u?l\w*|de civil|plain ?clothes|plainclothes|"
    r"patrulla fronteriza|la border|cbp|bortac|federales|feds?|inmigracion|immigration|dhs|hsi|ero|chalecos?|vests?|"
    r"los verdes|los de verde|green uniforms?|uniformes? verdes?|squad cars?|la fronteriza|"
    r"(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|como) verdes|"
    r"(?:in|i)?m+igra(?:c|s|t)i?on|bordr patrol|"
    r"redadas?|raids?|operativos?|reten|checkpoint|tocando (?:las )?puertas|"
    r"knocking on (?:the |people'?s )?doors|punto de control|unmarked|sin placas|"
    r"detuvieron|detener|detienen|deteniendo|arrestar|arrestando|arrestaron|se (?:lo |la |los |las )?llevaron|"
    r"llevandose|agarraron|"
    r"levantaron|detained|detaining|arrested|arresting|grabbed|grabbing|policias?|police|cops?|cpd|sheriffs?|"
    r"patrullas?|polis|la poli|roadblocks?|road block|la chota|la jura|took (?:a|two|some|him|her|"
    r"them|my|our|people|someone|somebody)|marshals?|uniformados|encapuchados|masked|enmascarados)\b"
)
_OBSERVE = re.compile(
    r"\b(?:vi|vimos|veo|vemos|viendo|acabo de ver|acabamos de ver|hay|habia|estan|estaban|esta|estaba|andan|"
    r"anda|andaban|llegaron|llego|entraron|rodearon|tocando|tocaron|theres|there's|there are|there is|there was|"
    r"there were|saw|seen|see|seeing|spotted|spotting|are at|is at|were at|parked|parados?|paradas?|"
    r"estacionad[oa]s?|outside|afuera|happening|pasando|pararon|paro|stopped|pulled|se llevaron|detuvieron|"
    r"arrestaron|arrested|arresting|detained|detaining|took|taking|grabbed|grabbing|chasing|persiguiendo|pidiendo|"
    r"asking|checking|revisando|knocking|"
    r"came|vinieron|showed up|just|right now|rn|ahorita|ahora|now|siguen|still|rondando|dando vueltas|circling|"
    r"patrullando|circulando|driving|drove|passing|pasaron|bajaron|got out|came out|salieron|waiting|esperando)\b"
)
_QUESTION_START = re.compile(
    r"^\W*(?:(?:que|como|donde|cuando|cual|cuales|a donde|adonde|a quien|con quien)\s+(?:hago|hacemos|hacer|puedo|"
    r"podemos|debo|debemos|se|le|me|les|lo|nos|hay que|es|son|reporto|reportar|llamo|llamar|funciona|paso|pasa|"
    r"sabe|saben|tengo|tiene|tienen|van|uso|consigo|protejo|ayudo|significa|quiere|necesito|sirve|hacen|"
    r"dicen|pueden|puede|recomiendan)|por que|puedo|puede|pueden|podemos|"
    r"debo|debe|debemos|tengo que|tienen que|es cierto|sera|será|alguien sabe|saben si|sabe si|what|how|where|"
    r"when|why|which|who|can|could|should|do|does|did|is it|is there|are there|are they|is ice|are ice|will|"
    r"would|anyone|anybody|any1|does anyone|is this|me pueden|me puede|necesito saber|quisiera saber|"
    r"quiero saber|i want to know|necesito ayuda|help)\b"
)
_CONDITIONAL = re.compile(
    r"\b(?:si|if|cuando|whenever|en caso de que|en caso de|in case|what if|que pasa si|qué pasa si|y si)\s+"
    r"(?:(?:la|los|el|an?|the|un|unos)\s+)?(?:migra|ice|agentes?|agents?|police|policia|border|cbp|immigration|"
    r"inmigracion|feds?|federales|they|ellos|llega|llegan|viene|vienen|come|comes|tocan|toca|knock|knocks|"
    r"me para|me paran|me detienen|me detiene|stop me|stops me|pulls me|i get|i'm|me|nos|te|le|les|i see|veo|"
    r"ves|see|mi|my|alguien|someone)\b"
)
_RIGHTS = re.compile(
    r"\b(?:derechos|rights|abogado|abogada|lawyer|attorney|firmar|sign anything|"
    # "HSI agents with a warrant at a house…": a warrant they carry describes the scene, asking about one is a
    # rights question
    r"(?<!with a )(?<!had a )(?<!have a )(?<!con una )(?<!traian una )(?<!tenian una )(?<!with a search )"
    r"(?<!had a search )(?<!with an arrest )(?:orden judicial|warrant)|"
    r"tengo que abrir|do i have to|have to open|remain silent|guardar silencio|"
    r"know your rights|conozca sus derechos|hotline|linea de ayuda|numero de ayuda|como reporto|how do i report|"
    r"como uso|how do i use)\b"
)
_HEARSAY = re.compile(
    r"\b(?:dicen que|dijeron que|me dijeron|me contaron|escuche (?:que|q)|oi (?:que|q)|supuestamente|rumor|rumores|"
    r"anda circulando|esta circulando|i heard|heard that|someone said|people are saying|they say|apparently|"
    r"supposedly|my (?:friend|cousin|aunt|mom|sister|brother) said|mi (?:amiga?|prima?|tia|mama|hermana?) "
    r"(?:dijo|dice)|en facebook|on facebook|en tiktok|on tiktok|posted(?!\s+up)|en las noticias|"
    r"en el noticiero|on the news|"
    r"in the news|en un video|in a video|(?:the|el|this|este|ese|that) video|"
    r"en instagram|on instagram|en twitter|on twitter|en el grupo|in the group|"
    r"whatsapp|la alerta|the alert|your alert|su alerta|el aviso|the post(?! office)|"
    r"gracias(?: a todos| a todas| vecinos| a todos los que)? (?:por|x)|thanks?(?: y'?all| everyone| guys)? for|"
    r"thank you(?: all| everyone)? for)\b"
)
_FIRST_HAND = re.compile(
    r"\b(?:vi|vimos|veo|vemos|acabo de ver|acabamos de ver|estoy viendo|estamos viendo|i saw|i see|we saw|we see|"
    r"i just saw|just saw|seeing|i'm looking at|frente a mi|in front of me|outside my|afuera de mi|mi casa|"
    r"my house|aqui en|here at|right here|my door|mi puerta|our door|nuestra puerta|my building'?s?|mi edificio|"
    r"my street|mi calle|my block|mi cuadra|my work|mi trabajo|my job|mi depa|mi departamento|mi apartamento|"
    r"my apartment|my apt|puerta de mi|saw (?:it|them|this|that)|myself|yo (?:lo|la|los|las) vi|"
    r"con mis (?:propios )?ojos|with my own eyes)\b"
)
# second-hand from someone the writer names ("mi prima dice que…", "me dijeron que…", "my coworker texted…"): a
# report, not a rumour, when it is specific (a place plus a time or a count) and comes from no feed or chain
_RELAYED = re.compile(
    r"\b(?:me dijeron|me contaron|me avisaron|me acaban de (?:decir|avisar)|me (?:llamo|llamaron|hablo|escribio) "
    r"(?:mi|un|una)|mi (?:amig[oa]|prim[oa]|tia|tio|mama|papa|herman[oa]|hij[oa]|espos[oa]|vecin[oa]|compa|comadre|"
    r"compadre|cunad[oa]|suegr[oa]|sobrin[oa]|novi[oa]|jefe|jefa|patron|companer[oa])(?: [^.,;!?]{0,40}?)? "
    r"(?:dijo|dice|me dijo|me dice|me conto|me aviso|me llamo|me escribio|vio|me mando (?:un )?(?:mensaje|texto|"
    r"msj)|me texteo)|my (?:friend|cousin|aunt|uncle|mom|dad|sister|brother|son|daughter|wife|husband|"
    r"neighbou?r|coworker|co-worker|boss|niece|nephew|roommate|girlfriend|boyfriend)(?: [^.,;!?]{0,40}?)? "
    r"(?:said|says|told me|called|texted|just told|saw|messaged))\b")
_RUMOR_SOURCE = re.compile(
    r"\b(?:rumor|rumores|supuestamente|supposedly|apparently|facebook|tiktok|instagram|twitter|whatsapp|"
    r"noticias|noticiero|news|video|posted|circulando|circulating|gracias|thanks?|thank you|la alerta|the alert|"
    r"el aviso|compartan|share|reenvien|forward)\b")
_FUTURE = re.compile(r"\b(?:va a haber|van a (?:venir|estar|hacer|llegar|haber)|will be|are going to|gonna be|"
                     r"is going to|tomorrow|pasado manana|la proxima semana|next week|planean|planning|"
                     r"manana (?:va|van|hay|habra|vienen|llegan)|"
                     r"a partir (?:del?|de la) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|"
                     r"proxim[oa]|semana)|starting (?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|"
                     r"sunday|tomorrow|next))\b|^\W*manana\b")
# a chain message ("REENVIADO: …, pásalo a todos tus contactos", "Forwarded: …, share with everyone you know") is
# a warning passed along, not a sighting: nobody in it says they saw anything
_CHAIN_MSG = re.compile(
    r"\b(?:reenviado|reenviar a|reenvialo|reenvien|pasalo|pasenlo|compartelo|compartanlo|comparte esto|"
    r"compartan esto|a todos tus contactos|a todos sus contactos|a todos los contactos|forwarded|fwd|"
    r"pass (?:it|this) on|share (?:this|it) with|send (?:this|it) to (?:all|everyone)|"
    r"to all your contacts|copy and paste|copia y pega)\b|^\W*fwd?\b")
# "hay 2 carros negros afuera…, dicen que son federales": the hearsay is only who they are; the scene itself is
# stated as present ("hay", "there are") by the writer
_IDENTITY_HEARSAY = re.compile(
    r"\b(?:dicen|dijeron|me dijeron|people say|they say|someone said|supuestamente|supposedly|apparently)\s+"
    r"(?:que\s+|q\s+)?(?:son|eran|es|era|they'?re|they are|they were|it'?s|its|it was)\b")
_PRESENT_SCENE = re.compile(r"\b(?:hay|there(?:'s| is| are)|theres)\s+(?:\w+\s+){0,3}?(?:\d+|dos|tres|cuatro|cinco|"
                            r"two|three|four|five|un|una|an?)\s+")
_MEDIA = re.compile(r"\b(?:vi|vimos|saw|i saw|we saw|seen)\s+(?:en|on|in)\s+(?:las noticias|el noticiero|the news|"
                    r"facebook|fb|tiktok|instagram|twitter|x|un video|a video|el grupo|the group|whatsapp|reddit)\b"
                    r"|\b(?:vi|vimos|saw|seen|read|lei)\s+(?:the|el|la|un|una|a|this|that|your|su|tu|ese|esa)\s+"
                    r"(?:post|publicacion|mensaje|message|video|alerta|alert|aviso|news|noticia)\b")
_NEGATED = re.compile(
    r"\b(?:no hay (?:nada|migra|ice|agentes|nadie)|ya no hay|"
    r"no (?:vi|vimos) (?:nada|a nadie|(?:la )?migra|ice|agentes)|"
    r"no es (?:cierto|verdad)|"
    r"there(?:'s| is| are)? no (?:ice|agents|one)|there's nothing|no ice|not ice|wasn't ice|weren't ice|"
    r"no (?:era|eran|es|son|fue) (?:la )?migra|no (?:era|eran|es|son|fue) (?:de )?(?:ice|inmigracion)|"
    r"(?:wasn'?t|weren'?t|not) immigration|"
    r"falsa alarma|false alarm|es falso|fake|todo (?:esta )?tranquilo|all clear|nothing there|nada que reportar|"
    r"never mind|nevermind|olvidalo|ignore)\b"
)
# "a police checkpoint at Cermak and Kedzie, not ICE, just CPD": the writer denies the agency, not the scene; a
# police checkpoint or stop is still reported (markings ``police``)
_AGENCY_ONLY_DENIED = re.compile(r"\b(?:not ice|no ice|wasn'?t ice|weren'?t ice|not immigration|no (?:era|eran|es) "
                                 r"(?:la )?migra|no (?:era|eran|es) (?:de )?(?:ice|inmigracion)|"
                                 r"no (?:vi|vimos) (?:a )?(?:la )?(?:migra|ice|inmigracion)|"
                                 r"(?:didn'?t|did not) see (?:any )?(?:ice|immigration))\b")
_FULL_DENIAL = re.compile(r"\b(?:falsa alarma|false alarm|es falso|fake|todo (?:esta )?tranquilo|all clear|"
                          r"nothing there|nada que reportar|never mind|nevermind|olvidalo|ignore|no hay nada|"
                          r"there'?s nothing|no one|nadie|just (?:comed|peoples gas|a tow|the gas)|era (?:la|una|un) "
                          r"(?:troca|camioneta|carro) de)\b")
_POLICE_SCENE = re.compile(r"\b(?:police|policia|cpd|cops?)\s+(?:\w+\s+){0,2}?(?:checkpoint|reten|roadblock|"
                           r"stop|stopping|parando|checking|checando|revisando|doing)|\b(?:checkpoint|reten|"
                           r"roadblock)\b[^.?!]{0,60}\b(?:police|policia|cpd|cops?)\b")
_POLICE_AFFIRMED = re.compile(r"\b(?:eran|era|son|es|fueron|were|was|it'?s|its|just|puro|puros|pura|solo)\s+"
                              r"(?:la |los |unos |the |some )?(?:policias?|police|cops|cpd|patrullas|sheriffs?)\b")
_SENT_SPLIT = re.compile(r"(?<=[.!?\n])|(?=[¿¡])")

# when --------------------------------------------------------------------------------------------------------
_MIN_AGO = re.compile(
    r"\bhace\s+(?:como\s+|unos\s+|aprox\.?\s+|ya\s+|mas\s+de\s+|menos\s+de\s+|like\s+|about\s+|around\s+)?"
    r"(\S+)\s*(?:min|mins|minutos?|minutitos?)\b"
    r"|\b(?:like\s+|about\s+|around\s+|maybe\s+)?(\S+)\s*(?:min|mins|minutes?)\s+ago\b"
)
_HOUR_AGO = re.compile(
    r"\bhace\s+(?:como\s+|unas?\s+|ya\s+|mas\s+de\s+)?(\S+)\s*(?:horas?|horitas?|hrs?|h)(\s+y\s+media)?\b"
    r"|\b(?:like\s+|about\s+|around\s+)?(\S+)\s+(?:hours?|hrs?)(\s+and\s+a\s+half)?\s+ago\b"
)
# "around 5 agents" is a count, not five o'clock
_NOT_A_COUNT = (r"(?!\d|\s*(?:agentes?|agents?|officers?|oficiales|guys|men|hombres|tipos|dudes|cars?|trucks?|vans?|"
                r"suvs?|camionetas?|trocas?|carros?|patrullas?|de ellos|of them|minutes?|mins?|minutos|hours?|horas|"
                r"hrs?|cuadras|blocks|st|th|nd|rd|y|and|&)\b)")
_WHEN_CUES: list[tuple[str, str, int]] = [
    # (pattern, bucket, strength) — strength 3 is reserved for explicit minutes/hours
    (r"\b(?:ahorita|orita|horita|ahoritita|ahoritica|atm|at the moment|ahora mismo|en este momento|"
     r"en estos momentos|right now|rn|as we speak|currently|"
     r"happening now|todavia (?:estan|siguen|andan|hay)|siguen (?:ahi|alli|aqui|ahorita|alla|en)|ahi siguen|aun estan|"
     r"still going|still (?:parked|sitting|waiting|standing|circling)|siguen ahi|siguen parad[oa]s|"
     r"siguen? estacionad[oa]s?|sigue (?:ahi|alli|aqui|alla|parad[oa]|estacionad[oa]|en)|"
     r"ya van (?:rato|un rato|\w+ (?:horas?|hrs?|minutos|mins?))|"
     r"(?<!is it )(?<!are they )(?<!is he )(?<!is she )(?<!are there )(?<!is there )"
     r"still (?:there|here|at|on|outside)|are still|is still|en vivo|y siguen|"
     r"ya llevan (?:rato|un rato|\w+ \w+)|llevan? (?:ahi|alli|alla) (?:ya )?(?:rato|un rato|media hora|una hora|"
     r"(?:como |unos |mas de )?\w+ (?:horas?|hrs?|minutos|mins?)))\b", "now", 4),
    (r"\b(?:ahora|now)\b", "now", 1),
    (r"\b(?:hace un momento|hace un momentito|hace poquito|hace unos minutos|"
     r"hace pocos minutos|a few min(?:ute)?s? ago|few min(?:ute)?s? ago|minutes ago|just now|"
     r"a moment ago|moments ago|un cuarto de hora|15 min)\b", "15m", 2),
    (r"\b(?:hace (?:una |como |casi )?media hora|half an hour ago|half hour ago|hace un rato|hace rato|a while ago|"
     r"hace (?:un )?ratito|"
     r"hace (?:como |casi )?una hora|an hour ago|(?:like |about )?1 hour ago|in the last hour|"
     r"la ultima hora|hace 1 hora)\b", "1h", 2),
    (r"\b(?:hace (?:como |casi |mas de )?(?:una )?hora y media|"
     r"esta manana|en la manana|hoy en la manana|hoy temprano|this morning|earlier today|this afternoon|"
     r"esta tarde|en la tarde|esta madrugada|en la madrugada|this am|earlier|mas temprano|temprano|hoy|today|"
     r"tonight|esta noche|"
     r"around noon|at noon|al mediodia|a mediodia|(?:al|a|de) medio dia|a eso de las? \d{1,2}|"
     r"\d{1,2}(?::\d\d)? (?:de la manana|de la tarde|de la madrugada|in the morning|in the afternoon)|"
     r"about \d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m|p\.m)|"
     r"(?:a las|alas|at|around|como a las|como alas|at like|at about|at around)\s+\d{1,2}(?::\d\d)?" + _NOT_A_COUNT +
     r"\s*(?:am|pm|a\.m|p\.m|de la manana|de la tarde)?)\b", "today", 2),
]
_WHEN_RES = [(re.compile(p), b, s) for p, b, s in _WHEN_CUES]
_CALL_TIME = re.compile(r"\b(?:called|call|texted|messaged|llamo|llamaron|marco|hablo|escribio|mando|sent)\b"
                        r"(?:\s+\w+){0,2}\s*$")
# "desde hace 20 min", "since this morning", "desde las 6": the start of a span, not the time of the sighting. The
# labelling rules leave a span without an explicit "still"/"siguen" empty, so such a cue is skipped.
_SPAN_START = re.compile(r"\b(?:desde|since|from)\s+(?:like\s+|about\s+|around\s+|como\s+|eso de\s+|early\s+|"
                         r"late\s+|muy\s+)?$")
# "started 20 min ago", "hace 20 minutos q empezaron": when something still going began (labelling rules, eval5
# section: without an explicit "still" it is left empty, like "desde hace 20 min")
_STARTED_BEFORE = re.compile(r"\b(?:started|began|start|empezo|empezaron|comenzo|comenzaron|inicio|iniciaron)"
                             r"(?:\s+(?:like|about|around|como|unos|maybe|half|a))*\s*$")
_STARTED_AFTER = re.compile(r"\s*(?:ago\s+)?(?:q|que|since|when|cuando)\s+(?:they\s+|it\s+)?(?:empezaron|empezo|"
                            r"comenzaron|comenzo|iniciaron|inicio|started|began|se pusieron)\b")
_NOT_TODAY = re.compile(r"\b(?:ayer|anoche|antier|yesterday|last night|last week|la semana pasada)\b")

# activity ----------------------------------------------------------------------------------------------------
# Cues are grouped by what they say. An *action* (a checkpoint, knocking, a traffic stop, an arrest) says what the
# agents were doing and wins; vehicles seen parked or driving with nobody acting win over the *site* they were at
# (a school, a house, a store: "only vehicles seen, even parked outside a school"); a site wins over a bare street.
_ACT_CHECKPOINT = (r"\b(?:reten|retenes|checkpoints?|check point|punto de control|puesto de control|"
                   r"(?:revisando|checando|chequeando) (?:a )?(?:todos )?(?:los )?(?:carros|coches|autos)|"
                   r"checking (?:everyone|every|all|cars)|parando (?:a )?tod[oa]s|"
                   r"stopping (?:all|every|everyone|each)|stopping cars(?! of)|uno por uno|one by one|"
                   r"(?:todos|cada) (?:los )?(?:carros|coches|autos)|every (?:car|vehicle)|"
                   r"parando (?:a )?(?:los |varios |muchos )?(?:carros|coches|autos)(?! de)|"
                   r"blocked off (?:the )?(?:street|road|intersection)|roadblock|road block|bloqueo|"
                   r"bloquearon la calle|blocking (?:off )?(?:the )?(?:road|street|intersection)|"
                   r"bloqueando (?:la )?(?:calle|avenida|interseccion|[a-z]+ y [a-z0-9]+)|"
                   r"blocking (?:off )?[a-z0-9]+ (?:at|and|&|n|y) [a-z0-9]+|"
                   r"cerraron la calle)\b")
# driving licences checked: cars are being stopped, a checkpoint on a street (at a station, a bus or a store the site
# says more)
_ACT_CHECK_WEAK = (r"\b(?:(?:revisando|checando|chequeando|pidiendo|revisaban|pedian|revisan|piden|pidieron) "
                   r"(?:a la gente )?(?:los |las |sus |la )?licencias?|"
                   r"(?:checking|asking for|asking (?:people|ppl|everyone) for|demanding) (?:people'?s |ppl'?s |"
                   r"everyone'?s |drivers'? )?licen[cs]es?|licen[cs]e checks?)\b")
# people asked for papers or IDs (not licences): people stopped where they stand — the street, unless a site says more
# (a station, a bus, a store); "pidiendo papeles" alone names no checkpoint (labelling rules: only reten /
# checkpoint / roadblock / every car)
_ASK_PAPERS = (r"(?:(?:revisando|checando|chequeando) a (?:la gente|todos|las personas)|"
               r"(?:revisando|checando|chequeando|pidiendo|pidiendole|pidiendoles|revisaban|pedian|revisan|piden|"
               r"preguntando|preguntandole|preguntandoles) (?:a la gente |a las personas |a todos )?(?:x |por )?"
               r"(?:los |las |sus )?(?:papeles|documentos|identificacion|ids?|mica)|"
               r"(?:checking|asking for|asking (?:people|ppl|everyone|folks) for|demanding) (?:people'?s |ppl'?s |"
               r"everyone'?s |everybody'?s )?(?:ids?|papers|documents|identification))")
# "at the door" is a home only when no other site is named ("4 agents at the door of the shelter")
_AT_THE_DOOR = (r"\b(?:(?:at|outside|in front of) the (?:front )?door|(?:en|a|afuera de|frente a) la puerta|"
                r"(?:the|a) (?:back|front|side) door|la puerta (?:de atras|trasera))\b")
_ACT_HOME = (r"\b(?:tocando (?:la |las |mi |su |nuestra )?puertas?|"
             r"esperando (?:a )?(?:que|q) (?:saliera|salga|salgan|salieran|abriera|abra)|"
             r"waiting for (?:someone|somebody|him|her|them) to (?:come out|open)|"
             r"tocaron (?:la |mi |su |las )?puertas?|tocan (?:la )?puerta|"
             r"(?:tocaron|tocando|tocan|tocaban) (?:bien |muy )?(?:fuerte|duro|recio|a la puerta)|"
             r"knock(?:ing|ed)?(?: on)?(?: the| my| our| their| people'?s)? doors?|knocking|knocked|knocks|"
             r"door to door|(?:tocando|tocaron|tocan|tocaban|toco) el timbre|"
             r"ring(?:ing|ed|s)? (?:the |my |our |their )?(?:door ?bells?|bells?)|doorbells?|"
             r"(?:tocaron|tocando|tocan|tocaban|toco) (?:en|a) (?:la|una|su|mi|las|unas|el|un) "
             r"(?:casa|casas|puerta|puertas|depa|edificio|departamento|apartamento)|"
             r"tocando (?:en |a )?(?:los |las )?(?:edificios|casas|departamentos|apartamentos|depas)|"
             r"(?:bang|pound)(?:ed|ing|s)? on (?:the |my |our |their |people'?s )?(?:door|doors|windows?)|"
             r"golpe(?:ando|aron|an) (?:la |las |mi |su )?puertas?|"
             r"puerta por puerta|casa por casa|entraron a (?:la|una|su|mi) casa|"
             r"went into (?:a|the|their) (?:house|home)|"
             r"sacando a (?:la )?gente de(?:l| la| su| una)? (?:edificio|casa|depa|departamento)|"
             r"(?:at|outside|in front of) (?:my|our|their|his|her) (?:front )?door|"
             r"(?:en|a|afuera de|frente a) (?:mi|su|nuestra) puerta|"
             r"(?:sacaron|sacando|se llevaron) a (?:una|la|toda la|su) familia|"
             r"(?:took|taking|pulled) (?:a|the|their|his|her) (?:whole )?family|rodearon (?:la|una|mi|su) casa|"
             r"rodeo (?:la|una|mi|su) casa|surrounded (?:a|the|my|their) (?:house|home|building))\b")
_ACT_STREET = (r"\b(?:parada de (?:trafico|transito)|traffic stop|(?:me|nos|lo|la|los|le|les) (?:acaban de |acaba de )?"
               r"(?:pararon|paro|parar|detuvieron)|(?:pulled|stopped) (?:me|us)(?: over)?|"
               r"pulled (?:over|someone over|a \w+ over|him over|her over|them over)|"
               r"pararon (?:a|un|una)|paro (?:a|un|una)|(?:acaban|acaba|acababan|acababa) de parar a|"
               r"pulled up on|stopped a|stopped (?:him|her|them)|parando (?:a )?(?:los )?carros|"
               r"stopping cars|(?:got|was|were|been|get|gets|getting) (?:pulled over|pulled|stopped)|"
               r"(?:pull(?:ed|ing|s)?|tak(?:e|es|ing)|drag(?:ged|ging|s)?|yank(?:ed|ing|s)?) "
               r"(?:people|someone|a \w+|him|her|them|two \w+|the \w+) (?:out of|from) "
               r"(?:a|an|the|their|his|her) (?:[\w-]+ ){0,2}(?:truck|car|van|vehicle|pickup|suv)(?! ?wash)|"
               r"took (?:people|someone|a \w+|him|her|them|two \w+|the \w+) (?:out of|from) "
               r"(?:a|an|the|their|his|her) (?:[\w-]+ ){0,2}(?:truck|car|van|vehicle|pickup|suv)(?! ?wash)|"
               r"(?:bajaron|sacaron|bajando|sacando) (?:a )?(?:al|los|las|la|el|un|una|unos) (?:\w+ )?"
               r"(?:del|de la|de su|de sus) "
               r"(?:carro|troca|camioneta|coche|auto)|bajaron al (?:chofer|conductor))\b")
_WEAK_STREET = (r"\b(?:" + _ASK_PAPERS + r"|stopping (?:people|ppl|folks|everyone|guys|men|drivers|pedestrians)|"
                r"parando (?:a )?(?:la )?gente|parando a (?:los )?(?:senores|hombres|muchachos|chavos)|"
                r"parando a (?:las )?personas|"
                r"asking (?:people|ppl|folks|everyone|for|about)|preguntando(?:le|les)? (?:por|a|x)|"
                r"(?:going|walking|coming) up to (?:people|ppl|folks|everyone|cars|drivers)|"
                r"(?:approaching|acercandose a) (?:people|ppl|folks|la gente|las personas)|"
                r"(?:talking to|hablando con|questioning|interrogando) (?:a|an|un|una|some|two|dos|unos|unas) \w+|"
                r"(?<!nomas )(?<!nada mas )(?<!just )(?<!only )"
                r"(?:parad[oa]s|standing|waiting|esperando|caminando|walking|a pie|on foot)\b"
                r"(?![^.;!?]{0,40}\b(?:nomas|nada mas|just|only) (?:viendo|mirando|watching|looking|parad|standing))"
                r"[^.,;!?]{0,25}?"
                r"\b(?:esquina|corner|banqueta|sidewalk|acera|la calle|the street))\b")
_SITE_HOME = (r"\b(?:(?:en|a|afuera de|frente a|enfrente de) (?:mi|su|una|la|nuestra) casa|"
              r"my house|our house|their house|a house|his house|her house|neighbou?r'?s (?:house|home)|"
              r"casa de (?:mi|un|una|la) vecin[oa]|my (?:building'?s?|apartment)|mi (?:edificio|departamento|"
              r"apartamento|depa)|(?:el|un) edificio|edificio|apartments?|their home|a home|residencia|porch|"
              r"casa|casas|house|houses|hogar|depa|depas|departamentos?|apartamentos?|apt|condos?|basement|sotano|"
              r"traila|trailer|duplex|vivienda|yarda|patio|backyard|front yard|(?:the|a|an|his|her|their) building|"
              r"apartment building|townhouse|(?:2|3|4|two|three|four)-? ?flats?|greystone|bungalow|"
              r"(?:my|his|her|their|our|your) (?:mom|mother|dad|father|grandma|grandpa|"
              r"aunt|uncle|cousin|sister|brother|neighbou?r|friend|parents|in-laws)'s(?! (?:car|truck|van|job|work|"
              r"school|store|shop|restaurant|business)))\b")
# a group of workers approached is a workplace even on a house (a landscaping crew) or at a store (day labourers)
_WORKERS = (r"\b(?:jornaleros|day ?labou?r(?:ers?)?|workers|trabajadores|empleados|employees|crew|cuadrilla|roofers|"
            r"landscapers|painters|pintores|albaniles|techeros|jardineros|gardeners|contractors|"
            r"(?:esperan|esperaban|esperando|buscan|buscando|looking for|waiting for) (?:trabajo|work|chamba|jale)|"
            r"working (?:on|at) (?:a|the)|trabajando en (?:una|la|el|un)|(?:a )?(?:los|las) (?:q|que) trabajan|"
            r"(?:people|guys|those|the ones|men|folks) (?:who|that) work(?:s|ed)? (?:there|at|in)|staff|"
            r"(?:guys|men|people|workers|hombres|senores|muchachos|chavos) (?:unloading|loading|stocking|"
            r"descargando|cargando))\b")
# one worker taken where they work ("se llevaron al carnicero", "the cashier"): a workplace when a site is named
_WORKER_ONE = (r"\b(?:(?:who|that|que) (?:works?|trabaja|trabajan|trabajaba) (?:there|ahi|alli|aqui|here)|"
               r"(?:my|his|her|their|mi|su|sus|a mi|a su) (?:coworkers?|co-workers?|companer[oa]s? de trabajo)|"
               r"(?:al|el|la|a la|the|a|an|un|una) (?:carnicero|panadero|cajer[oa]|meser[oa]|cociner[oa]|"
               r"dependiente|encargad[oa]|mecanico|butcher|cashier|cook|waiter|waitress|mechanic|clerk|baker|owner|"
               r"dueno|duena|manager|gerente)\b"
               r"(?! (?:county|st|street|ave))|"
               r"(?:carniceros|panaderos|cajer[oa]s|meser[oa]s|cociner[oa]s|butchers|cashiers|cooks|waiters|clerks))\b")
_VENDOR = re.compile(r"\b(?:vendors?|vendedor(?:es|a|as)?|sellers?)\b")
_RAID = r"\b(?:raid|raided|raiding|redadas?|operativo)\b"
_SITE_WORK = (r"\b(?:(?:en|afuera de|frente a|cerca de|outside|at|near|a) (?:mi |el |su |my |the |his |her )?"
              r"(?:trabajo|work)|(?:el|al) trabajo de|trabaja en|(?:a |en )?donde (?:trabajo|trabaja|trabajan|"
              r"trabajamos)|where (?:i|he|she|they|we|my \w+) works?|workplace|work ?site|job ?site|fabrica|factory|"
              r"warehouse|bodega|almacen|restaurante?|restaurants|car ?wash|carwash|lavado de carros|obra|"
              r"construction(?: site)?|construccion|taller|empresa|planta|plant|empacadora|packing|home depot|lowes|"
              r"lowe's|chamba|"
              r"my job|(?:his|her|their|su|sus) (?:job|trabajo|work)|"
              r"oficina(?! (?:de|del) (?:seguro|correos?|la ciudad|inmigracion|migracion|ice))|negocio|business|shop|"
              r"panaderia|bakery|taqueria|cocina|kitchen|farm|rancho|company|compania|companía|fonda|loncheria|"
              r"birrieria|tamaleria|pupuseria|marisqueria|"
              r"landscaping|jornaleros|day laborers|workers|trabajadores|empleados|employees|cocineros|cooks|"
              r"cashiers|cajer[oa]s|vendors|vendedores|meseros|waiters|lavadores|lavaplatos|dishwashers|"
              r"roofers?|roofing|techeros?|on a job|on the job|en una obra|lavad[oa] de carros|"
              r"booth to booth|puesto por puesto)\b")
_SITE_OTHER = (r"\b(?:escuela|school|academy|high school|elementary|primaria|secundaria|prepa|preparatoria|kinder|"
               r"daycare|guarderia|iglesia|church|parroquia|parish|hospital|clinica|clinic|corte|court|courthouse|"
               r"(?:el|un|al|del|the|a) (?:parque|park)\b|biblioteca|library|consulado|consulate|albergue|shelter|"
               r"cta|metra|train|tren|estacion|station|(?:blue|red|pink|orange|green|brown) line|"
               r"(?:el|al) camion(?! stop)|the bus(?! stop)|(?:the|el|la|en el) \d{1,2} (?:bus|camion)|"
               r"camion \d{1,2}|(?<!parada del )(?<!parada de )camion (?:de la|del) \d{1,3}\b|bus (?:route|driver)|"
               r"hs|\d{1,3}(?: [a-z]+){1,2} (?:bus|camion)(?! stop)|"
               r"(?:on|onto|in|en|inside|dentro del|arriba del|subieron al) (?:the|a|el|un) (?:[a-z]+ ){0,2}"
               r"(?:bus|camion)(?! stop)|"
               r"health (?:center|clinic)|medical (?:center|office)|centro (?:de salud|medico)|urgent care|"
               r"emergency room|the er|sala de emergencias?|emergencias|farmacia|pharmacy|dentista|dentist|"
               r"doctor'?s office|consultorio|"
               r"estudiantes|students|alumnos|maestr[oa]s|teachers|parents|padres de familia|school pick ?up|"
               r"autobus|un camion de la cta|greyhound|megabus|amtrak|union station|bus station|"
               r"terminal de (?:autobuses|camiones)|central camionera|airport|aeropuerto|o'?hare|"
               # "Kelly High", "Curie HS": a school named by its name and "high"
               r"(?<=[a-z] )(?<!\bso )(?<!\bvery )(?<!\btoo )(?<!\bhow )(?<!\bis )(?<!\bare )(?<!\bwas )high"
               r"(?! (?:st|street|ave|rate|speed|alert|beams?|lights?)\b)|"
               r"universidad|university|college|campus|colegio comunitario|"
               r"platform|anden|turnstiles?|torniquetes?|(?:la )?linea (?:azul|rosa|verde|naranja|roja|cafe|morada)|"
               r"dmv|secretary of state|social security|seguro social|post office|oficina de correos|city hall|"
               r"check[- ]?ins?|(?:su|la|a su|their|his|her) cita (?:de|con|en) (?:ice|migracion|inmigracion)|"
               r"ice (?:office|field office)|oficina de (?:ice|migracion|inmigracion)|"
               r"public aid|(?:la )?alcaldia|ayuntamiento|jail|carcel|detention center|centro de detencion)\b")
_SITE_STORE = (r"\b(?:mariano'?s|pete'?s (?:fresh )?market|la chiquita|fresh market|food 4 less|save a lot|"
               r"family dollar|7-?eleven|menards|best buy|burlington|meijer|sam'?s club|autozone|"
               r"(?:the|el|la) [a-z]+'s(?! (?:house|home|car|casa|door|apartment|apt|place|job|work|building|"
               r"family|kids?|son|daughter))|"
               r"gasolinera|gas station|tienda|tiendita|store|mercado|market|marqueta|supermercado|supermarket|grocery|"
               r"groceries|swap|flea market|pulga|tianguis|mall|plaza comercial|shopping|"
               r"walmart|target|jewel|aldi|costco|walgreens|cvs|dollar (?:store|tree|general)|"
               r"estacionamiento|parking lot|lavanderia|laundromat|carniceria|tortilleria|meat market|butcher shop|"
               r"deli|botanica|salon|barberia|barbershop|dry ?cleaners?|tintoreria|hotel|motel|clientes|customers|"
               r"shoppers|"
               r"compradores|dunkin'?s?|mcdonald'?s|starbucks|subway|wendy'?s|burger king|taco bell|popeyes|kfc|"
               r"chipotle|dollar store)\b")
_ACT_VEHICLES = (r"\b(?:parked|estacionad[oa]s|estacionad[oa]|dando vueltas|circulando|circling|driving around|"
                 r"patrolling|patrullando|circling|drove by|driving by|passing by|pasaron|rondando|convoy|caravana|"
                 r"(?:yendo|iban|van|iba|va) (?:pa|para|hacia|rumbo a)l? (?:el |la )?(?:norte|sur|este|oeste)|"
                 r"(?:heading|going|driving|headed) (?:north|south|east|west)|(?:north|south|east|west)bound|"
                 r"rumbo al? (?:norte|sur|este|oeste)|paso (?:una|un|dos|tres|\d+) (?:\w+ )?"
                 r"(?:troca|camioneta|van|carro|suv|patrulla|trocas|camionetas|vans|carros|suvs)|"
                 r"formad[oa]s|alinead[oa]s|en fila|lined up|in a (?:line|row)|idling|stationed|apostad[oa]s|"
                 r"solo (?:vi )?(?:las |los |unas |unos )?(?:camionetas|carros|trocas|vans)|"
                 r"(?:only|just) (?:saw )?(?:the )?(?:trucks|vans|cars|suvs|vehicles)|"
                 r"(?:nomas|nada mas|puras?) (?:las |los )?(?:camionetas|carros|trocas|vans|patrullas))\b")
_SITE_STREET = (r"\b(?:en la calle|on the street|in the street|la calle|banqueta|sidewalk|acera|alley|callejon|"
                r"(?:en|at) (?:el|un|the|a) (?:semaforo|(?:red |stop |traffic )?light|stop sign|alto)|"
                r"parada del (?:bus|camion)|bus stop|la parada|parada de(?:l)? (?:autobus|bus|camion)|la bus stop|"
                r"esperaba(?:n)? el (?:camion|bus)|esperando el (?:camion|bus)|waiting for (?:the |a )?bus|"
                r"persiguiendo|chasing|ran after|corrieron tras|preguntando (?:por|a)|asking (?:people|for|about)|"
                r"(?:caminando|walking)\b[^.,;]{0,40}\b(?:por|x|on|down|along) (?:la |el |the )?\w+)")
_ACTIVITY_CUES: list[tuple[str, str]] = [
    ("checkpoint", _ACT_CHECKPOINT), ("home", _ACT_HOME), ("street", _ACT_STREET), ("home", _SITE_HOME),
    ("workplace", _SITE_WORK), ("other", _SITE_OTHER), ("vehicles", _ACT_VEHICLES), ("street", _SITE_STREET),
    ("checkpoint", _ACT_CHECK_WEAK), ("street", _WEAK_STREET), ("workplace", _WORKERS), ("other", _SITE_STORE),
    ("workplace", _WORKER_ONE), ("home", _AT_THE_DOOR),
]
_ACTIVITY_RES = [(a, re.compile(p)) for a, p in _ACTIVITY_CUES]
(_RX_CHECKPOINT, _RX_ACT_HOME, _RX_ACT_STREET, _RX_HOME, _RX_WORK, _RX_OTHER, _RX_VEHICLES, _RX_STREET,
 _RX_CHECK_WEAK, _RX_WEAK_STREET, _RX_WORKERS, _RX_STORE, _RX_WORKER_ONE, _RX_AT_DOOR) = (
    rx for _, rx in _ACTIVITY_RES)
_RX_RAID = re.compile(_RAID)
_PARK = re.compile(r"\b(?:parque|park)\b(?! (?:district|ridge|manor|forest|view|ave|avenue|blvd|st|street|dr))")
_RX_OTHER_NOT_PARK = re.compile(_SITE_OTHER.replace(r"(?:el|un|al|del|the|a) (?:parque|park)\b|", ""))
# a site the writer was going to, or only near, is not where the agents were
_NOT_THE_SITE = re.compile(r"(?:\b(?:yo )?(?:estaba|estabamos|i was|we were)\s+(?:en|at|in)|"
                           r"\b(?:deje|dejar|dejando|dejamos|dropped|dropping|drop|left|leaving|sali|salimos|saliendo|"
                           r"coming|came back|regresando|regresaba|volviendo|volvia|venia|veniamos|viniendo|"
                           r"(?<!got )(?<!get )(?<!gets )(?<!was )(?<!were )(?<!been )pick(?:ed|ing)?"
                           r"(?! up (?:guys|people|men|workers|him|her|them|someone|somebody|a guy|a man|a woman|"
                           r"two|three|\d)))\b[^.,;]{0,25}\b(?:en|at|from|de|del|off|up)|"
                           r"\b(?:esperaba|esperaban|esperando|waiting for)|"
                           r"\b(?:walking|going|way|heading|headed|camino|rumbo|iba|ibamos|voy|vamos|llevaba|"
                           r"caminando|yendo|iban|corriendo|running|vayan|vaya|ir|go|avoid|eviten|evitar|salgan|"
                           r"llevando|taking|mando|mandaron|sent|me fui|nos fuimos|regrese|regresamos|volvi|"
                           r"volvimos|corri|corrimos)\b"
                           r"[^.,;]{0,25}\b(?:to|a|al|hacia|pa|para)|\b(?:cerca|near|by|around|"
                           r"esquina|corner)\s+(?:de|del|of)?|\b(?:por|x))\s+(?:the |la |el |my |mi |his |her |"
                           r"their |su |mis |my kids'? |los |las )?(?:\d+(?:st|nd|rd|th)? (?:st |street )?)?$")
# "at the bus stop by Curie high school": a named site the scene was only near
_NEAR_NAMED = re.compile(r"\b(?:cerca|near|by|around|next to|junto a|across from)\s+(?:de |del |of |to )?"
                         r"(?:the |la |el )?(?:(?!at |en |in |on |and |y )[a-z]+ ){1,2}$")
_ACTED = re.compile(
    r"\b(?:se (?:los |las |lo |la )?llevaron|se (?:lo |la )?llevo|detuvieron|detuvo|detienen|deteniendo|arrest\w*|"
    r"agarraron|agarro|agarrando|levantaron|esposad[oa]s?|esposaron|esposando|"
    r"took (?:\d+|a|an|two|three|four|some|him|her|them|"
    r"my|our|people|someone|somebody|the|\w+ of)|taking (?:people|someone|him|her|them)|grabb\w+|detain\w*|"
    r"cuffed|handcuff\w*|sacando|sac(?:aron|o) a|pulled over|pararon|stopped (?:a|an|him|her|them|someone|people)|"
    r"stopping (?:people|someone)|parando (?:a )?(?:la )?gente|pidiendo (?:papeles|documentos|identificacion)|"
    r"asking (?:for|people)|preguntando|questioning|revisando a|checando a|"
    r"checking (?:people|everyone|ids)|interrogando|chasing|persiguiendo|knock\w*|tocando|"
    r"entraron|raid|redada|rodearon|rodeo|surrounded|talking to|hablando con|blocking|bloqueando|subieron a|"
    r"subio a|llevandose|metieron a|put (?:him|her|them|a \w+|\w+ (?:guys|men|people|workers|of them)) in|"
    r"brought (?:a|an|him|her|them|someone)|(?:fueron|vinieron|came|went) (?:a buscar|looking for)|"
    r"buscando a (?:alguien|un|una|su|sus)|"
    r"taking (?:a|an|the|two)|take (?:a|an|the|him|her|them)|holding|sujetando|en el (?:piso|suelo)|"
    r"on the ground|contra la pared|against the (?:wall|car)|in cuffs|tenian a|tienen a|had (?:a|an|some) "
    r"(?:guy|man|woman|kid|lady|muchacho))\b")
_DETENTION = re.compile(
    r"\b(?:se (?:los |las |lo |la )?llevaron|se (?:lo |la )?llevo|detuvieron|detuvo|arrest\w*|agarraron|agarro|"
    r"agarrando|agarrar|agarran|detener|deteniendo|llevarse|subiendo (?:a )?(?:gente|personas|people)|"
    r"levantaron|sac(?:aron|o) a (?:un|una|unos|unas|los|las|la|el|dos|tres|mi|su)|esposad[oa]s?|esposaron|"
    r"grabb\w+|detain\w*|cuffed|handcuff\w*|"
    r"took (?:\d+|a|an|two|three|four|some|him|her|"
    r"them|my|our|people|someone|somebody|the)|taking (?:people|someone|him|her|them|a|an|the|two)|"
    r"take (?:a|an|the|him|her|them)|subieron a|subio a|llevandose|metieron a|put (?:him|her|them|a \w+) in|"
    r"picked up (?:a|an|two|three|some|him|her|them|people|\d+|my|our|the|his|her)|"
    r"picking up (?:people|guys|men|workers|him|her|them)|"
    r"(?:with|con) (?:a|an|un|una) (?:\w+ )?(?:on the ground|en el (?:piso|suelo))|en el (?:piso|suelo)|"
    r"on the ground|contra (?:la|el|una|un|su) (?:pared|troca|carro|camioneta|patrulla|van|coche|reja)|"
    r"against (?:the|a|their|his) (?:wall|car|truck|van|fence)|in cuffs|(?:tenia|tenian|tienen|tiene) a (?:un|una)|"
    r"had (?:a|an|some) (?:guy|man|woman|kid|lady)|(?:held|holding|sujetando|sometiendo|pinned) (?:a|an|un|una|"
    r"him|her|down))\b")
_PERSON = (r"\b(?:agentes?|agents?|oficiales|oficial|officers?|hombres|men|guys?|tipos|senores|dudes|vatos|feds|"
           r"federales|policias?|cops?|uniformados|encapuchados|marshals?)\b")
_AGENCY = (r"\b(?:ice(?!\s*cream)|la migra|migras?|cbp|border patrol|patrulla fronteriza|immigration|inmigracion|"
           r"dhs|hsi|cpd|police)\b")
_INSIDE = re.compile(_PERSON + r"(?:\s+[\w']+){0,3}?\s+(?:adentro|dentro|inside|sitting in(?: it| them)?|in it)\b"
                     # "inmigración en la Foster y Pulaski en una van blanca", "feds in a gray van at …": the
                     # agency is named only as who rides in the vehicle
                     r"|(?:" + _PERSON + r"|" + _AGENCY + r")(?:\s+[\w'&]+){0,6}?\s+(?:en|in)\s+(?:un|una|a|an)\s+"
                     r"(?:[\w-]+\s+){0,2}?(?:camioneta|troca|van|suv|carro|car|truck|vehiculo|vehicle|suburban|tahoe|"
                     r"minivan|pickup)\b(?![^.,;!?]{0,30}\b(?:y|and) (?:se )?(?:bajaron|got out|jumped out))"
                     r"|" + r"\b(?:camionetas?|trocas?|vans?|suvs?|carros?|cars?|trucks?|vehiculos?|vehicles?|"
                     r"tahoes?|durangos?|suburbans?)\b[^.,;!?]{0,30}?\b(?:con|with)\s+(?:[\w']+\s+){0,2}?" + _PERSON)
_STAY_INSIDE = re.compile(r"\b(?:con gente (?:adentro|dentro)|"
                          r"with (?:people|someone|somebody) (?:inside|in (?:it|them))|"
                          r"no se bajan|no se bajaron|no se han bajado|nadie se (?:a |ha )?bajado|nadie se bajo|"
                          r"nobody got out|"
                          r"no one got out|no (?:agents?|officers?|guys|cops) (?:got|came|stepped) out|"
                          r"ningun agente se bajo|"
                          r"nobody(?:'s| has)? gotten out|haven'?t gotten out|didn'?t get out|stay(?:ed|ing)? inside|"
                          r"se quedan adentro|se quedaron adentro)\b")
_RIDING = re.compile(r"\b(?:anda|andan|andaban|riding|rolling)\b[^.,;!?]{0,30}?\b(?:en|in)\s+(?:\w+\s+){0,2}?"
                     r"(?:camionetas?|trocas?|vans?|suvs?|carros?|cars?|trucks?|vehiculos?|suburbans?|tahoes?|"
                     r"durangos?|explorers?|pickups?)\b")
_SITTING_IN = re.compile(r"\b(?:posted up|sitting|sentad[oa]s|waiting|esperando|watching|vigilando)\b[^.,;!?]{0,40}?"
                         r"\b(?:in|en|inside|dentro de)\s+(?:an?|un|una|the|la|el|su|their|sus)\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:camionetas?|trocas?|vans?|suvs?|carros?|cars?|trucks?|vehiculos?|tahoes?|durangos?|"
                         r"suburbans?|explorers?|pickups?)\b")

# markings ----------------------------------------------------------------------------------------------------
_MARKING_CUES: list[tuple[str, str]] = [
    ("ice", r"\b(?:ice(?!\s*cream)|i\.c\.e\.?|ero|hsi|inmigracion y aduanas)\b"),
    # the everyday names of immigration enforcement: "la migra", "migras", "inmigración", "immigration" (typos
    # included) — the product rule reads them as ICE; a named CBP or a negation still wins (see _markings)
    ("migra", r"\b(?:la migra|migras?|(?:in)?migraci?on|(?:in|i)?m+igra(?:s|c|t)i?on|immigration|imigration|"
              r"inmigrasion|los de ice)\b"),
    ("cbp", r"\b(?:cbp|border patrol|bordr patrol|border patrl|boa?rde?r ?patr?o?u?l\w*|patrulla fronteriza|"
            r"la border|bortac|"
            r"customs and border|proteccion fronteriza|uniformes? verdes?|green uniforms?|los verdes|"
            r"(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|como) verdes|(?:la|de la) fronteriza|"
            r"los de verde)\b"),
    ("police", r"\b(?:policias?|police|polis|la poli|cops?|cpd|sheriffs?|squad cars?|patrullas?(?! fronteriza)|"
               r"la chota|la jura|state troopers?|troopers?)\b(?! (?:lights?|sirens?|style|scanner|type)\b)"
               r"(?<!luces de policia)(?<!luces de police)(?<!torretas de policia)"),
    ("unmarked", r"\b(?:sin placas?|no (?:license )?plates?|without (?:license )?plates|unmarked|sin marcas?|"
                 r"sin logos?|sin identificacion|sin uniformes?|no uniforms?|without uniforms?|plain ?clothes|"
                 r"plainclothes|ropa de civil|ropa normal|de civil|vestidos de civil|civilian clothes|no markings|"
                 r"sin rotulos?|sin insignias?|no insignias?|no badges?|sin placa de identificacion|"
                 r"carros? particulares|personal cars?|regular cars?|no logos?|"
                 r"no (?:tenian|tenia|traian|traia|had|have) (?:logos?|placas?|marcas?|rotulos?|markings|plates))\b"),
    ("unknown", r"\b(?:no se (?:de )?(?:que|cual) (?:agencia|eran|corporacion)|no se si eran|no se quienes eran|"
                r"couldn'?t tell|can'?t tell|not sure (?:who|which|if they were|what agency)|"
                r"don'?t know (?:who|which agency|what agency)|no supe (?:quienes|de que)|"
                r"no pude ver (?:si|de que))\b"),
]
_MARKING_RES = [(m, re.compile(p)) for m, p in _MARKING_CUES]
_MARK_HEDGE_ANY = re.compile(r"\b(?:idk|i don'?t know|dont know|not sure|no se|nose|maybe|ni idea)\s+(?:if|whether|si)"
                             r"\s+(?:\w+\s+){0,2}(?:ice|migra|cbp|immigration|police|policia)\b")
_MARK_HEDGE = re.compile(r"\b(?:idk|i don'?t know|dont know|not sure|no se|nose|no estoy segur[oa]|maybe|quizas|"
                         r"tal vez|ni idea)\s+(?:if|whether|si)\s+(?:\w+\s+){0,2}$")
_COURT = re.compile(r"\b(?:corte|court|courthouse|juzgado|tribunal)\s+(?:de\s+)?(?:la\s+)?(?:inmigracion|migracion|"
                    r"immigration)|\b(?:immigration|inmigracion)\s+(?:court|courthouse|office|lawyer|attorney|"
                    r"abogad[oa])\b|\b(?:abogad[oa]|lawyer|attorney|oficina)\s+de\s+(?:inmigracion|migracion)")
# (the \b matters: "immigration officers" are agents, "the immigration office" is a place)
_MARK_HEARSAY = re.compile(r"\b(?:somebody|someone|people|they|alguien|la gente) (?:said|says|say|dijo|dice|dicen)"
                           r"(?: that)?(?: (?:theres|there'?s|there is|there are|it'?s|its|it was))?\s+(?:\w+\s+)?$|"
                           r"\b(?:dicen|dijeron|decian|me dijeron|i heard|heard)\s+(?:que\s+|q\s+|that\s+)?"
                           r"(?:hay|habia|theres|there'?s|there is|son|eran|era|es)?\s*(?:\w+\s+)?$")
# "cops arrested 2 guys …, heard they were handing them to ICE": an agency in a clause the writer only heard
_HEARD_CLAUSE = re.compile(r"\b(?:i heard|heard|escuche|oi|supuestamente|supposedly|apparently|dicen que|dicen q)"
                           r"\b[^.;!?]{0,45}$")
_MARK_NEG = re.compile(r"\b(?:no|not|n't|ni|nada de|tampoco|weren't|wasn't)\s+(?:\w+\s+){0,2}$")

# counts ----------------------------------------------------------------------------------------------------------
_COUNT_UNKNOWN = re.compile(
    r"\b(?:no se cuantos|no supe cuantos|no pude contar|no los conte|ni idea cuantos|sin contar|"
    r"(?:don'?t|do not|didn'?t) know how many|idk how many|couldn'?t count|didn'?t count|not sure how many|"
    r"no idea how many)\b(?:\s+(\w+))?(?:\s+(\w+))?"
)
_NO_VEHICLES = re.compile(
    r"\b(?:no (?:vi|habia|hay|tenian|traian|veo) (?:ningun |ninguna |ni un |ni una )?(?:carros?|camionetas?|"
    r"vehiculos?|trocas?|patrullas?)|no (?:cars|vehicles|trucks|vans)|without (?:cars|vehicles)|"
    r"sin (?:carros?|vehiculos?|camionetas?|trocas?)|ningun (?:carro|vehiculo)|ninguna camioneta|on foot|a pie|"
    r"caminando nada mas|walking only)\b"
)
_MORE_THAN = {"mas", "more", "over", "arriba", "+"}

# place -------------------------------------------------------------------------------------------------------------
_PREPS = {"en", "on", "at", "in", "por", "sobre", "near", "off", "along", "cerca", "frente", "enfrente", "afuera",
          "outside", "by", "around", "entre", "between", "esquina", "corner", "del", "al", "de", "to", "hacia",
          "toward", "towards", "across", "junto", "next", "behind", "atras", "detras", "alrededor", "down", "up", "x",
          "of"}
_ARTICLES = {"la", "el", "the", "calle", "avenida", "av", "ave", "los", "las"}
_DIRS = {"n", "s", "e", "w", "north", "south", "east", "west", "norte", "sur", "oeste", "este", "o"}
_TYPES = {"st", "street", "ave", "avenue", "av", "rd", "road", "blvd", "boulevard", "dr", "drive", "pkwy",
          "parkway", "pl", "place", "ct", "calle", "avenida", "hwy", "highway"}
_SEPS = {"y", "and", "&", "n", "x", "con", "/", "e", "@", "+", "at", "near", "by", "i"}
_STOP = {
    # function words
    "a", "al", "an", "and", "are", "as", "at", "be", "by", "como", "con", "de", "del", "el", "ella", "ellos", "en",
    "es", "esta", "estan", "este", "esto", "for", "from", "ha", "hay", "he", "i", "im", "in", "is", "it", "la", "las",
    "le", "les", "lo", "los", "me", "mi", "mis", "my", "no", "nos", "o", "of", "on", "or", "para", "pero", "por",
    "que", "se", "si", "sin", "so", "su", "sus", "the", "their", "them", "there", "theres", "they", "this", "to",
    "tu", "un", "una", "uno", "unos", "us", "was", "we", "were", "with", "y", "ya", "yo", "you", "your", "just",
    "hace", "ago", "now", "rn", "ahorita", "ahora", "today", "hoy", "right", "like", "about", "around", "near",
    "cerca", "frente", "afuera", "outside", "esquina", "corner", "block", "cuadra", "pm", "am", "minutos",
    "minutes", "mins", "min", "horas", "hours", "still", "todavia", "cuidado", "careful", "help", "ayuda", "please",
    "porfa", "favor", "abusados", "aguas", "ojo", "alert", "alerta", "urgent", "urgente", "guys", "y'all",
    "everyone", "todos", "gente", "people", "vi", "saw", "seen", "see", "vimos", "parked", "estacionados",
    "estacionadas", "pasando", "going", "went", "hacia", "toward", "towards", "manana", "morning", "tarde",
    "noche", "night", "afternoon", "then", "luego", "despues", "after", "before", "antes", "also", "tambien",
    "ahi", "alli", "here", "aqui", "aca", "lol", "omg", "wey", "guey", "bro", "fam", "pls", "plz",
    "desde", "hasta", "since", "until", "half", "media", "ayer", "yesterday", "tonight", "anoche", "last",
    "few", "some", "maybe", "quizas", "tal", "vez", "probably", "least", "menos",
    "orita", "horita", "ahoritita", "mismo", "atm", "asap", "aun",
}
_DOMAIN = re.compile(
    r"^(?:ice|cbp|dhs|hsi|ero|migra|border|patrol|agentes?|agents?|oficiales|officers?|feds?|federales|"
    r"chalecos?|vests?|placas?|plates?|camionetas?|trocas?|vans?|suvs?|carros?|cars?|trucks?|autos?|vehiculos?|"
    r"vehicles?|policias?|police|cops?|patrullas?|unmarked|uniformes?|uniforms?|armed|armados|masked|"
    r"encapuchados|tocando|knocking|reten|checkpoint|redada|raid|operativo|hombres|men|tipos|senores|personas|"
    r"black|negras?|negros?|white|blancas?|blancos?|dos|tres|cuatro|cinco|two|three|four|five|many|muchos|"
    r"varios|some|algunos|llegaron|arrived|detuvieron|arrested|took|llevaron|grabbed|hablando|talking|"
    r"corriendo|running|walking|caminando|casa|house|trabajo|work|escuela|school|iglesia|church|"
    r"tienda|store|calle|street|avenida|avenue|parada|stop|bus|everywhere|todas|partes|todo|lado|area|zona|"
    r"barrio|neighborhood|hood|colonia|vecindario|pasaron|dando|vueltas|rondando|circulando|driving|drove|"
    r"pulled|over|stopped|pararon|rato|ratito|momento|moment|while|minute|hour|hora|earlier|temprano|cta|tren|"
    r"train)$"
)
_GEO_PATH = Path(__file__).resolve().parent / "geodata" / "chicago.json"
_STREETS_PATH = _GEO_PATH.with_name("streets.json")


def _common_word(w: str) -> bool:
    """Street names that are also everyday words of a story ("Church", "School", "Van Buren"'s "van")."""
    return (w in _STOP or w in _DIRS or bool(_DOMAIN.match(w) or _VEHICLE_NOUNS.match(w) or _STRONG_AGENT.match(w)
            or _WEAK_PERSON.match(w) or _TIME_NOUNS.match(w) or _FILLER.match(w)) or _num(w) is not None
            or any(rx.search(w) for _, rx in _ACTIVITY_RES) or any(rx.search(w) for _, rx in _MARKING_RES))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], tuple[str, ...]]:
    """Street words and neighbourhood names from the gazetteer the place finder builds (bot/geodata/chicago.json),
    so lower-case stories ("47th y ashland", "en pilsen") are read without hand-typing Chicago's streets here.
    Read as plain JSON (no import of bot.geo); an unreadable file just makes detection rely on capitals."""
    try:
        data: dict[str, Any] = json.loads(_GEO_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset(), ()
    words: set[str] = set()
    grid = data.get("grid") or {}
    for axis in ("ew", "ns", "diagonal", "diagonals"):
        for street in grid.get(axis) or []:
            names = [street.get("name") or ""] + list(street.get("aliases") or [])
            for name in names:
                for w in fold(name).split():
                    if w not in _TYPES and w not in _DIRS and not w[:1].isdigit() and len(w) > 2:
                        words.add(w)
    try:  # every City street (centre-line file the place finder ships), when present
        streets = json.loads(_STREETS_PATH.read_text(encoding="utf-8")).get("streets") or []
    except (OSError, ValueError, AttributeError):
        streets = []
    for street in streets:
        for w in fold(str(street.get("core") or "")).split():
            if len(w) >= 4 and w.isalpha() and not _common_word(w):
                words.add(w)
    areas = {fold(a.get("alias") or "").strip() for a in data.get("aliases") or []}
    areas |= {fold(a.get("name") or "").strip() for a in data.get("areas") or []}
    words -= _STOP
    # multi-word and distinctive names only: "douglas", "austin" or "loop" alone are also names of people/things
    names = tuple(sorted((a for a in areas if a and (" " in a or len(a) >= 6)), key=len, reverse=True))
    return frozenset(words), names


# --------------------------------------------------------------------------- the story


@dataclass(frozen=True)
class Story:
    """What a story says. Every field is ``None`` when the story does not say it."""

    is_sighting: bool
    confidence: float
    lang: str
    activity: str | None = None
    place: str | None = None  # the span text, as written
    place_span: tuple[int, int] | None = None
    place_object: Any = None  # what find_place returned, when one was given
    when: str | None = None
    agents: str | None = None
    vehicles: str | None = None
    markings: str | None = None
    details: str | None = None
    redacted: bool = False
    why: tuple[str, ...] = field(default=(), compare=False)

    def missing(self) -> list[str]:
        """Report fields still to ask, in the order the flow asks them."""
        return [name for name in FIELDS if getattr(self, name) is None]

    def as_draft(self) -> dict[str, Any]:
        """The filled fields as a report draft (the flow adds lat/lon after resolving ``place``)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in FIELDS if getattr(self, name) is not None}
        if self.details:
            out["details"] = self.details
            out["redacted"] = self.redacted
        return out


def guess_lang(text: str) -> str:
    """'es' or 'en' by counting frequent words; ties go to Spanish (the bot's main audience)."""
    words = re.findall(r"[a-z']+", fold(text))
    es = sum(w in _ES_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    return "en" if en > es else "es"


_ES_HINTS = {"el", "la", "los", "las", "de", "del", "en", "y", "que", "hay", "vi", "una", "un", "con", "sin",
             "hace", "ahorita", "agentes", "camionetas", "esta", "estan", "por", "migra", "es", "mi", "se", "no",
             "minutos", "calle", "esquina", "casa", "llegaron", "dos", "tres", "son", "muy", "como", "pero"}
_EN_HINTS = {"the", "a", "an", "of", "on", "at", "and", "there", "theres", "is", "are", "saw", "just", "with",
             "agents", "trucks", "cars", "van", "vans", "ago", "now", "rn", "my", "i", "they", "were", "was",
             "minutes", "street", "corner", "house", "two", "three", "in", "to", "it", "what", "if", "do", "how"}


def read_story(text: str, lang: str | None = None,
               find_place: Callable[[str], tuple[Any, tuple[int, int]] | None] | None = None) -> Story:
    """Read a free-text story into report fields; see the module docstring for the rules."""
    text = text or ""
    lang = lang or guess_lang(text)
    folded = fold(text)
    sighting, confidence, why, body = _sighting(text, folded)
    details, removed = _details(text)
    if not sighting:
        return Story(False, confidence, lang, why=tuple(why))
    toks = _tokens(text, folded)
    place = place_span = place_object = None
    # "en la 26 y Central? no, en la 26 y Laramie": the writer corrected the place; read it from after the correction
    fix = _CORRECTION.search(folded)
    offsets = ([fix.end()] if fix else []) + [0]
    for off in offsets:
        if find_place is not None:
            found = find_place(text[off:])
            if found:
                place_object, (start, end) = found
                place_span, place = (start + off, end + off), text[start + off:end + off]
        else:
            span = find_place_span(text[off:])
            if span is None and off:
                # "Sauganash Park? no, it was Gompers Park": the correction ate the preposition a name needs
                span = find_place_span("at " + text[off:])
                span = (span[0] - 3, span[1] - 3) if span and span[0] >= 3 else None
            if span:
                place_span, place = (span[0] + off, span[1] + off), text[span[0] + off:span[1] + off]
        if place_span:
            break
    agents = _count(toks, folded, "agents")
    vehicles = _count(toks, folded, "vehicles")
    return Story(
        True, confidence, lang,
        activity=_corrected_activity(folded, fix, body, agents, vehicles),
        place=place, place_span=place_span, place_object=place_object,
        when=_when(folded), agents=agents, vehicles=vehicles,
        markings=(fix and _markings(folded[fix.end():])) or _markings(body or folded),
        details=details or None, redacted=removed, why=tuple(why),
    )


def _corrected_activity(folded: str, fix: re.Match[str] | None, body: str, agents: str | None,
                        vehicles: str | None) -> str | None:
    """"ICE at X school??? no sorry its at Y, two SUVs…": the scene after a correction says what they did. But a
    correction mostly fixes the place: when the part after it only shows vehicles while the whole story has agents
    acting ("…grabbing guys at the bus stop on 18th? no, on Blue Island. they had 5 trucks"), or only "la puerta"
    of a site named before it ("la iglesia … en la California y 53? no, 52, en la puerta"), the whole story says
    more."""
    whole = _activity(body or folded, agents, vehicles)
    if not fix:
        return whole
    tail = folded[fix.end():]
    after = _activity(tail, agents, vehicles)
    if after == "vehicles" and whole and _acted(body or folded):
        return whole
    if after == "home" and whole and not (_RX_ACT_HOME.search(tail) or _RX_HOME.search(tail)):
        return whole
    return after or whole


# --------------------------------------------------------------------------- is it a sighting?


def _sighting(text: str, folded: str) -> tuple[bool, float, list[str], str]:
    """A sighting needs a declarative sentence that mentions enforcement and says it was seen (or gives a place,
    time or count). Questions, conditionals ("si la migra…"), rights questions, rumours and denials are not.
    Also returns the declarative part: who and what are read from it, so "¿migra en Pilsen? vi 2 trocas" names no
    agency."""
    why: list[str] = []
    if not _ENFORCEMENT.search(folded) and not _vehicle_scene(folded) and not (
            _count(_tokens(text, folded), folded, "vehicles") not in (None, "0", "unknown")
            and _when(folded) and find_place_span(text)):
        return False, 0.95, ["no enforcement word"], ""
    if _NEGATED.search(folded) and not (_AGENCY_ONLY_DENIED.search(folded) and not _FULL_DENIAL.search(folded)
                                        and (_POLICE_SCENE.search(folded) or _POLICE_AFFIRMED.search(folded))):
        return False, 0.8, ["denial / false alarm"], ""
    first_hand = bool(_FIRST_HAND.search(_MEDIA.sub(" ", folded)))
    scene_seen = bool(_PRESENT_SCENE.search(folded)) and not _HEARSAY.search(_IDENTITY_HEARSAY.sub(" ", folded))
    heard = _HEARSAY.search(folded)
    if heard and heard.start() > 0 and _RX_CHECKPOINT.search(folded[:heard.start()]) and \
            find_place_span(text[:heard.start()]):
        # "checkpoint on 31st and Kedzie, just cops, someone said ICE was there too": the scene is stated before
        # the hearsay, which only adds who else may be there
        scene_seen = True
    if _HEARSAY.search(folded) and not first_hand and not scene_seen and not (
            _RELAYED.search(folded) and not _RUMOR_SOURCE.search(folded) and find_place_span(text) and (
                _when(folded) or _DETENTION.search(folded) or _count(_tokens(text, folded), folded, "agents")
                or _count(_tokens(text, folded), folded, "vehicles"))):
        return False, 0.7, ["hearsay without first-hand words"], ""
    if _FUTURE.search(folded) and not first_hand:
        return False, 0.7, ["a prediction, not a sighting"], ""
    if _CHAIN_MSG.search(folded) and not first_hand:
        return False, 0.7, ["a forwarded chain message"], ""
    declarative: list[str] = []
    asked: list[str] = []  # "¿alguien más vio X?" — kept in case the writer then says they saw it
    open_q: list[str] = []  # "¿hay migra en X?" — a question the writer may answer themselves
    corrected = _CORRECTION.search(folded)
    if corrected and "?" in folded[corrected.start():corrected.end()]:
        # "¿en la 26 y Central? no, en la 28": a statement the writer corrects, not a question
        folded = folded[:corrected.start()] + " . " + folded[corrected.start():].replace("?", " ", 1)
    for raw in _sentences(folded):
        s = raw.strip()
        if not s:
            continue
        wrapper = _STATEMENT_Q.match(s)
        if wrapper:  # "r u guys aware ICE is at … rn?": a statement dressed as a question
            declarative.append(s[wrapper.end():].rstrip("?¿ "))
            continue
        confirm = _CONFIRM_Q.match(s)
        if confirm:
            asked.append(s[confirm.end():].rstrip("?¿ "))
            continue
        question = s.endswith("?") or s.startswith("¿") or bool(_QUESTION_START.match(s.lstrip("¿¡ ")))
        if question:
            # "vi a la migra en la 26, ¿qué hago?" — a first-hand clause before the question still reports
            head = re.split(r"[,;:]| pero | but ", s, maxsplit=1)[0]
            if _FIRST_HAND.search(_MEDIA.sub(" ", head)) and _ENFORCEMENT.search(head) \
                    and not _QUESTION_START.match(head) and not _CONDITIONAL.search(head):
                declarative.append(head)
                continue
            # "…la pararon en la archer y central, no me contesta, ¿qué hago?": the story before a plea for advice
            clauses = re.split(r"[,;:]", s.rstrip("?¿ "))
            if len(clauses) > 1 and _ADVICE_Q.match(clauses[-1].strip()) and not s.startswith("¿") and not (
                    _IS_IT_TRUE.search(clauses[-1]) and _SAID.search(clauses[0])):
                before = ",".join(clauses[:-1])
                if not _QUESTION_START.match(before.lstrip("¡ ")) and not _CONDITIONAL.search(before) \
                        and not _RIGHTS.search(before):
                    declarative.append(before)
            elif _ENFORCEMENT.search(s) and not _CONDITIONAL.search(s) and not _RIGHTS.search(s):
                open_q.append(s.rstrip("?¿ "))  # kept in case the writer then says "yo los vi"
            continue
        if _CONDITIONAL.search(s) or _RIGHTS.search(s):
            continue
        declarative.append(s)
    if asked and declarative and re.search(r"\b(?:vi|vimos|saw|seen|i see|yo (?:tambien|also)|drove (?:by|past)|"
                                           r"passed (?:by|them)|pase|pasamos|i was there|estuve ahi|me toco ver|"
                                           r"acabo de ver|acabamos de ver)\b",
                                           " ".join(declarative)):
        declarative = asked + declarative  # "…? yo las vi orita": the writer confirms the scene asked about
    elif open_q and declarative and _SAW_THEM.search(" ".join(declarative)):
        # "¿hay agentes de ICE en la Menards…? digo, yo los vi orita": the writer answers their own question
        declarative = open_q + declarative
    body = " . ".join(declarative)
    if not body:
        return False, 0.9, ["only questions or conditionals"], ""
    enforcement = bool(_ENFORCEMENT.search(body)) or _vehicle_scene(body) or bool(
        _count(_tokens(body, body), body, "vehicles") not in (None, "0", "unknown") and _when(body))
    if not enforcement:
        return False, 0.8, ["enforcement only mentioned in questions"], ""
    score = 0.45
    body_toks = _tokens(body, body)
    for name, hit in (("observed", _OBSERVE.search(re.sub(r"\bhay que\b", "", body))),
                      ("place", find_place_span(text)), ("time", _when(body)), ("first-hand", first_hand),
                      ("count", _count(body_toks, body, "agents") or _count(body_toks, body, "vehicles"))):
        if hit:
            score += 0.12
            why.append(name)
    # "cuidado con la migra", "ICE is everywhere": nothing to report
    if "place" not in why and "count" not in why and len(why) < 2 and not (
            "observed" in why and _vehicle_scene(body)) and not (
            "first-hand" in why and (_RX_ACT_HOME.search(body) or _RX_AT_DOOR.search(body)
                                     or _DETENTION.search(body))):
        return False, 0.6, ["enforcement word but no place and too little observed"], ""
    return True, min(score, 0.99), why, body


# "dicen q hay migra en la 26, ¿alguien sabe si es cierto?": what was said is asked about, not reported
_IS_IT_TRUE = re.compile(r"\b(?:si es (?:cierto|verdad|real)|es (?:cierto|verdad)|(?:if|whether) (?:it'?s|its|that'?s|"
                         r"it is|this is) (?:true|real)|is (?:it|that|this) (?:true|real|confirmed))\b")
_SAID = re.compile(r"^\W*(?:dicen|dijeron|decian|escuche|oi|people (?:say|are saying)|they say|i heard|heard)\b")
_STATEMENT_Q = re.compile(
    r"^\W*(?:(?:hey|oigan|oye|vecinos|guys|y'all|yall|ojo|aguas)\W+)?(?:(?:r|are) (?:u|you|y'all)(?: guys| all)? "
    r"aware(?: that)?|did (?:u|you)(?: guys| all)? (?:know|hear) that|sabian que|sabias que|ya saben que|"
    r"ya supieron que)\s+")
# "yo los vi", "I saw them": the writer saw what they had just asked about
_SAW_THEM = re.compile(r"\b(?:(?:yo )?(?:si |tambien )?(?:los|las|lo|la) (?:vi|vimos|acabo de ver|acabamos de ver|"
                       r"estoy viendo)|i (?:just |did |also )?(?:saw|see|seen) (?:them|em|it)|we (?:just )?saw them)\b")
_CONFIRM_Q = re.compile(
    r"^\W*(?:(?:hey|oigan|oye|vecinos|guys)\W+)?(?:alguien mas (?:vio|ve|ha visto|esta viendo|vieron)|"
    r"alguien (?:mas )?vio|anyone else (?:see|seeing|saw|seen)|did anyone else see|did (?:u|you) (?:guys )?see)"
    r"\s+")


_ADVICE_Q = re.compile(r"^(?:y )?(?:(?:que|q|k) (?:hago|hacemos|hace|hacen|puedo hacer|debo hacer|debe hacer|"
                       r"deben hacer|"
                       r"hacer|(?:me |le |nos |les )?recomiendan|(?:me |le |nos |les )?aconsejan|(?:me |le )?sugieren)|"
                       r"what (?:do|should|can) (?:i|we|she|he|they) do|what now|"
                       r"what do (?:you|u) (?:recommend|suggest)|"
                       r"ayuda|help|alguien (?:me )?puede ayudar|can (?:someone|anyone) help|is it safe|"
                       # a question after the story about whether it is normal, still going on, or who they are
                       r"is (?:that|this|it) normal|es normal|"
                       r"(?:are they|is it|are there|is there) still (?:there|here)|"
                       r"(?:siguen|todavia estan|aun estan|seguiran) (?:ahi|alli|alla)|"
                       r"what does (?:that|this|it) mean|should i (?:be )?worr\w*|"
                       r"(?:alguien|anyone|anybody|does anyone|someone) (?:sabe|know|knows)"
                       r"(?: si| if| whether| who| de quien)|"
                       r"(?:seran|son|eran|is (?:it|that|this)|are (?:they|those|these)|were they) (?:de )?(?:la )?"
                       r"(?:migra|ice|immigration|inmigracion|feds?|federales|cbp|border patrol))\b")


# a writer correcting themselves: "…en la 26 y Central? no, en la 28", "…on 26th, I mean 24th", "perdón, era en…"
_CORRECTION = re.compile(r"(?:\?+\s*|[,.;]\s*|\s)(?:(?:(?:no,? no|no|nel|perdon|perdona|digo|mejor dicho|correction|"
                         r"correccion|sorry|my bad|wait|espera|oops)(?:\s*[,.:!]\s*|\s+(?=(?:sorry|wait|perdon|"
                         r"perdona|espera|my bad|digo)\b)))|(?:sorry|wait|perdon|perdona|espera|my bad|digo)\s+){1,3}"
                         r"(?:i mean\s+|quise decir\s+)?"
                         r"(?:(?:era|fue|it was|it'?s|its|they were|they'?re|estaban|estan)\s+(?=[a-z\d])|"
                         r"es\s+(?=(?:en|la|el)\b)|"
                         r"(?=(?:en|on|at|in|por|x|la|el|the)\b|\d))"
                         r"|[,.;]\s*(?:i mean|quise decir)\s+(?=(?:en|on|at|in|por|x|la|el|the)\b|\d)"
                         r"|\?+\s*(?:no|nah|nope|nel)\s+(?:era|fue|it was|it'?s|its|they were|they'?re|estaban|"
                         r"estan)\s+"
                         r"(?=[a-z\d])")


def _sentences(folded: str) -> list[str]:
    parts = [p for p in re.split(r"(?<=[.!?\n])\s*|\s*(?=¿)", folded) if p and p.strip()]
    out: list[str] = []
    for p in parts:
        if out and _SAINT_DOT.search(out[-1]):
            out[-1] += " " + p  # "ICE outside St. Genevieve…": the abbreviation's dot ends no sentence
        else:
            out.append(p)
    return out


# "St." / "Mt." after a preposition or article (a saint's or mount's name follows), not after "26th" (the street type)
_SAINT_DOT = re.compile(r"(?:^|\b(?:at|outside|of|from|in|near|by|to|en|de|del|la|el|the|a|al|frente|afuera|on)\s)"
                        r"(?:st|mt|sto|sta)\.$")


def _vehicle_scene(folded: str) -> bool:
    """Vehicles described as enforcement without the word: "dos camionetas negras sin placas"."""
    return bool(re.search(_VEHICLE_WORD + r"[^.?!]{0,40}\b(?:sin placas|no plates|unmarked|polarizad|tinted|"
                                          r"sospechos|suspicious|sin logos?|no logos?|sin marcas?|no markings|"
                                          r"sin rotulos?)", folded)
                or re.search(r"\b(?:\d|dos|tres|cuatro|cinco|seis|two|three|four|five|six)\s+(?:black|dark)\s+"
                             r"(?:\w+\s+)?" + _VEHICLE_WORD, folded)
                or re.search(r"\b(?:\d|dos|tres|cuatro|cinco|seis)\s+" + _VEHICLE_WORD + r"\s+(?:negr|polarizad)",
                             folded)
                or re.search(r"\b(?:unmarked|tinted)\s+(?:\w+\s+)?" + _VEHICLE_WORD, folded)
                or re.search(r"\b(?:government|gov'?t|federal|feds?)\s+" + _VEHICLE_WORD
                             + r"|" + _VEHICLE_WORD + r"\s+(?:del gobierno|federales|oficiales)\b", folded))


_VEHICLE_WORD = (r"\b(?:camionetas?|trocas?|trokas?|vans?|suvs?|carros?|coches?|autos?|cars?|trucks?|pickups?|"
                 r"suburbans?|tahoes?|durangos?|explorers?|jeeps?|sedans?|minivans?|vehiculos?|vehicles?|"
                 r"chargers?|impalas?|yukons?|escalades?)\b")


# --------------------------------------------------------------------------- fields


def _when(folded: str) -> str | None:
    best: tuple[int, int, str] | None = None  # (-strength, position, bucket)

    def offer(strength: int, pos: int, bucket: str) -> None:
        nonlocal best
        cand = (-strength, pos, bucket)
        if best is None or cand < best:
            best = cand

    def span(m: re.Match[str]) -> bool:
        return bool(_SPAN_START.search(folded[max(0, m.start() - 20):m.start()]))

    def started(m: re.Match[str]) -> bool:  # "started 20 min ago" (a clock time, "started at 6am", still dates it)
        return bool(_STARTED_BEFORE.search(folded[max(0, m.start() - 25):m.start()])
                    or _STARTED_AFTER.match(folded, m.end()))

    for m in _MIN_AGO.finditer(folded):
        if span(m) or started(m):
            continue
        n = _num((m.group(1) or m.group(2) or "").strip(".,"))
        if n is not None:
            offer(3, m.start(), "15m" if n <= 15 else "1h" if n <= 60 else "today")
    for m in _HOUR_AGO.finditer(folded):
        if span(m) or started(m):
            continue
        n = _num((m.group(1) or m.group(3) or "").strip(".,"))
        half = bool(m.group(2) or m.group(4))
        if n is not None:
            offer(3, m.start(), "1h" if n <= 1 and not half else "today")
    for rx, bucket, strength in _WHEN_RES:
        for m in rx.finditer(folded):
            if bucket != "now" and (span(m) or (bucket in ("15m", "1h") and started(m))):
                continue
            if bucket == "today" and _CALL_TIME.search(folded[max(0, m.start() - 25):m.start()]):
                continue  # "my husband called at 9am": the time of a call, not of the sighting
            if bucket == "today" and re.match(r"(?:temprano|earlier)", m.group()) and \
                    _NOT_TODAY.search(folded[max(0, m.start() - 25):m.end() + 25]):
                continue
            offer(strength, m.start(), bucket)
    if best is None:
        return None
    if best[2] == "today" and _NOT_TODAY.search(folded) and not re.search(r"\b(?:hoy|today|this morning|"
                                                                         r"esta manana)\b", folded):
        return None
    return best[2]


# "dicen que eran de inmigración y policía, yo vi puro policía", "not ICE, just CPD": what the writer says it was
# *only* settles the agency
_ONLY_MARK = re.compile(r"\b(?:vi|vimos|saw|were|eran|era|fue|was|it'?s|its|son|es)?\s*(?:puro|pura|puros|puras|"
                        r"solo|solamente|nomas|nada mas|only|just)\s+(?:la\s+|el\s+|los\s+|the\s+)?(policias?|police|"
                        r"cops|cpd|patrullas|migra|ice|border patrol|patrulla fronteriza)\b(?!\s+(?:lights?|cars?|"
                        r"checkpoint))")
_ONLY_MARK_VALUE = {"migra": "ice", "ice": "ice", "border patrol": "cbp", "patrulla fronteriza": "cbp"}


def _markings(folded: str) -> str | None:
    """ICE/CBP named beat everything (earliest first); then the everyday "la migra"/"immigration" (→ ``ice``), then
    police, then unmarked. Negated ("no eran policías"), hedged ("idk if it's ICE") and court names ("la corte de
    inmigración") do not count."""
    only = _ONLY_MARK.search(folded)
    if only:
        return _ONLY_MARK_VALUE.get(only.group(1), "police")
    found: dict[str, int] = {}
    heard: dict[str, int] = {}  # an agency only said by others ("somebody said theres ICE too")
    for mark, rx in _MARKING_RES:
        for m in rx.finditer(folded):
            before = folded[max(0, m.start() - 30):m.start()]
            if mark in ("ice", "cbp", "police", "migra") and (_MARK_NEG.search(before) or _MARK_HEDGE.search(before)):
                continue
            if mark in ("migra", "ice") and _COURT.search(folded, max(0, m.start() - 25), m.end() + 8):
                continue
            if mark == "police" and re.match(r"policias? de (?:la )?(?:migra|inmigracion|ice)", folded[m.start():]):
                continue
            if mark in ("ice", "cbp", "migra") and (_MARK_HEARSAY.search(before) or _HEARD_CLAUSE.search(
                    folded, max(0, m.start() - 60), m.start())):
                heard.setdefault(mark, m.start())
                continue
            found.setdefault(mark, m.start())
    if "police" in found and not any(mark in found for mark in ("ice", "cbp", "migra")):
        return "police"  # "mostly CPD but somebody said theres ICE too": what the writer saw settles it
    for mark, pos in heard.items():
        found.setdefault(mark, pos)
    federal = [(pos, mark) for mark, pos in found.items() if mark in ("ice", "cbp")]
    if federal:
        return min(federal)[1]
    if "migra" in found:
        return "ice"
    for mark in ("police", "unmarked", "unknown"):
        if mark in found:
            return mark
    return None


_VEHICLE_DESCRIPTIONS = [re.compile(p) for p in (
    _VEHICLE_WORD + r"(?:\s+(?!agentes?|agents?|oficiales|officers?|hombres|men|guys|tipos|y\b|and\b|con\b|with\b)"
    r"\w+){0,2}?\s+(?:(?:de|del|of)\s+)?(?:(?:la|el|los|the)\s+)?(?:\w+\s+){0,1}?"
    r"(?:ice|migra|cbp|border patrol|patrulla fronteriza|immigration|(?:in|i)?m+igra(?:c|s|t)i?on|policia|police|"
    r"cpd|dhs|gobierno)\b",
    r"\b(?:ice|cbp|border patrol|immigration|imigration|cop|police|cpd|dhs|hsi|migra)\s+(?:\w+\s+){0,1}?"
    + _VEHICLE_WORD,
    r"\b(?:patrullas?|squad|cop|police)\s+(?:cars?|de (?:la )?policia|de cpd)\b")]


def _first_site(rx: re.Pattern[str], folded: str, outside_is_near: bool = False,
                keep: Callable[[re.Match[str]], bool] | None = None) -> bool:
    """A site cue that is where the agents were, not where the writer was going or what they were near. With a
    sidewalk or bus stop named, a site the scene was only outside of ("en la banqueta afuera de la lavandería") is
    not the site either. Someone taken as they left it ("lo agarraron saliendo del hospital") was taken there."""
    for m in rx.finditer(folded):
        if keep is not None and not keep(m):
            continue
        before = folded[max(0, m.start() - 45):m.start()]
        lead = re.match(r"(?:a|al|pa|para|to|hacia)\s+", m.group())  # "nos mandó a la casa": the cue holds the "a"
        away = _NOT_THE_SITE.search(before + lead.group() if lead else before)
        if away and _LEAVING.search(away.group()) and _DETENTION.search(
                folded, max(0, m.start() - 90), m.start()) and not _WRITER.search(before):
            away = None
        if away or _NEAR_NAMED.search(before) or (
                outside_is_near and _OUTSIDE_OF.search(before)) or _SITE_AWAY.match(folded, m.end()):
            continue
        return True
    return False


_LEAVING = re.compile(r"\b(?:saliendo|salia|leaving|left|coming)\b")
_WRITER = re.compile(r"\b(?:yo|i|we|nosotros|estaba|estabamos|iba|ibamos)\b[^.,;]*$")
# a church, hospital or school named only by its saint ("St. Genevieve", "Our Lady of Mercy", "San Procopio");
# "St Louis Ave", "26th and St Louis" are streets (the names come from the place finder's street file)
_SAINT_SITE = re.compile(r"\b(?:st\.?|saint|san|santa|santo|our lady of|nuestra senora de(?:l| la| los)?)\s+([a-z]+)"
                         r"(?!\s+(?:ave|avenue|av|st|street|blvd|rd|road|dr|pl|place|ct)\b)")


@lru_cache(maxsize=1)
def _saint_streets() -> frozenset[str]:
    """Second words of the City's streets named after a saint ("louis" of St Louis Ave), from streets.json."""
    try:
        streets = json.loads(_STREETS_PATH.read_text(encoding="utf-8")).get("streets") or []
    except (OSError, ValueError, AttributeError):
        return frozenset()
    out = set()
    for street in streets:
        words = fold(str(street.get("core") or "")).split()
        if len(words) >= 2 and words[0] in ("st", "saint", "san", "santa", "santo"):
            out.add(words[1])
    return frozenset(out)


_LANDMARKS_PATH = _GEO_PATH.with_name("landmarks.json")
_SITE_KINDS = {"hospital", "church", "transit", "consulate", "landmark", "library", "school"}
_SINGLE_NAME_KINDS = {"hospital", "church", "transit", "consulate", "landmark"}


@lru_cache(maxsize=1)
def _site_names() -> dict[tuple[str, ...], str]:
    """Names of schools, hospitals, churches, libraries, stations and landmarks from the place finder's gazetteer
    (bot/geodata/landmarks.json), so a site named only by its name ("ICE at Stroger", "afuera de Benito Juárez") is
    read as the site it is. Names that are also streets, neighbourhoods or everyday words are left out, and a single
    word only counts for the few one-of-a-kind kinds (a hospital, a church, a station, a landmark)."""
    try:
        places = json.loads(_LANDMARKS_PATH.read_text(encoding="utf-8")).get("places") or []
    except (OSError, ValueError, AttributeError):
        return {}
    words, areas = _lexicon()
    out: dict[tuple[str, ...], str] = {}
    for place in places:
        kind = place.get("kind")
        if kind not in _SITE_KINDS:
            continue
        for alias in list(place.get("aliases") or []) + [place.get("name_en") or "", place.get("name_es") or ""]:
            key = tuple(re.sub(r"[^a-z0-9 ]", " ", fold(alias)).split())
            if not key or key[0] in ("el", "la", "the", "los", "las") or " ".join(key) in areas:
                continue
            if len(key) == 1 and (kind not in _SINGLE_NAME_KINDS or len(key[0]) < 5 or key[0] in words
                                  or _common_word(key[0])):
                continue
            if len(key) > 1 and all(w in words or _common_word(w) or w in ("de", "del", "of") for w in key):
                continue
            out.setdefault(key, kind)
    return out


_SITE_NAME_BEFORE = {"at", "en", "in", "outside", "afuera", "frente", "enfrente", "del", "de", "el", "la", "the",
                     "al", "a", "by", "near", "inside", "dentro", "to", "from", "of", "front"}


def _named_site(folded: str) -> re.Pattern[str] | None:
    """A pattern for the first gazetteer site named in the story after a preposition or article, or None."""
    names = _site_names()
    toks = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", folded)]
    for i in range(1, len(toks)):
        if toks[i - 1][0] not in _SITE_NAME_BEFORE:
            continue
        for size in (5, 4, 3, 2, 1):
            key = tuple(t[0] for t in toks[i:i + size])
            if len(key) == size and key in names:
                return re.compile(r"\b" + r"\W+".join(re.escape(w) for w in key) + r"\b")
    return None


def _saint_site(m: re.Match[str]) -> bool:
    """A saint's name that is a site, not a street; "st" after a name or a number is the street type ("26th st
    between …")."""
    if m.group(1) in _saint_streets() or _common_word(m.group(1)):
        return False
    if m.group().startswith("st"):
        prev = re.search(r"(\S+)\s*$", m.string[:m.start()])
        return prev is None or prev.group(1) in _PREPS or prev.group(1) in _ARTICLES or not prev.group(1)[-1].isalnum()
    return True


# "mi casa está a una cuadra", "my house is 2 blocks away": the site is only near the scene ("la escuela cerca de
# la 26" is still the school)
_SITE_AWAY = re.compile(r"\s*(?:(?:esta|queda|is|are)\s+)?(?:a (?:una|un|dos|tres|\d+|unas|pocas) cuadras?|"
                        r"(?:a |one |two |\d+ )?blocks? (?:away|from)|(?:esta |is )?(?:around the corner|"
                        r"down the street|a la vuelta))\b")
_SIDEWALK = re.compile(r"\b(?:banqueta|sidewalk|acera|alley|callejon|bus stop|parada del (?:bus|camion)|"
                       r"la parada|parada de(?:l)? (?:autobus|bus|camion))\b")
_OUTSIDE_OF = re.compile(r"\b(?:afuera|fuera|frente|enfrente|outside|in front)\s+(?:de|del|of|a|al)?\s*"
                         r"(?:the |la |el |una |un |a |an )?$")


# "no agents outside, just the trucks": people said to be absent are not part of the scene
_NO_PEOPLE = re.compile(r"\b(?:no|sin|without|ningun|ni un|nobody|no one|nadie)\s+(?:\w+\s+)?(?:agentes?|agents?|"
                        r"oficiales|officers?|cops?|policias?|hombres|men|guys|personas|people)\b")
_LOOK_LIKE = re.compile(r"\b(?:parecen|parecian|parece|se ven como|look(?:ed|s)? like|seem(?:ed|s)? like|"
                        r"seem(?:ed)? to be|"
                        r"probably|probablemente|creo que (?:son|eran)|i think (?:they'?re|they are|they were))\s+"
                        r"(?:(?:de|ser|the|la|los|unos|some)\s+)?(?:\w+\s+)?(?:agentes?|agents?|cops?|policias?|"
                        r"police|ice|migra|federales|feds|officers?|oficiales)\b")


def _people_present(folded: str) -> bool:
    """Are agents (people) part of the scene, beyond vehicles? Agency names used as a vehicle's description ("ICE
    van", "camionetas de la migra", "cop cars") and people only sitting inside a vehicle do not count."""
    # "tres trocas negras bajando x la Archer, parecen federales": a guess at who the vehicles are is no one seen
    text = _LOOK_LIKE.sub(" ", _NO_PEOPLE.sub(" ", _INSIDE.sub(" ", folded)))
    for rx in _VEHICLE_DESCRIPTIONS:
        text = rx.sub(" VEH ", text)
    text = _MARK_HEDGE_ANY.sub(" ", text)
    return bool(re.search(_PERSON, text) or re.search(_AGENCY, text))


def _acted(folded: str) -> bool:
    """Agents doing something (an arrest, papers asked, people stopped), not only present."""
    return bool(_ACTED.search(folded) or _DETENTION.search(folded) or _RX_CHECK_WEAK.search(folded)
                or _RX_WEAK_STREET.search(folded))


def _activity(folded: str, agents: str | None, vehicles: str | None) -> str | None:
    """Which cue governs, in order: an action that names the activity (a checkpoint, knocking, a traffic stop);
    vehicles with nobody acting; then the site by category — workers approached, a dwelling, a raid on a store or a
    job site, an institution or transit, a store — then a weak action that a site would have overruled (papers
    checked → checkpoint, people stopped or agents standing at a corner → street), and an arrest or a person held
    with no site named → street. Nothing at all is said when no cue fits."""
    if _RX_CHECKPOINT.search(folded):
        return "checkpoint"
    if _RX_ACT_HOME.search(folded):
        return "home"
    if _RX_ACT_STREET.search(folded):
        return "street"
    acted = _acted(folded)
    has_vehicles = bool(re.search(_VEHICLE_WORD, folded) or re.search(r"\bpatrullas?\b(?! fronteriza)", folded))
    people = _people_present(folded)
    standing = people and bool(re.search(_PERSON, _INSIDE.sub(" ", folded)))  # agents out of the vehicles
    inside = bool(_SITTING_IN.search(folded) or _RIDING.search(folded) or _INSIDE.search(folded)
                  or _STAY_INSIDE.search(folded))
    parked = bool(_RX_VEHICLES.search(folded) or re.search(
        _VEHICLE_WORD + r"(?:\s+[\w]+){0,4}?\s+(?:esta |estan |estaba |estaban )?parad[oa]s?\b", folded))
    sidewalk = _SIDEWALK.search(folded)

    def site(rx: re.Pattern[str]) -> bool:
        return _first_site(rx, folded, outside_is_near=bool(sidewalk))

    named = _named_site(folded)
    institution = site(_RX_OTHER) or _first_site(_SAINT_SITE, folded, bool(sidewalk), keep=_saint_site) or bool(
        named and site(named))
    store = site(_RX_STORE)
    if not acted and vehicles != "0" and (has_vehicles or parked) and (not people or inside or (
            parked and not (standing and (institution or store)))):
        return "vehicles"  # agents standing beside a parked van at a school: the school is the site
    if site(_RX_WORKERS):
        return "workplace"
    home = site(_RX_HOME) or bool(_RX_AT_DOOR.search(folded) and not institution and not store and not site(_RX_WORK))
    if (home or store) and _RX_WORKER_ONE.search(folded) or store and _VENDOR.search(folded):
        return "workplace"  # (a vendor approached at a market works there: labelling rules, eval4 section)
    if home:
        return "home"
    if store and _RX_RAID.search(folded):
        return "workplace"  # a raid on a shop or market is on its workers
    if site(_RX_WORK):
        return "workplace"
    if institution or store:
        if acted and not store and _PARK.search(folded) and not _first_site(_RX_OTHER_NOT_PARK, folded):
            return "street"  # people stopped or taken in a park: open public ground, like a sidewalk
        return "other"
    if _RX_WORKER_ONE.search(folded) and _DETENTION.search(folded):
        return "workplace"  # "took the cook": a worker taken is taken at work
    if _RX_CHECK_WEAK.search(folded):
        return "checkpoint"
    if _RX_STREET.search(folded) or _RX_WEAK_STREET.search(folded):
        return "street"
    if _DETENTION.search(folded):
        return "street"  # an arrest at a corner, with no site named, happened on the street
    return None


def _noun_follows(toks: list[_Tok], k: int) -> bool:
    """Does an agent or vehicle noun follow within three words, before "and"/"y"/a comma ("2 ICE trucks" yes,
    "2 ICE and a van" no)?"""
    for x in toks[k:k + 3]:
        if x.w in ("and", "y", ",", ".", "&", "+", "with", "con", ";"):
            return False
        if _VEHICLE_NOUNS.match(x.w) or _STRONG_AGENT.match(x.w) or _WEAK_PERSON.match(x.w):
            return True
    return False


def _noun_next(toks: list[_Tok], k: int) -> bool:
    """Is the next word (after at most one describing word) an agent or vehicle noun ("2 border patrol trucks"
    yes; "seven border patrol questioning the guys" no)?"""
    for x in toks[k:k + 2]:
        if _VEHICLE_NOUNS.match(x.w) or _STRONG_AGENT.match(x.w) or _WEAK_PERSON.match(x.w):
            return True
        if not _FILLER.match(x.w):
            return False
    return False


def _bucket(n: int, kind: str) -> str:
    if kind == "vehicles":
        return "0" if n <= 0 else "1" if n == 1 else "2-3" if n <= 3 else "4+"
    return "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "10+"


def _count(toks: list[_Tok], folded: str, kind: str) -> str | None:
    """Sum the numbers attached to agent or vehicle nouns; see the module docstring for what counts."""
    total = 0
    seen = False
    i = 0
    while i < len(toks):
        t = toks[i]
        n = _num(t.w)
        if n is None or (t.w.isdigit() and len(t.w) > 2) or (t.w == "a" and i + 1 < len(toks) and toks[i + 1].w in (
                "la", "las", "los", "el", "un", "una", "mi", "su", "sus", "mis", "nuestro", "nuestra", "ver")):
            i += 1  # Spanish "a" ("vi a la patrulla") is a preposition, not "one"
            continue
        prev = toks[i - 1].w if i else ""
        prev2 = toks[i - 2].w if i > 1 else ""
        counted_noun = i + 1 < len(toks) and n <= 20 and bool(
            _STRONG_AGENT.match(toks[i + 1].w) or (_VEHICLE_NOUNS.match(toks[i + 1].w)
                                                  and toks[i + 1].w not in ("bus", "buses", "camion", "camiones")))
        if prev in ("la", "las", "los", "el", "the", "hace", "at", "alas", "of", "those", "these", "esos", "esas",
                    "nos") and t.w not in ("par", "couple", "docena", "dozen"):
            # "las 3 trocas", "the 2 cars": a plural article before a count of them; "la 26" is a street
            if not (prev == "de" and prev2 in ("mas", "more", "un", "una")) and not (
                    counted_noun and prev in ("las", "los", "the", "those", "these", "esos", "esas")):
                i += 1
                continue
        j = i + 1
        # ranges: "4 o 5", "4-5", "entre 3 y 5", "5 or 6"
        if j + 1 < len(toks) and toks[j].w in _RANGE_JOIN and _num(toks[j + 1].w) is not None \
                and toks[j + 1].w not in _ARTICLE_ONE:
            n = max(n, _num(toks[j + 1].w) or 0)
            j += 2
        if t.w in ("par", "couple", "pair") and j < len(toks) and toks[j].w in ("de", "of"):
            j += 1
        if t.w in ("docena", "dozen") and j < len(toks) and toks[j].w in ("de", "of"):
            j += 1
        # "+ 1 suv" after another count is "plus one", not "more than one"
        more = (prev in _MORE_THAN and prev != "+") or (prev == "de" and prev2 in _MORE_THAN) or (
            prev == "than" and prev2 in _MORE_THAN)
        if j < len(toks) and toks[j].w in ("+", "plus", "o", "or") and j + 1 < len(toks) and toks[j + 1].w in (
                "mas", "more"):
            more, j = True, j + 2
        elif j < len(toks) and toks[j].w == "+":
            more, j = True, j + 1
        # find the noun: right after, or after up to 3 filler words ("3 black unmarked suvs", "5 ICE agents")
        # ("a dark blue SUV": after "a"/"un", only colours may stand between the article and the noun)
        max_gap = 3 if t.w not in _ARTICLE_ONE else 3 if all(
            x.w in _COLOURS or x.w in _BRANDS for x in toks[j:j + 2] if not (_VEHICLE_NOUNS.match(x.w))) else 1
        k, gap = j, 0
        while k < len(toks) and gap <= max_gap:
            w = toks[k].w
            if _VEHICLE_NOUNS.match(w) or _STRONG_AGENT.match(w) or _WEAK_PERSON.match(w) or _TIME_NOUNS.match(w):
                break
            if (w in _AGENCY_NOUN and not _noun_follows(toks, k + 1) or w == "patrol" and k and toks[k - 1].w
                    == "border" and not _noun_next(toks, k + 1)) and kind == "agents":
                break  # "2 ICE at the front desk": the agency's name is the noun
            if not _FILLER.match(w) or _num(w) is not None:
                k = len(toks)
                break
            k += 1
            gap += 1
        if k >= len(toks) or gap > max_gap:
            i += 1
            continue
        if k + 1 < len(toks) and _VEHICLE_NOUNS.match(toks[k + 1].w) and not _VEHICLE_NOUNS.match(toks[k].w):
            k += 1  # "2 cop cars", "3 border patrol trucks": the vehicle is the noun
        noun = toks[k].w
        if k + 1 < len(toks) and _NOT_PERSON_AFTER.match(toks[k + 1].w) and not _VEHICLE_NOUNS.match(noun):
            i = k + 1  # "a police checkpoint", "a federal building": the word describes a thing, not people
            continue
        if noun in ("squad",) and not (k + 1 < len(toks) and toks[k + 1].w.startswith("car")):
            i += 1
            continue
        if noun.startswith("patrulla") and k + 1 < len(toks) and toks[k + 1].w.startswith("fronteriza"):
            i = k + 1  # "la patrulla fronteriza" is Border Patrol, not a patrol car
            continue
        if t.w in ("one", "uno", "una", "un", "a", "an") and k + 1 < len(toks) and toks[k + 1].w in _DESCRIBES \
                and not _VEHICLE_NOUNS.match(noun):
            i = k + 1  # "one agent had a rifle", "un agente traía…": one of them described, not a count
            continue
        is_vehicle = bool(_VEHICLE_NOUNS.match(noun)) and not (
            k + 1 < len(toks) and toks[k + 1].w in _NOT_A_VEHICLE_AFTER) and not _detained(toks, i)
        personal_a = i > 0 and toks[i - 1].w == "a" and t.w in ("un", "una", "uno", "dos", "tres", "unos")
        is_agent = bool(_STRONG_AGENT.match(noun)) or (
            (noun in _AGENCY_NOUN or noun == "patrol" and toks[k - 1].w == "border") and t.w not in _ARTICLE_ONE) or (
            bool(_WEAK_PERSON.match(noun)) and not _detained(toks, i, people=True) and not personal_a
            and t.w not in _ARTICLE_ONE  # "un señor", "a guy": in a story, the one taken, not an agent
            and not _TAKEN_AFTER.match(folded, toks[k].end))  # "30 people were taken": the ones taken
        if _STRONG_AGENT.match(noun) and _detained(toks, i) and noun in ("police", "policia", "policias"):
            is_agent = False
        if (kind == "vehicles" and is_vehicle) or (kind == "agents" and is_agent):
            if not _possessed(toks, i):
                total += n + (1 if more else 0)
                seen = True
        i = k + 1
    if not seen and kind == "agents":
        # "hay migra en la 26, son como 10" / "there were like 10 of them": a number with no noun, about them
        for m in _ABOUT_THEM.finditer(folded):
            them = m.group(0).rstrip().endswith(("of them", "of em", "de ellos"))
            if them and _them_referent(folded, m.start()) == "vehicles":
                continue  # "ICE cars parked outside…, 4 of them": the cars are counted, not agents
            # "Migras en la estación de Western, 2 o 3": a range said on its own after the agents
            trailing_range = m.group(0).lstrip().startswith(",") and _num(m.group(2) or "") is not None and \
                m.group(2) not in _ARTICLE_ONE and (_num(m.group(2)) or 0) <= 30 and _people_present(folded) and \
                _them_referent(folded, m.start()) != "vehicles"
            if _num(m.group(1)) is not None and m.group(1) not in _ARTICLE_ONE and (
                    them or trailing_range or re.match(r"(?:son|eran|fueron)\b", m.group(0))):
                n = max(_num(m.group(1)) or 0, _num(m.group(2) or "") or 0)
                # "two of them at the front door and one in the car": the rest of them, said next
                extra = _AND_MORE.match(folded, m.end())
                if them and extra:
                    n += _num(extra.group(1)) or 1
                more = bool(re.search(r"\b(?:mas de|more than)\b|\b(?:o|or) (?:mas|more)$", m.group(0)))
                total, seen = n + (1 if more else 0), True
                break
    if not seen and kind == "agents":
        n = _loose_agent_count(folded)
        if n is not None:
            total, seen = n, True
    if seen and kind == "vehicles" and total == 1 and _SECOND_VEHICLE.search(folded):
        total = 2  # "unmarked grey van and an ICE suv": the bare first one is not counted by its article
    if not seen and kind == "vehicles":
        for m in _N_OF_THEM.finditer(folded):
            a, b = _num(m.group(1)), _num(m.group(2) or "")
            if a is not None and m.group(1) not in _ARTICLE_ONE and _them_referent(folded, m.start()) == "vehicles":
                total, seen = max(a, b or 0), True
                break
    if not seen and kind == "vehicles":
        n = _loose_vehicle_count(folded)
        if n is not None:
            total, seen = n, True
    if not seen and kind == "vehicles" and _one_vehicle(toks):
        total, seen = (2 if _SECOND_VEHICLE.search(folded) else 1), True
    if seen:
        return _bucket(total, kind)
    m = _COUNT_UNKNOWN.search(folded)
    if m:
        after = " ".join(w for w in (m.group(1), m.group(2)) if w)
        noun_vehicle = bool(re.search(r"\b(?:camionetas|trocas|vans|suvs|carros|cars|trucks|vehiculos|vehicles|"
                                      r"patrullas)\b", after))
        if (kind == "vehicles") == noun_vehicle:
            return "unknown"
    if kind == "vehicles" and _NO_VEHICLES.search(folded):
        return "0"
    return None


_ABOUT_THEM = re.compile(
    r"\b(?:son|eran|fueron|estan|andan|habia|there (?:are|were|was|is)|they were|it was|"
    r"about|like|least|menos|maybe|probably|quizas|tal vez|,)\s*(?:(?:como|unos|unas|like|about|around|"
    r"mas de|more than|at least|al menos|por lo menos)\s+)*(\w+)"
    r"(?:\s+(?:o|or|a|to|-|y)\s+(\w+))?(?:\s+(?:of them|of em|de ellos)\b|"
    r"\s*(?=[,.;!?]|$|\s+(?:con|with|en|in|at|y|and|de ice|de la migra|no|pero|but)\b))")
# a second single vehicle named after the first: "grey van and an ICE suv", "luego llegó otra troca"
_SECOND_VEHICLE = re.compile(
    r"\b(?:van|suv|truck|car|troca|camioneta|carro|minivan|pickup|sedan|tahoe|suburban)\s+(?:y|and)\s+"
    r"(?:an?|una?|otra|another)\s+(?:[\w-]+\s+){0,2}?(?:van|suv|truck|car|troca|camioneta|carro|minivan|pickup|sedan|"
    r"tahoe|suburban)\b(?!\s+(?:wash|shop|seat))"
    r"|\b(?:llego|llegaron|vino|paso|came|pulled up|showed up)\s+(?:otra|otro|another)\s+(?:[\w-]+\s+)?"
    r"(?:van|suv|truck|car|troca|camioneta|carro|minivan|pickup|sedan|patrulla)\b")
_N_OF_THEM = re.compile(r"\b(\w+)(?:\s+(?:o|or|-|to)\s+(\w+))?\s+(?:of them|of em|de ellos|de ellas)\b")
_PLURAL_VEHICLE = re.compile(r"\b(?:camionetas|trocas|trokas|vans|suvs|carros|coches|autos|cars|trucks|pickups|"
                             r"suburbans|tahoes|jeeps|sedans|minivans|vehiculos|vehicles|patrullas)\b")
_PLURAL_PERSON = re.compile(r"\b(?:agentes|agents|officers|oficiales|policias|cops|feds|guys|men|hombres|tipos|"
                            r"dudes|vatos|personas|people|workers|trabajadores)\b")


def _them_referent(folded: str, pos: int) -> str | None:
    """What "4 of them" / "6 de ellos" counts: the plural noun named last before it (vehicles or people)."""
    before = folded[:pos]
    v = [m.start() for m in _PLURAL_VEHICLE.finditer(before)]
    p = [m.start() for m in _PLURAL_PERSON.finditer(before)]
    if not v and not p:
        return None
    return "vehicles" if (v[-1] if v else -1) > (p[-1] if p else -1) else "agents"


_HEDGE_NUM = re.compile(
    r"\b(?:like|maybe|about|around|approx|aprox|como|unos|unas|roughly|probably|eran|son)\s+"
    r"(?:(?:como|unos|unas|like|about|around|maybe|de)\s+)*(\w+)(?:\s*(?:o|or|-|to|a)\s*(\d+|[a-z]+(?=\W|$)))?"
    r"(?=\s*(?:[,.;!?]|$)|\s+(?:y|and|con|with|en|in|at|a|al|por|on|near|outside|afuera|cerca|frente|by|"
    r"stopping|parando|que|who|se|hace|pidiendo|asking|"
    r"preguntando|tocando|knocking|esperando|waiting|rn|ahorita|orita|horita|now|right|hoy|today|this|esta|"
    r"ya|still|todavia)\b)")
_OF_AGENCY = re.compile(r"\b(\w+)(?:\s+(?:o|or|-|y)\s+(\w+))?\s+de\s+(?:la\s+)?(?:migra|ice|(?:in|i)?m+igra(?:c|s)i?on|"
                        r"border patrol|patrulla fronteriza|cbp)\b")
_AGENT_MENTION = re.compile(_PERSON + "|" + _AGENCY)


def _loose_agent_count(folded: str) -> int | None:
    """Agent counts said apart from the noun: "dos de la migra", "unos señores de la migra como unos cuatro",
    "CBP agents outside the station, maybe 6 or 7", "una camioneta de ICE con 3 adentro", "she counted 7". Only
    after agents were mentioned, never before a noun of something else (minutes, cars), and never from a vague
    word."""
    out = _GOT_OUT.search(folded)
    if out and _num(out.group(1) or out.group(2)) is not None and (out.group(1) or out.group(2)) not in _ARTICLE_ONE \
            and (_num(out.group(1) or out.group(2)) or 0) <= 20:
        return _num(out.group(1) or out.group(2))  # "se bajaron 2 y tocaron", "3 got out": people who got out
    inside = _N_INSIDE.search(folded)
    if inside and _num(inside.group(1)) is not None and inside.group(1) not in _ARTICLE_ONE:
        return _num(inside.group(1))  # people seen sitting in a vehicle are agents (labelling rules, eval4)
    for m in _OF_AGENCY.finditer(folded):
        a, b = _num(m.group(1)), _num(m.group(2) or "")
        if a is not None and m.group(1) not in _ARTICLE_ONE and not (m.start() and folded[m.start() - 1:m.start()]
                                                                       .isdigit()):
            prev = folded[max(0, m.start() - 4):m.start()]
            if not re.search(r"\b(?:la|el|las|los)\s$", prev):
                return max(a, b or 0)
    first = _AGENT_MENTION.search(folded)
    if first is None or not _people_present(folded):
        return None  # "una troca de la migra…, como 4": the agency only describes a vehicle
    counted = _COUNTED.search(folded, first.start())
    if counted and _num(counted.group(1)) is not None and counted.group(1) not in _ARTICLE_ONE:
        return _num(counted.group(1))
    dozen = re.search(r"\b(?:a|una)\s+(?:dozen|docena)\b(?!\s+(?:(?:de|of)\s+)?(?:[\w']+\s+){0,2}?"
                      + _VEHICLE_WORD + ")", folded[first.start():])
    if dozen:
        return 12  # "ICE agents (maybe a dozen)": said apart from the noun
    for m in _HEDGE_NUM.finditer(folded, first.start()):
        a = _num(m.group(1))
        if a is None or m.group(1) in _ARTICLE_ONE or m.group(1) in ("par", "pair", "docena", "dozen") or a > 30:
            continue
        if re.match(r"\s*(?:a\.?\s?m\b|p\.?\s?m\b|:\d|de la (?:manana|tarde|noche))", folded[m.end(1):]) or \
                re.search(r"\b(?:morning|afternoon|evening|night|today|manana|tarde|noche|hoy|at|a las|since|desde|"
                          r"until|till|hasta|from)\s*$", folded[:m.start()]):
            continue  # "about 10 a.m.", "this morning around 9": a clock time
        corner = re.match(r"\s+(?:y|and|&|n)\s+([a-z]+|\d+)", folded[m.end():])
        if corner and (corner.group(1) in _lexicon()[0] or corner.group(1).isdigit()):
            continue  # "como 26 y Pulaski" is a corner
        if re.match(r"(?:around|about|at)\b", m.group()) and a <= 12 and not re.search(_PERSON, folded):
            continue  # "ICE at the Jewel on 26th around 9": with no agents named, a clock time
        b = _num(m.group(2) or "") if m.group(2) not in _ARTICLE_ONE else None
        return max(a, b or 0)
    return None


_GOT_OUT = re.compile(r"\bse (?:bajaron|bajan|salieron) (?:como |unos |like )?(\w+)\b(?! (?:de|del|minutos|mins?))"
                      r"|(?<!\bno )(?<!\bnot )(?<!\bany )(?<!\bnadie )\b(\w+) (?:of them )?"
                      r"(?:got|jumped|stepped|get|came) out\b")
_N_INSIDE = re.compile(r"\b(?:con|with)\s+(?:like\s+|como\s+|unos\s+|about\s+)?(\w+)\s+(?:adentro|dentro|inside|"
                       r"in it|in them)\b")
_COUNTED = re.compile(r"\b(?:counted|conte|conto|contamos|contaron)\s+(?:like\s+|about\s+|como\s+|unos\s+|around\s+)?"
                      r"(\w+)\b(?!\s+(?:\w+\s+)?(?:vans?|suvs?|cars?|trucks?|camionetas?|trocas?|carros?|"
                      r"vehicles?|vehiculos?|patrullas?))")
_AND_MORE = re.compile(r"[^.;!?]{0,40}?\b(?:and|y)\s+(one|uno|otro|another|two|dos)\s+(?:more\s+|mas\s+)?"
                       r"(?:in|inside|en|adentro de|dentro de|at|by|sitting in|waiting in)\s+(?:the|el|la|a|una|un)\s+")
_LOOSE_VEHICLES = re.compile(
    r"\b(?:counted|conte|contamos|contaron)\s+(?:like\s+|about\s+|como\s+|unos?\s+|unas\s+)?(\w+)(?!\s*(?:agent|"
    r"officer|guy|men|agente|oficial|hombre|tipo|dude|people|persona))|"
    r"^\W*(?:at least|al menos|por lo menos|like|about|around|como|unas|unos|maybe)\s+(\w+)\W*$|"
    r"(?:vans?|suvs?|cars?|trucks?|camionetas?|trocas?|carros?|vehicles?)\s*x\s*(\d{1,2})\b")


def _loose_vehicle_count(folded: str) -> int | None:
    """A vehicle count said apart from the noun when vehicles are all the story shows: "trocas de la migra dando
    vueltas, yo conté 4", "CBP SUVs lined up outside…, at least 5", "unmarked vans x3". Never when agents are part
    of the scene (the number could be theirs)."""
    if not re.search(r"\b(?:vans|suvs|cars|trucks|camionetas|trocas|carros|vehicles|vehiculos|patrullas|"
                     r"tahoes|suburbans)\b", folded) or _people_present(folded):
        return None
    for clause in re.split(r"[,;.!?]", folded):
        m = _LOOSE_VEHICLES.search(clause.strip())
        if m:
            a = _num(m.group(1) or m.group(2) or m.group(3) or "")
            if a is not None and 1 < a <= 30:
                return a
    return None


# "car wash", "auto shop", "car seat": a business or a thing named after a vehicle
_NOT_A_VEHICLE_AFTER = {"buren", "wash", "seat", "door", "shop", "body", "parts", "repair", "mechanic", "dealer",
                        "dealership", "insurance", "lot", "zone", "zona"}
_SINGLE_VEHICLE = re.compile(r"^(?:camioneta|troca|troka|van|suv|carro|coche|auto|vehiculo|vehicle|car|truck|pickup|"
                             r"suburban|tahoe|durango|explorer|jeep|sedan|minivan|patrulla|charger|impala|vic|yukon|escalade|"
                             r"expedition)$")
_BRANDS = {"dodge", "chevy", "chevrolet", "ford", "gmc", "toyota", "honda", "nissan", "cop", "squad", "sin", "placas",
           "crown", "cadillac", "jeep", "unmarked",
           "no", "plates", "grey", "gris", "negra", "negro", "blanca", "blanco", "gray", "polarizada", "polarizado"}


# a model name is itself a description of the SUVs agents drive ("se lo llevaron en una suburban")
_WRITER_SIDE = re.compile(r"^(?:i|we|yo|friend|amig[oa]|wife|husband|esposa|esposo|mom|dad|mama|papa|sister|"
                         r"brother|hermana|hermano|kids|ninos|hijos|son|daughter|cousin|prima|primo|was|were|estaba|"
                         r"estabamos|sitting|sentad[oa])$")
_MODELS = {"suburban", "tahoe", "durango", "explorer", "yukon", "escalade", "charger", "impala", "expedition"}


_TAKEN_FROM = re.compile(r"^(?:quitaron|quito|quitan|remolcaron|remolco|incautaron|decomisaron|towed|tow|"
                         r"impounded|seized|confiscated|took|searched|revisaron|esculcaron|registraron)$")


def _one_vehicle(toks: list[_Tok]) -> bool:
    """One vehicle named in the singular as the thing seen, with no number: "la troca de la migra está parada",
    "ICE van parked at…", "unmarked grey Dodge Durango". Not "mi carro", "del carro", "el carro de mi vecino"."""
    n = len(toks)
    for i, t in enumerate(toks):
        if not _SINGLE_VEHICLE.match(t.w):
            continue
        if i + 1 < n and (toks[i + 1].w.startswith("fronteriza") or toks[i + 1].w in _NOT_A_VEHICLE_AFTER):
            continue
        if i + 2 < n and toks[i + 1].w in ("de", "of") and toks[i + 2].w in ("mi", "my", "su", "his", "her", "their",
                                                                          "un", "una", "a", "los", "las"):
            continue
        if i and toks[i - 1].w in ("sin", "no", "without", "ningun", "ninguna", "ni"):
            continue  # "a pie, sin carro": no vehicle
        if i >= 2 and toks[i - 1].w in ("el", "la", "su", "his", "her", "their", "the") and _TAKEN_FROM.match(
                toks[i - 2].w):
            continue  # "a mi cuñado le quitaron el carro", "they towed his car": the car of the person stopped
        if i >= 3 and toks[i - 1].w in ("the", "el", "la", "my", "mi", "our") and toks[i - 2].w in ("in", "en") \
                and _WRITER_SIDE.match(toks[i - 3].w):
            continue  # "my friend in the car said…", "I was in the car": the writer's own car
        k = i - 1
        while k >= 0 and (_FILLER.match(toks[k].w) and toks[k].w not in ("de", "del", "la", "el", "en", "in", "with",
                                                                           "con", "of", "no", "sin")
                          or toks[k].w in _BRANDS) and i - k <= 4:
            k -= 1
        prev = toks[k].w if k >= 0 else "."
        nxt = toks[i + 1].w if i + 1 < n else "."
        if prev in ("la", "el", "the", "this", "that", "esa", "ese", "esta", "este", ".", "!", ":", ";") or (
                prev == "," and (k == 0 or nxt in (".", ",", "!", ";"))):
            return True  # "the van", "…, grey minivan" (a list item)
        if prev in (",", "and", "y") and any(toks[x].w in ("unmarked", "sin", "no") for x in range(k + 1, i)) \
                and not toks[i].w.endswith("s"):
            return True  # "…took the cook out the back, unmarked car outside"
        # a make or "unmarked" describes an enforcement vehicle; a colour alone may be anybody's car
        described = t.w in _MODELS or any(toks[x].w in _BRANDS and toks[x].w not in (
            "grey", "gris", "negra", "negro", "blanca", "blanco", "gray") for x in range(k + 1, i))
        before = toks[k - 1].w if k >= 1 else "."
        stop_before = any(re.match(r"(?:pulled|stopped|pararon|paro|detuvieron|over)$", toks[x].w)
                          for x in range(max(0, k - 6), k))
        if prev in ("a", "an", "un", "una") and k >= 2 and before in ("of", "de", "del") and re.match(
                r"(?:out|bajaron|bajaban|salieron|jumped|got|get|gets|getting|stepped|came)$", toks[k - 2].w):
            return True  # "2 agents got out of a gray minivan": the agents' vehicle
        if prev in ("a", "an", "un", "una") and k >= 2 and before in ("a", "al", "en", "in", "into") and re.match(
                r"(?:subieron|metieron|subio|metio|llevaron|put|pushed|forced|threw|loaded|shoved)$", toks[k - 2].w):
            return True  # "lo subieron a un carro gris": the vehicle someone was put into
        if prev in ("a", "an", "un", "una") and described and not stop_before and before in (
                "had", "have", "has", "in", "en", "with", "con", "drove", "driving", "tenian", "traian", "traen",
                "tienen", "andan", "andaban", "llegaron", "came", "left", "se", "fueron", "into", "llevaron",
                "subieron", "metieron", "took", "put", "escaped", "sped"):
            return True  # "in a grey Ford Explorer", "they had an unmarked Dodge Charger"
    return False


_DESCRIBES = {"had", "has", "was", "wore", "carried", "held", "pointed", "tenia", "traia", "llevaba", "cargaba",
              "apuntaba", "tiene", "trae", "lleva", "carrying", "holding", "wearing"}


_ESCORT = re.compile(r"^(?:brought|bringing|trajeron|trajo|escorting|escoltando|walked|sacaron|sacando|bajaron|"
                     r"subieron|subio|metieron|put|puts|putting|shoved|threw|metiendo|subiendo)$")


def _detained(toks: list[_Tok], i: int, people: bool = False) -> bool:
    """Is the count the object of a detention ("se llevaron a dos señores", "arrested two guys")? With ``people``,
    also of a person brought or walked out ("they brought a guy in cuffs"), which says nothing of a vehicle."""
    for back in range(1, 5):
        if i - back < 0:
            return False
        w = toks[i - back].w
        if _DETAIN.match(w) or (people and _ESCORT.match(w)):
            return True
        if w in (".", "!", "?", ";", "y", "and", ",", "en", "in", "into", "con", "with"):
            return False  # "se los llevaron en 2 camiones": the count after a preposition is not who was taken
    return False


def _possessed(toks: list[_Tok], i: int) -> bool:
    """'mi carro', 'my car' — the writer's own vehicle is not an enforcement vehicle."""
    prev = toks[i - 1].w if i else ""
    return prev in ("mi", "my", "su", "his", "her", "our", "nuestro", "nuestra")


# --------------------------------------------------------------------------- place span


def find_place_span(text: str) -> tuple[int, int] | None:
    """Lightweight place span: an address ("en la 3100 de la 26"), a corner ("la 26 y Pulaski", "18th n blue
    island"), a named place after a preposition ("en Pilsen", "afuera del Walmart de la Cermak") or a street
    ("on 26th st"). The span is what the flow hands to GeoService.resolve; this function resolves nothing."""
    folded = fold(text)
    toks = _tokens(text, folded)
    words, _ = _lexicon()
    best: tuple[float, int, int] | None = None  # (priority, start, end): lower priority value wins, then longer

    def offer(prio: float, a: int, b: int) -> None:
        nonlocal best
        cand = (prio, toks[a].start, toks[b].end)
        if best is None or (cand[0], -(cand[2] - cand[1])) < (best[0], -(best[2] - best[1])):
            best = cand

    n = len(toks)
    for i, t in enumerate(toks):
        # address: [la|el|the] 3100 [block of | de [la]] [S] street
        if t.w.isdigit() and 3 <= len(t.w) <= 5 and not _years_or_time(toks, i):
            j = i + 1
            if j < n and toks[j].w in ("block", "blk", "cuadra", "bloque"):
                j += 1
                if j < n and toks[j].w in ("of", "de"):
                    j += 1
            elif j < n and toks[j].w in ("de", "del", "on", "en"):
                j += 1
            end = _street_forward(toks, j, words, strong_needed=False)
            if end is not None:
                a = i - 1 if i and toks[i - 1].w in ("la", "el", "the") else i
                offer(0, a, end)
        # corner: street SEP street
        if t.w in _SEPS and 0 < i < n - 1:
            left = _street_backward(toks, i - 1, words)
            right = _street_forward(toks, i + 1, words, strong_needed=False)
            if left is not None and right is not None:
                lstart, lstrong, lnum = left
                rstrong = _strength(toks, i + 1, right, words)
                plain_nums = lnum == "plain" and _plain_number_side(toks, i + 1, right)
                area = t.w in ("near", "by", "at") and (
                    " ".join(x.w for x in toks[lstart:i] if x.w not in ("la", "el", "the")) in _lexicon()[1]
                    or " ".join(x.w for x in toks[i + 1:right + 1] if x.w not in ("la", "el", "the"))
                    in _lexicon()[1])  # "Pilsen near 18th": a neighbourhood near a street is not a corner
                if (lstrong or rstrong) and not plain_nums and not area and _fits_corner(toks, lstart, i, right, lnum):
                    offer(1, lstart, right)
            elif t.w in ("y", "and", "&") and i >= 2 and toks[i - 2].w in ("la", "el") and _fits_corner(
                    toks, i - 2, i, i + 1, "name"):
                # "la kedsie y 47" / "la 47 y kedsie": a misspelt street name met with a numbered street
                lw, rw = toks[i - 1], toks[i + 1]
                if (_unknown_name(lw) and rw.w.isdigit() and len(rw.w) <= 3) or (
                        lw.w.isdigit() and len(lw.w) <= 3 and _unknown_name(rw)):
                    offer(1, i - 2, i + 1)
        # named place / landmark / street after a preposition
        if t.w in _PREPS and i + 1 < n:
            j = i + 1
            while j < n and (toks[j].w in ("de", "del", "la", "el", "the", "of", "a", "al", "to", "los", "las") or (
                    toks[j].w in ("front", "side", "back", "middle", "entrada", "salida") and j + 1 < n
                    and toks[j + 1].w in ("of", "de", "del"))):
                j += 1  # "in front of the …", "la entrada del …": part of the preposition
            end = _named_forward(toks, j, text, words)
            if end is not None:
                a = j - 1 if j - 1 > i and toks[j - 1].w in ("la", "el") else j
                # landmark + street: "el Walmart de la Cermak", "the Home Depot on Pulaski"
                k = end + 1
                if k + 1 < n and toks[k].w in ("de", "on", "en", "at", "in", "del"):
                    ext = _street_forward(toks, k + 1, words, strong_needed=True)
                    if ext is not None:
                        end = ext
                offer(_named_priority(toks, a, end), a, end)
            else:
                a = j - 1 if j - 1 > i and toks[j - 1].w in ("la", "el", "the", "calle", "avenida") else j
                end = _street_forward(toks, a, words, strong_needed=True)
                station = end is not None and _station_after(toks, end + 1)
                if station:
                    offer(0.5, a, station)  # "the 87th st Red line station": a station named by its street
                elif end is not None and not any(re.match(r"(?:bus|buses|camion|route|ruta)$", toks[x].w)
                                                 for x in range(end + 1, min(n, end + 3))):
                    offer(3, a, end)  # (not "the 9 Ashland bus": a bus route)
    for m in _CHAIN.finditer(folded):
        a = next((x for x, t in enumerate(toks) if t.start == m.start()), None)
        b = next((x for x, t in enumerate(toks) if t.end == m.end()), None)
        if a is None or b is None:
            continue
        if a and toks[a - 1].w in ("el", "la", "the"):
            a -= 1
        prio = 1.5  # a chain's name alone ("enfrente del Walgreens") names no one store: a corner is more precise
        if b + 2 < n and toks[b + 1].w in ("de", "del", "on", "en", "at", "in"):  # "el home depot de la north ave"
            ext = _street_forward(toks, b + 2, words, strong_needed=True)
            if ext is not None:
                b, prio = ext, 0
        offer(prio, a, b)
        break
    for m in _INSTITUTION.finditer(folded):
        cand = (0.5, m.start(), m.end())  # an address (0) is still more precise
        if best is None or (cand[0], -(cand[2] - cand[1])) < (best[0], -(best[2] - best[1])):
            best = cand
        break
    _, names = _lexicon()
    if best is None:
        for name in names:
            m = re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", folded)
            if m:
                best = (4, m.start(), m.end())
                break
    return (best[1], best[2]) if best else None


# stores and malls people name in lower case ("el home depot de la north ave", "walmart de la cicero")
_CHAIN = re.compile(r"\b(?:home depot|walmart|target|jewel(?:[- ]osco)?|aldi|costco|menards|lowe'?s|walgreens|"
                    r"food 4 less|pete'?s fresh market|cermak fresh market|brickyard mall|discount mall|"
                    r"swap[- ]o[- ]rama)\b")
# one-of-a-kind institutions named by a common noun: there is one immigration court and one Mexican consulate
_INSTITUTION = re.compile(r"\b(?:(?:la )?corte de (?:in)?migracion|(?:the )?immigration court(?:house)?|"
                          r"(?:el )?consulado(?: mexicano| de mexico)|(?:the )?mexican consulate)\b")
_LANDMARK_NOUN = re.compile(r"^(?:escuela|school|academy|elementary|high|colegio|primaria|secundaria|prepa|"
                            r"preparatoria|academia|iglesia|church|parroquia|parish|"
                            r"hospital|clinica|clinic|consulado|consulate|mall|market|mercado|plaza|station|estacion|"
                            r"stop|line|depot|walmart|target|jewel|aldi|costco|library|biblioteca|courthouse|corte|"
                            r"court|center|centro|shelter|albergue|arch|arco|hospitals?)$")


def _named_priority(toks: list[_Tok], a: int, end: int) -> float:
    """Rank of a capitalised name after a preposition: a landmark ("la escuela Whittier", "Little Village Academy",
    "Home Depot de la Pulaski") is more specific than the corner near it (0); a neighbourhood ("en Humboldt Park")
    is less specific than a street (4); anything else ranks as before (2)."""
    words = [toks[x].w for x in range(a, end + 1) if toks[x].w not in ("la", "el", "the", "los", "las")]
    _, names = _lexicon()
    if " ".join(words) in names or (words and " ".join(words[:2]) in names and not any(
            _LANDMARK_NOUN.match(w) for w in words)):
        return 4
    if words and _CHAIN.fullmatch(" ".join(words)):
        return 1.5  # "enfrente del Walmart": a chain's name alone names no one store; a corner is more precise
    if any(_LANDMARK_NOUN.match(w) for w in words):
        return 0
    if words and words[0] in _SAINT and words[0] != "la" and toks[end].w not in _TYPES and (
            len(words) < 2 or words[1] not in _saint_streets()):
        return 0  # "St. Genevieve", "Our Lady of Mercy", "Santa Rita": a church, school or hospital, not a street
    return 2


_SAINT = {"san", "santa", "santo", "santos", "st", "sta", "saint", "our", "nuestra", "sagrado", "holy", "la"}
_LINE_COLOURS = {"red", "blue", "green", "orange", "pink", "brown", "purple", "yellow", "roja", "azul", "verde",
                 "naranja", "rosa", "cafe", "morada", "amarilla"}


def _station_after(toks: list[_Tok], k: int) -> int | None:
    """Index of the last token of "(Red) line station/stop" or "station" right after a street, or None."""
    n = len(toks)
    if k < n and toks[k].w in _LINE_COLOURS:
        k += 1
        if k < n and toks[k].w in ("line", "linea"):
            return k + 1 if k + 1 < n and toks[k + 1].w in ("station", "stop", "estacion") else k
        return None
    if k < n and toks[k].w in ("station", "estacion"):
        return k
    return None


def _unknown_name(tok: _Tok) -> bool:
    """A word that may be a misspelt street name: letters only, not a function, domain or number word."""
    w = tok.w
    return w.isalpha() and len(w) >= 4 and w not in _STOP and not _common_word(w)


def _years_or_time(toks: list[_Tok], i: int) -> bool:
    nxt = toks[i + 1].w if i + 1 < len(toks) else ""
    return bool(_TIME_NOUNS.match(nxt)) and not re.match(r"(?:cuadras?|blocks?)$", nxt)


def _is_ordinal(w: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(?:st|nd|rd|th|va|vo|ava|avo)?", w)) or _street_number_word(w)


def _street_number_word(w: str) -> bool:
    """"la veintiséis", "la dieciocho": Spanish speakers name numbered streets in words too (12 and up, so that
    "la una" — one o'clock — is not a street)."""
    return (_num(w) or 0) >= 12 or bool(re.fullmatch(r"(?:veinti|treinta|cuarenta|cincuenta|sesenta|setenta|"
                                                      r"ochenta|noventa)\w*", w))


def _name_word(tok: _Tok, words: frozenset[str]) -> bool:
    w = tok.w
    if tok.orig == "Van":
        return True  # "Van Buren", "Van Vlissingen": a capitalised "Van" starts a street name, not a vehicle
    if not w.isalpha() or w in _STOP or _DOMAIN.match(w) or _num(w) is not None or w in _SEPS:
        return False
    return True


def _street_forward(toks: list[_Tok], j: int, words: frozenset[str], *, strong_needed: bool) -> int | None:
    """Index of the last token of a street phrase starting at ``j`` ([article] [dir] core [type]), or None."""
    n = len(toks)
    k = j
    while k < n and toks[k].w in _ARTICLES and k + 1 < n and k - j < 2:
        k += 1  # "la 26", "la calle 18", "the"
    if k + 1 < n and toks[k].w in _DIRS and toks[k].w not in ("e", "o") and (
            _is_ordinal(toks[k + 1].w) or _name_word(toks[k + 1], words)):
        k += 1
    if k >= n:
        return None
    if toks[k].w == "north" and k + 1 < n and toks[k + 1].w in _TYPES:
        return k + 1  # North Avenue: the only grid street named by a direction
    if _is_ordinal(toks[k].w):
        end = k
        if strong_needed and not (toks[k].w[-1].isalpha() or k > j):  # bare "26" needs "la 26" or "26th"
            if not (end + 1 < n and toks[end + 1].w in _TYPES):
                return None
    else:
        end = None
        m = k
        while m < n and m - k < 3 and _name_word(toks[m], words):
            end = m
            m += 1
        if end is None:
            return None
        # trim to what we trust: lexicon or Capitalised words (a lower-case unknown word ends the name)
        trusted = [x for x in range(k, end + 1) if toks[x].w in words or toks[x].orig[:1].isupper()]
        if trusted and trusted[0] == k:
            last = k
            while last + 1 in trusted:
                last += 1
            end = last  # "Pulaski desde" → "Pulaski"
        if strong_needed or not trusted:
            if not trusted or trusted[0] != k:
                return None
            last = k
            for x in range(k, end + 1):
                if x in trusted:
                    last = x
                else:
                    break
            end = last
    if end + 1 < n and toks[end + 1].w in _TYPES:
        end += 1
    return end


def _street_backward(toks: list[_Tok], end: int, words: frozenset[str]) -> tuple[int, bool, str] | None:
    """(start index, strong?, 'ordinal'|'plain'|'name') of a street phrase ending at ``end``."""
    k = end
    if toks[k].w in _TYPES and k > 0 and (toks[k - 1].w.isalnum()):
        k -= 1
    if _is_ordinal(toks[k].w):
        start = k
        kind = "ordinal" if not toks[k].w.isdigit() else "plain"
        strong = True
    else:
        start = None
        m = k
        while m >= 0 and k - m < 3 and _name_word(toks[m], words):
            start = m
            m -= 1
        if start is None:
            return None
        trusted = [x for x in range(start, k + 1) if toks[x].w in words or toks[x].orig[:1].isupper()
                   or (toks[x].w == "north" and x == k)]
        if not trusted:
            return None
        start = min(trusted) if toks[k].w in words or toks[k].orig[:1].isupper() or toks[k].w == "north" else None
        if start is None:
            return None
        # keep only the contiguous trusted run that ends at k
        s = k
        while s - 1 >= 0 and (s - 1) in trusted:
            s -= 1
        start = s
        kind, strong = "name", True
    if start > 0 and toks[start - 1].w in _DIRS and toks[start - 1].w not in ("e", "o", "y") and start - 2 >= 0:
        start -= 1
    if start > 0 and toks[start - 1].w in ("la", "el", "the", "calle", "avenida"):
        start -= 1
        if kind == "plain":
            kind = "ordinal"
    return start, strong, kind


def _strength(toks: list[_Tok], j: int, end: int, words: frozenset[str]) -> bool:
    return any(_is_ordinal(toks[x].w) and (not toks[x].w.isdigit() or x > j) or toks[x].w in words
               or toks[x].orig[:1].isupper() for x in range(j, end + 1))


def _plain_number_side(toks: list[_Tok], j: int, end: int) -> bool:
    return all(toks[x].w.isdigit() for x in range(j, end + 1))


def _fits_corner(toks: list[_Tok], lstart: int, sep: int, rend: int, lkind: str) -> bool:
    """Reject counts that look like corners: "entre 3 y 5 agentes", "2 y 3 camionetas"."""
    nxt = toks[rend + 1].w if rend + 1 < len(toks) else ""
    if (_VEHICLE_NOUNS.match(nxt) and nxt not in ("bus", "camion")) or _STRONG_AGENT.match(nxt) or \
            _WEAK_PERSON.match(nxt) or _TIME_NOUNS.match(nxt):
        return False  # ("the Marquette and Kedzie bus stop" is a corner)
    if lkind == "plain" and lstart > 0 and toks[lstart - 1].w in ("entre", "between", "como", "like", "unos"):
        return toks[rend].w.isalpha()
    return True


_LANDMARK = re.compile(r"^(?:escuela|prepa|preparatoria|primaria|secundaria|academia|parque|iglesia|"
                       r"tienda|mercado|plaza|hospital|clinica|supermercado|"
                       r"restaurante|fabrica|colegio|biblioteca|gasolinera|lavanderia|panaderia|taqueria|"
                       r"estacion|parroquia|calle|avenida)$")


def _named_forward(toks: list[_Tok], j: int, text: str, words: frozenset[str]) -> int | None:
    """Capitalised words after a preposition ("Pilsen", "Little Village", "Walmart", "Benito Juarez"), allowing
    "de"/"del"/"of the" between capitals ("Back of the Yards", "Plaza de las Americas")."""
    n = len(toks)
    end = None
    k = j
    if k + 1 < n and _LANDMARK.match(toks[k].w) and toks[k + 1].orig[:1].isupper():
        k += 1  # "la escuela Benito Juárez", "el parque Gage": the common noun belongs to the name
    elif k + 1 < n and _LANDMARK.match(toks[k].w) and toks[k + 1].w in words and not _common_word(toks[k + 1].w):
        # "la estacion pulaski de la linea naranja": a landmark named after its street, in lower case
        end = k + 1
        if end + 3 < n and toks[end + 1].w in ("de", "del") and toks[end + 2].w == "la" and \
                toks[end + 3].w in ("linea", "line"):
            end += 3 + (1 if end + 4 < n and toks[end + 4].w.isalpha() else 0)
        return end
    elif k + 1 < n and re.match(r"(?:hospital|escuela|prepa|preparatoria|primaria|secundaria|colegio|academia|"
                                r"iglesia|parroquia|clinica|biblioteca|parque)$", toks[k].w) and (
            (_unknown_name(toks[k + 1]) and toks[k + 1].w not in words)
            or (toks[k + 1].w in _SAINT and k + 2 < n and toks[k + 2].w.isalpha() and toks[k + 2].w not in _STOP)):
        # "el hospital mount sinai", "la iglesia san pio": a landmark named in lower case
        end = k + 1
        while end + 1 < n and end - k < 3 and (_unknown_name(toks[end + 1]) or (
                toks[end].w in _SAINT and toks[end + 1].w.isalpha() and toks[end + 1].w not in _STOP)):
            end += 1
        return end
    while k < n:
        t = toks[k]
        if t.w in ("st", "sta", "ste", "mt") and t.orig[:1].isupper() and k + 2 < n and toks[k + 1].w == "." and \
                toks[k + 2].orig[:1].isupper():
            end = k = k + 2  # "St. Procopius", "Mt. Sinai": the abbreviation's dot does not end the name
            k += 1
            continue
        if t.orig[:1].isupper() and t.w.replace("'", "").isalpha() and t.w not in _STOP and not _DOMAIN.match(t.w) and \
                not (t.orig.isupper() and len(t.orig) <= 4 and t.w not in words) and t.w not in _SEPS:
            end = k
            k += 1
            continue
        if end is not None and _LANDMARK_NOUN.match(t.w) and t.w not in ("stop", "line"):
            end = k  # "Little Village Lawndale high school", "the Cook County courthouse"
            k += 1
            continue
        if end is not None and end == k - 1 and k + 1 < n and t.w.isalpha() and t.w not in _STOP and \
                not _DOMAIN.match(t.w) and t.w not in _SEPS:
            nxt = k + 1 if _LANDMARK_NOUN.match(toks[k + 1].w) else k + 2 if (
                k + 2 < n and toks[k + 1].w.isalpha() and toks[k + 1].w not in _STOP and
                _LANDMARK_NOUN.match(toks[k + 2].w)) else None
            if nxt is not None and toks[nxt].w not in ("stop", "line"):
                end = k = nxt  # "Rogers Park red line station": lower-case words inside a landmark's name
                k += 1
                continue
        if end is not None and t.w in ("de", "del", "of", "the", "la", "las", "los") and k + 1 < n:
            nxt = k + 1 + (1 if toks[k + 1].w in ("the", "la", "las", "los") and k + 2 < n else 0)
            if toks[nxt].orig[:1].isupper() and toks[nxt].w not in _STOP and not _DOMAIN.match(toks[nxt].w):
                k = nxt
                continue
        break
    if end is None:
        return None
    if end + 1 < n and toks[end + 1].w in _TYPES:
        end += 1
    return end


# --------------------------------------------------------------------------- redaction and details

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\bt\.me/\S+|\btelegram\.me/\S+", re.I)
_NAME_CUE = re.compile(
    r"\b(?:se llama|llamad[oa]|named|called|mi vecin[oa]|my neighbou?r|don|dona|doña|sr\.?|sra\.?|srta\.?|"
    r"senor|señor|senora|señora|mr\.?|mrs\.?|ms\.?|a mi (?:tio|tia|tío|tía|primo|prima|hermano|hermana)|"
    r"my (?:uncle|aunt|cousin|brother|sister)|se llevaron a|took|arrested|detuvieron a|agarraron a)\s+"
    r"((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+){0,2})"
)
_HOME_ADDRESS = re.compile(
    r"\b(?:vivo en|vive en|viven en|i live at|i live on|lives at|live at|my address|mi direccion|mi dirección|"
    r"su casa en|mi casa en|my house on|my house at|their house on|su casa de)\s+(?:la |el |the )?"
    r"(\d{1,5}(?:\s+[NSEWnsew]\.?)?(?:\s+[\w.]+){1,3}(?:\s+(?:apt|apto|depto|unit|#)\s*\w+)?)"
)
_APT = re.compile(r"\b(?:apt|apto|depto|departamento|unit|apartment|piso|floor)\.?\s*#?\s*\d+\w?\b|#\s*\d+\w?\b",
                  re.I)
_SPELLED = re.compile(
    r"\b(?:(?:cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|zero|oh|one|two|three|four|five|six|seven|"
    r"eight|nine)[\s,.-]+){6,}(?:cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|zero|oh|one|two|three|"
    r"four|five|six|seven|eight|nine)\b",
    re.I,
)


def redact_more(text: str) -> tuple[str, bool]:
    """What :func:`bot.reports.redact` leaves: links (t.me/…, URLs), phone numbers spelled out in words, names
    after cues ("se llevaron a Juan Pérez", "mi vecina Rosa"), home addresses ("vivo en 2345 S Kedzie", "mi casa
    en …") and apartment numbers. Street corners and business landmarks stay: they are the place of the report."""
    out = _URL.sub("[…]", text)
    out = _SPELLED.sub("[…]", out)
    out = _HOME_ADDRESS.sub(lambda m: m.group(0).replace(m.group(1), "[…]"), out)
    out = _NAME_CUE.sub(lambda m: m.group(0).replace(m.group(1), "[…]"), out)
    out = _APT.sub("[…]", out)
    return out, out != text


def _details(text: str) -> tuple[str, bool]:
    first, a = redact(text.strip())
    second, b = redact_more(first)
    if len(second) > MAX_DETAILS:
        second = second[: MAX_DETAILS - 1].rstrip() + "…"
    return second, a or b


# --------------------------------------------------------------------------- typed answers at each step


def parse_when(text: str) -> str | None:
    """A typed answer to "when?": the story rules plus bare answers ("15", "15 min", "1h", "earlier")."""
    f = fold(text or "").strip()
    bare = re.fullmatch(r"(?:<|menos de|less than|under)?\s*(\d{1,3})\s*(?:m|min|mins|minutos?|minutes?)?", f)
    if bare:
        n = int(bare.group(1))
        return "now" if n == 0 else "15m" if n <= 15 else "1h" if n <= 60 else "today"
    if re.fullmatch(r"(?:<\s*)?1\s*h(?:r|ora|our)?", f):
        return "1h"
    if re.fullmatch(r"(?:ya|yes|si)?\s*(?:antes|before|earlier|mas temprano|temprano)", f):
        return "today"
    return _when(f)


def parse_count(text: str, kind: str) -> str | None:
    """A typed answer to "how many agents/vehicles?": "2", "dos", "3-5", "como 5", "más de 10", "ninguno", "no sé".
    Vague answers ("muchos") return None so the buttons are shown again."""
    if kind not in ("agents", "vehicles"):
        raise ValueError(kind)
    f = fold(text or "").strip()
    if re.fullmatch(r"(?:no se|nose|idk|i don'?t know|dont know|no idea|ni idea|no estoy segur[oa]|not sure|"
                    r"unknown|desconocido|\?+)\W*", f):
        return "unknown"
    if re.fullmatch(r"(?:0|cero|zero|ninguno|ninguna|ningun|none|no|nada|nadie|no vi|nope)\W*", f):
        return "0" if kind == "vehicles" else None
    exact = {"10+": "10+", "4+": "4+", "1-2": "1-2", "3-5": "3-5", "6-10": "6-10", "2-3": "2-3"}
    key = f.replace(" ", "")
    if key in exact and key in (("1-2", "3-5", "6-10", "10+") if kind == "agents" else ("2-3", "4+")):
        return exact[key]
    toks = [t for t in re.findall(r"\d+|[a-z]+|[-+]", f)]
    numbers: list[int] = []
    more = False
    for i, w in enumerate(toks):
        n = _num(w)
        if n is not None and w not in ("a", "an", "o") and not (w in ("un", "una") and i + 1 < len(toks)
                                                                   and toks[i + 1] in ("par", "docena")):
            numbers.append(n)
        if w in _MORE_THAN or w == "+":
            more = True
    if any(_VAGUE.match(w) for w in toks) and not numbers:
        return None
    if not numbers:
        return None
    n = max(numbers) + (1 if more else 0)
    return _bucket(n, kind)


def parse_markings(text: str) -> str | None:
    """A typed answer to "uniforms or markings?". Unlike a story (where "la migra" reads as ``ice``, the product
    rule), an answer of only "la migra" / "immigration" to this question returns None, so the flow asks again with
    the buttons: the question asks what the vests or vehicles said, and the report flow relies on this."""
    f = fold(text or "").strip()
    if re.fullmatch(r"(?:no se|nose|idk|i don'?t know|no idea|ni idea|unknown|not sure|no estoy segur[oa])\W*", f):
        return "unknown"
    if re.fullmatch(r"(?:ninguno|ninguna|nada|none|nothing|no)\W*", f):
        return "unmarked"
    found = _markings(f)
    if found == "ice" and not _MARKING_RES[0][1].search(f):
        return None  # only the everyday name ("la migra"): see the docstring
    return found


def parse_activity(text: str) -> str | None:
    """A typed answer to "what did you see?"."""
    f = fold(text or "").strip()
    if re.fullmatch(r"(?:otro|otra|other|otra cosa|something else)\W*", f):
        return "other"
    if re.fullmatch(r"(?:vehiculos?|vehicles?|solo vehiculos|vehicles only|only vehicles|carros|cars|"
                    r"camionetas|trucks|vans)\W*", f):
        return "vehicles"
    if re.fullmatch(r"(?:calle|street|traffic|trafico|parada)\W*", f):
        return "street"
    if re.fullmatch(r"(?:casa|home|house|hogar|domicilio)\W*", f):
        return "home"
    found = _activity(f, None, None)
    if found == "vehicles" and not re.search(r"\b(?:vehicul|vehicle|parked|estacionad|dando vueltas|circulando|"
                                               r"driving|patrull)", f):
        return None  # a bare "camionetas" here names no activity the flow can trust
    return found


_YES = {"si", "sí", "simon", "yes", "ya", "yeah", "yep", "yup", "sure", "claro", "dale", "ok", "okay", "va",
        "correcto", "afirmativo", "asi es", "de acuerdo", "por supuesto", "claro que si", "y", "s", "sip", "sii"}
_NO = {"no", "nel", "nope", "nah", "negativo", "para nada", "n", "nop", "noo", "no gracias", "no thanks"}


def parse_yes_no(text: str) -> bool | None:
    """True / False for a typed yes or no (Spanish, English, Chicago slang); None when it is neither."""
    f = re.sub(r"[^\w\s]", "", fold(text or "")).strip()
    f = re.sub(r"(.)\1{2,}", r"\1\1", f)  # "siii" → "sii", "nooo" → "noo"
    if f in _YES or f.rstrip(" ,") in _YES:
        return True
    if f in _NO:
        return False
    first = f.split()[0] if f.split() else ""
    if first in ("si", "yes", "simon", "claro", "yeah", "yep", "sure") and not re.search(r"\bno\b", f):
        return True
    if first in ("no", "nel", "nope", "nah") and not re.search(r"\b(?:si|yes)\b", f):
        return False
    return None
