"""Text normalisation for the FAQ search: accents, slang, by-ear spelling, texting, Snowball stemming.

Why hand-written parts remain: no maintained library maps Chicago Spanish slang ("migra", "troca",
"chamba") or by-ear spellings ("polisia", "inmigrasion") to one word; everything a library does well
(stemming: PyStemmer's Snowball; typos: rapidfuzz in the index; ranking: bm25s) is left to the library.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Words that carry no meaning for matching, in both languages. Kept short on purpose: words like "no",
# "free", "where" or "sign" matter here.
STOPWORDS: frozenset[str] = frozenset(
    """
    a al ante con de del el en es la las lo los le les me mi mis nos o para por que q k se si su sus te tu
    un una unos unas y ya yo usted ud este esta esto eso esa ese hay son soy muy mas pero como cuando
    tengo tiene tienen tenemos puedo puede pueden pueda hacer hago hace hacemos debo debe quien quienes cual
    cuales who whom which
    the an and or of to in on at for with by is are am was were be been do does did i im my me we
    our you your it its this that these those there they them he she his her can could should would will
    have has had what whats wat how if so about just get got any some into as not
    first primero primera primer sobre acerca
    """.split()
)

# Slang, by-ear spellings and cross-language equivalents mapped to one canonical word before stemming.
# Why: BM25 only rewards shared terms, and residents write "migra", "la chota", "troca", "chamba".
_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ice", "migra", "imigra", "lamigra", "hielo"),
    ("police", "policia", "policias", "policía", "cop", "cops", "poli", "chota", "patrulla", "officer",
     "officers", "oficial", "oficiales", "policeman", "patrullero", "patrulleros", "squad", "cruiser", "trooper",
     "troopers", "patrullas"),
    ("immigration", "inmigracion", "migracion", "imigracion", "inmigrasion", "immigracion"),
    ("door", "puerta", "doors", "puertas"),
    ("warrant", "warrants", "orden", "ordenes", "warrent", "warant"),
    ("judge", "juez", "jueza", "jues", "judges", "jueces", "magistrate", "magistrado"),
    ("car", "carro", "troca", "truck", "coche", "auto", "vehicle", "vehiculo", "camioneta", "van", "cars"),
    ("lawyer", "abogado", "abogada", "attorney", "licenciado", "lawyers", "abogados", "licenciada"),
    ("sign", "firmar", "firma", "firmo", "firme", "signing", "signed", "signature", "firmen"),
    ("film", "grabar", "record", "filmar", "recording", "grabo", "graba", "grabando", "filming", "tape", "livestream",
     "livestreaming", "stream", "streaming", "transmitir", "transmitiendo"),
    ("work", "trabajo", "job", "chamba", "jale", "workplace", "trabajar", "trabaja", "chambear"),
    ("search", "revisar", "revisarme", "registrar", "catear", "esculcar", "cateo", "registro", "revisen",
     "searched", "searching", "revise"),
    ("silent", "silencio", "callado", "callada", "callarme", "silence"),
    ("home", "casa", "house", "apartment", "departamento", "apartamento", "depa", "hogar"),
    ("papers", "papeles", "documents", "documentos", "paper", "papel", "documento", "document"),
    ("license", "licencia", "licence", "licencias", "licenses"),
    ("family", "familia", "familiar", "relative", "familiares", "relatives", "esposo", "esposa", "husband", "wife",
     "tia", "tio", "aunt", "uncle", "primo", "prima", "cousin", "bf", "gf", "boyfriend", "girlfriend", "novio",
     "novia", "sobrino", "sobrina", "nephew", "niece", "suegra", "suegro"),
    ("business", "negocio", "negocios", "restaurante", "restaurant", "taqueria", "tienda", "store", "shop",
     "company", "empresa", "compania", "businesses", "panaderia", "bakery", "carniceria", "barberia",
     "barbershop"),
    ("manager", "gerente", "encargado", "encargada", "managers", "gerentes", "supervisor", "supervisora"),
    ("card", "tarjeta", "tarjetas", "cards", "tarjetita"),
    ("red", "roja", "rojas", "rojo"),
    ("court", "corte", "courthouse", "juzgado", "cortes", "courts"),
    ("passenger", "pasajero", "pasajera", "passengers", "pasajeros"),
    ("consulate", "consulado", "embassy", "embajada"),
    ("spanish", "espanol", "espanish", "castellano"),
    ("run", "correr", "huir", "flee", "corro", "running", "runaway", "pelarse", "pelarme", "pelarnos"),
    ("fake", "falso", "falsa", "falsos", "falsas", "false", "chueco", "chuecos", "chueca"),
    ("name", "nombre", "names"),
    ("kids", "hijos", "ninos", "children", "child", "kid", "hijo", "hija", "hijas", "nino", "nina"),
    ("employer", "patron", "boss", "jefe", "jefa", "employers", "patrones"),
    ("owner", "dueno", "duena", "duenos", "owners"),
    ("hotline", "linea", "telefono", "phone", "number", "numero", "hotlines"),
    ("detained", "detenido", "detenida", "arrested", "arrestado", "arrestada", "detention", "detencion",
     "detain", "detienen", "detiene", "detuvo", "arrest", "arresto", "arrestaron", "custody", "custodia",
     "encerrado", "encerrada", "encierran", "encerraron", "levantaron", "levanto"),
    ("stop", "paro", "pararon", "stopped", "parar", "paran", "pullearon", "pulled", "pull", "pulling",
     "pulls", "stopping", "stops", "detuvieron", "orillar", "orillan", "orillaron", "orillarme"),
    ("leave", "irme", "irse", "retirarme", "retirarse", "leaving", "go", "walk"),
    ("free", "gratis", "gratuito"),
    ("deport", "deportar", "deportarme", "deportan", "deportation", "deportacion", "deported", "deporten",
     "removal"),
    ("raid", "redada", "redadas", "operativo", "operativos", "raids", "sweep"),
    ("address", "direccion", "domicilio"),
    ("born", "naci", "nacimiento", "birth"),
    ("undocumented", "indocumentado", "indocumentada", "indocumentados", "sinpapeles"),
    ("sanctuary", "santuario"),
    ("audio", "sonido", "sound", "voz", "voice", "conversation", "conversacion", "conversations", "conversaciones"),
    ("photo", "foto", "fotos", "picture", "pictures", "photos", "pic", "pics", "fotito", "fotitos"),
    ("airport", "aeropuerto"),
    ("border", "frontera", "garita", "crossing", "cruce"),
    ("school", "escuela", "schools", "escuelas", "daycare", "guarderia", "kinder", "preschool", "colegio"),
    ("call", "llamar", "llamo", "llamarle", "llamen", "marcar", "marco", "marcarle", "calls", "calling", "called"),
    ("handcuff", "handcuffs", "handcuffed", "cuff", "cuffed", "esposar", "esposaron", "esposado", "esposada"),
    ("website", "pagina", "sitio", "web", "online", "internet", "locator", "localizador"),
    ("cellphone", "celular", "cel", "cell"),
    ("find", "encontrar", "encuentro", "buscar", "localizar", "locate", "busco", "hallar", "lookup"),
    ("report", "reportar", "reporto", "reportes", "avisar", "reports"),
    ("rights", "derechos", "derecho", "right"),
    ("questions", "preguntas", "pregunta", "question"),
    ("answer", "contestar", "responder", "contesto", "answering", "respondo"),
    ("knock", "tocan", "tocando", "toco", "tocar", "knocking", "knocked", "tocaron", "golpean"),
    ("open", "abrir", "abro", "abra", "opening"),
    ("backpack", "mochila", "bag", "bolsa", "purse", "bolso", "cooler", "hielera", "lonchera", "maleta", "suitcase",
     "luggage", "bags"),
    ("city", "ciudad", "municipal"),
    ("law", "ley", "leyes", "laws"),
    ("cbp", "borderpatrol"),
    ("distance", "distancia", "close", "cerca"),
    ("church", "iglesia", "iglesias", "churches", "templo", "misa", "mass", "parroquia", "mosque", "mezquita",
     "temple", "synagogue", "sinagoga", "mosques", "temples"),
    ("hospital", "hospitales", "hospitals", "clinica", "clinic", "clinics", "doctor", "medico"),
    ("consent", "permiso", "consentimiento", "permission"),
    ("now", "rn", "ahorita", "ahora", "orita"),
    # "citizen" stems to the same key as "city" (siti); the Spanish word as canonical keeps them apart.
    ("ciudadano", "ciudadana", "ciudadanos", "ciudadanas", "citizen", "citizens", "citizenship", "ciudadania"),
    # Round 4: words residents used for situations the phrasings named otherwise.
    ("checkpoint", "reten", "retenes", "roadblock", "checkpoints", "roadblocks"),
    ("trunk", "cajuela", "maletero"),
    ("passport", "pasaporte", "passports", "pasaportes"),
    ("greencard", "mica", "residencia", "micas"),
    ("ride", "raite", "aventon", "rides", "shotgun", "copiloto"),
    ("sidewalk", "banqueta", "acera", "sidewalks", "banquetas"),
    ("doorbell", "timbre", "buzzer", "buzzers", "bell", "ringing"),
    ("hearing", "audiencia", "audiencias", "hearings"),
    ("ticket", "multa", "tiket", "tickets", "multas", "citation"),
    ("crime", "delito", "crimen", "crimes", "delitos"),
    ("victim", "victima", "victims", "victimas"),
    ("lie", "mentir", "miento", "lying", "mentira"),
    # Everyday verbs and nouns that bridge a Spanish question to an entry's English wording and back.
    ("enter", "entrar", "entran", "entren", "entra", "entro", "entraron", "meterse", "metieron", "meten",
     "pasar", "pasen", "entering", "entered", "come_in"),
    ("ask", "preguntar", "preguntan", "preguntaron", "pregunto", "asked", "asking", "asks"),
    ("say", "decir", "digo", "dicen", "dijeron", "tell", "told", "telling", "says", "said", "desir"),
    ("help", "ayuda", "ayudar", "ayudan", "ayudame", "helps", "helping"),
    ("status", "estatus", "estado"),
    ("valid", "valida", "valido", "legit", "real", "verdadera", "autentica"),
    ("share", "compartir", "comparten", "comparte", "sharing", "shares"),
    ("data", "datos", "info", "informacion", "information", "dato"),
    ("show", "enseñar", "ensenar", "enseño", "enseno", "mostrar", "muestro", "showed", "showing"),
    ("give", "dar", "doy", "dan", "den", "giving", "gave", "hand", "entregar", "entregan"),
    ("take", "llevar", "llevaron", "llevo", "quitar", "quitan", "took", "taken", "taking", "agarrar", "agarraron",
     "agarro", "picked", "pickup"),
    ("safe", "seguro", "segura", "safely", "seguridad", "peligro", "danger", "dangerous", "peligroso"),
    ("know", "saber", "sabe", "knowing", "tell_apart"),
    ("afraid", "miedo", "scared", "asustado", "asustada", "fear", "temor"),
    ("money", "dinero", "pagar", "pay", "cost", "costo", "cobran", "cobrar"),
    ("find", "encontrar"),
    ("wait", "esperar", "espero", "waiting"),
    ("outside", "afuera", "fuera", "outside_of"),
    ("inside", "adentro", "dentro"),
    # Round 5: agents are often described by their vests ("some guy in a vest", "chalecos raros"). Not put with
    # "uniform" (a domain anchor): a first run of new traps answered "vest for my construction job" with confidence.
    ("vest", "vests", "chaleco", "chalecos"),
    ("uniform", "uniforme", "uniformes", "uniforms"),
    # Round 5: a worker in one language met the other's only through the phrasings ("empleado" / "employee").
    ("worker", "workers", "trabajador", "trabajadores", "trabajadora", "trabajadoras", "employee", "employees",
     "empleado", "empleados", "empleada", "empleadas", "coworker", "coworkers"),
)
SYNONYMS: dict[str, str] = {word: group[0] for group in _SYNONYM_GROUPS for word in group}

_TOKEN_RE = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    """Lower-case and drop diacritics, so "inmigración", "INMIGRACION" and "inmigracion" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_ANNOUNCE_RE = re.compile(
    r"\b(?:(?:yo )?(?:tengo|tenia|tenemos|traigo) (?:una |otra |unas |1 )?(?:pregunta|preguntita|duda|dudita)s?"
    r"|(?:una )?(?:pregunta|duda) rapida|(?:i|we) (?:have|got|had) (?:a |another |one |some )?(?:quick )?"
    r"(?:question|q)s?|quick question|question for (?:you|u)|can i ask (?:you |u )?(?:a |something|smth)"
    r"(?: question)?|le puedo (?:hacer una pregunta|preguntar algo)|puedo (?:hacer|hacerle) una pregunta)\b"
)


_AMENDMENTS = {"1": "first|1st|primera", "4": "fourth|4th|cuarta", "5": "fifth|5th|quinta"}

# Round 5: "ice" / "hielo" is frozen water, not the agency, when the message talks about weather, salt, skating or
# food ("ice on the sidewalk, who salts it", "hielo resbaloso en la banqueta"). Made a word no entry has, so it neither
# matches nor anchors the question in the FAQ's world.
_FROZEN_CONTEXT_RE = re.compile(
    r"\b(?:salt|salts|salted|salting|snow|snows|snowy|snowing|slippery|frozen|freezing|skating|skate|skates|rink"
    r"|cream|cubes?|melt\w*|icy|shovel\w*|nieve|nevada|resbalos[oa]s?|patin\w*|congelad[oa]s?|raspados?|derreti\w*|hockey)\b"
)
# Getting or renewing a passport is a consular service the FAQ does not cover (carrying one is: street_papers);
# one word no entry has, so "citas para sacar pasaporte" does not look like a detained person's consulate question.
_PASSPORT_SERVICE_RE = re.compile(
    r"\b(?:(?:sac(?:ar|o|a|an|amos|ando)|renov\w*|renuev\w*|tramit\w*|renew\w*|apply for|applying for|get|getting)\s+"
    r"(?:(?:el|mi|un|su|the|my|a|new|nuevo)\s+)*(?:pasaporte|passport)s?|passports?\s+(?:renewal|photos?|application|fees?|appointments?))\b"
)


def normalize(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form, with form numbers and A-number glued together."""
    text = strip_accents(text)
    text = re.sub(r"[’'`´]", "", text)  # "don't" -> "dont", "driver's" -> "drivers"
    if _FROZEN_CONTEXT_RE.search(text):
        text = re.sub(r"\b(?:ice|hielo)\b", " frozenwater ", text)
    text = _PASSPORT_SERVICE_RE.sub(" passportservice ", text)
    text = re.sub(r"\b287\s*\(?\s*g\s*\)?", " 287g ", text)
    # Not a red card; a permanent resident's card is the green card ("do I have to carry my card").
    text = re.sub(r"\b(?:green\s*cards?|tarjetas? verdes?|permanent residents?|residentes? permanentes?|lpr)\b",
                  " greencard ", text)
    # Round 5: phrases whose words mean something else one by one. "break in" is forced entry (not "a break");
    # the attorney general is an official, not a lawyer; voluntary departure is one legal notion; "look up" is find.
    text = re.sub(r"\b(?:break|breaks|broke|breaking|bust|busts|busted|busting|kick|kicks|kicked|kicking)\s+"
                  r"(?:in|into|down)\b", " breakin ", text)
    text = re.sub(r"\b(?:attorneys? general|fiscal general|procuradora? general)\b", " attorneygeneral ", text)
    text = re.sub(r"\b(?:voluntary departure|salida voluntaria)\b", " voluntarydeparture ", text)
    text = re.sub(r"\b(?:look|looking|looked)\s+(?:up|for)\b", " lookup ", text)
    # "first amendment" is one notion; "first" alone ("what do I do first") must not pull towards recording_right.
    for number, names in _AMENDMENTS.items():
        text = re.sub(rf"\b(?:(?:{names})\s+(?:amendment|enmienda)|(?:plead|pleading|take|taking) the {names})\b",
                      f" amendment{number} ", text)
    text = re.sub(r"\bi\s*-?\s*(\d{1,3})\b", r" i\1 ", text)  # "I-205", "i 205", "i205" -> "i205"
    # "a number", "a-num", "A-No.", "a#"; not "a no" nor "año" (accents are gone: "ano"), which are everyday Spanish.
    text = re.sub(r"\ba(?:\s*-?\s*(?:number|num)|\s*-\s*no|\s*#)(?![a-z])", " anumber ", text)
    text = re.sub(r"\bnumero\s+(?:de\s+)?a\b(?!\s+(?:que|quien|donde|la|el|las|los)\b)", " anumber ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    # "tengo una pregunta", "i have a question", "quick question" announce a question; they are not about
    # answering questions (street_silence), so they are dropped before matching.
    text = _ANNOUNCE_RE.sub(" ", text)
    # "como me llamo" / "se llama" is about a name, not about calling someone (llamar a la policia).
    text = re.sub(r"\b(?:me|te|se|nos) (?:llamo|llamas|llama|llaman|llamamos)\b", "nombre", text)
    return " ".join(text.split())


def phonetic(token: str) -> str:
    """Collapse spellings that sound alike in Spanish ("inmigrasion", "ajente", "yamar", "ablar").

    Applied to every token on both sides of the match, so it only has to be consistent, not correct.
    """
    if token.isdigit() or len(token) <= 2:
        return token
    t = token
    if t.startswith("h") and len(t) > 3 and t[1] in "aeiou":
        t = t[1:]
    t = re.sub(r"ll(?=[aeiou])", "y", t).replace("qu", "k").replace("z", "s").replace("v", "b")
    t = re.sub(r"c(?=[ei])", "s", t)
    t = re.sub(r"c(?=[aou]|$|[^aeiouh])", "k", t)
    t = re.sub(r"g(?=[ei])", "j", t)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t


# Texting shorthand expanded before stop words are removed ("q hago", "pa mi casa", "u", "rn").
TEXTING: dict[str, str] = {
    "q": "que", "k": "que", "ke": "que", "pa": "para", "xq": "porque", "pq": "porque", "porq": "porque",
    "ta": "esta", "tan": "estan", "toy": "estoy", "x": "por", "d": "de", "dnd": "donde", "tmb": "tambien",
    "tb": "tambien", "u": "you", "ur": "your",
    "r": "are", "wat": "what", "wut": "what", "thru": "through", "cuz": "because", "bc": "because",
    "plz": "please", "pls": "please", "n": "and", "w": "with", "b4": "before", "govt": "government",
    "ppl": "people", "aunq": "aunque", "tho": "though", "fb": "facebook", "kyr": "rights",
    "em": "them",
}

_STEMMERS = (Stemmer.Stemmer("spanish"), Stemmer.Stemmer("english"))


def _build_synonyms() -> dict[str, str]:
    """Each variant, and its by-ear spelling, maps to its group's first word ("polisia" finds "policia")."""
    table: dict[str, str] = {}
    for group in _SYNONYM_GROUPS:
        for word in group:
            table.setdefault(word, group[0])
            table.setdefault(phonetic(word), group[0])
    return table


@lru_cache(maxsize=20_000)
def term(word: str) -> str:
    """One index term for a normalised word: slang → canonical word, by-ear spelling key, Snowball stems.

    Why both stemmers on every word: the index is bilingual and questions mix languages ("el officer me
    pullearon"), so the language of a single word is unknown. Applying the Spanish then the English Snowball
    stemmer to every word on both sides is consistent, which is all a matcher needs.
    """
    canonical = _SYNONYM_TABLE.get(word) or _SYNONYM_TABLE.get(phonetic(word)) or word
    if canonical.isdigit() or len(canonical) <= 2:
        return canonical
    key = phonetic(canonical)
    for stemmer in _STEMMERS:
        key = stemmer.stemWord(key)
    return key


def words(text: str) -> tuple[str, ...]:
    """Normalised words with texting shorthand expanded and stop words removed.

    Cached because the index reads every phrasing several times on each load and ``/reload_faq`` should stay
    well under a tenth of a second; the cache is bounded, so strangers' text cannot grow it without limit.
    """
    return _words(text[:1000])


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[str, ...]:
    out = []
    for raw in _TOKEN_RE.findall(normalize(text)):
        raw = TEXTING.get(raw, raw)
        if raw not in STOPWORDS and raw not in _TEXTING_STOP and not _LAUGHTER_RE.match(raw):
            out.append(raw)
    return tuple(out)


def terms(text: str, bigrams: bool = True) -> list[str]:
    """The index terms of a text: stemmed content words plus adjacent-word bigrams.

    Why bigrams: phrases such as "free to go", "orden del juez" or "tarjeta roja" mean more than their words.
    """
    unigrams = [term(w) for w in words(text)]
    if not bigrams:
        return unigrams
    return unigrams + [f"{a}_{b}" for a, b in zip(unigrams, unigrams[1:], strict=False) if a != b]


# Chatter that needs a friendly reply, never a legal answer ("gracias mija", "jajaja", "ok", "hola").
SMALL_TALK_WORDS: frozenset[str] = frozenset(
    """
    gracias muchas muchisimas mil thanks thank thx ty tysm appreciate appreciated hola hi hello hey holi ola
    buenas buenos buen dia dias tardes noches good morning afternoon evening night tal saludos ok okay oki okey
    vale bueno bien perfecto genial excelente cool nice great awesome adios bye chao hasta luego pronto
    bendiciones dios bendiga bless god mija mijo mijito mijita amigo amiga amigos compa senor senora sir
    maam bro hermano dude lol lmao xd si yes yeah yep no nope nada nothing entiendo entendido understood claro
    sure alright right fine igualmente tambien you too your very much so muy mucho todo everything a la el de
    que me te le tu mi para por the and to for it all of es esta estas estoy como how are am is what que tal
    happy feliz love amor besos bonita bonito lindo linda sorry perdon disculpe please porfa favor welcome
    nomas ahi vamos va sale orale andale
    """.split()
)
_LAUGH_RE = re.compile(r"^(?:j+[aeiou]+|h+[aeiou]+|[aeiou]*j+|l+o+l+|x+d+)+h?$")
_TEXTING_STOP = frozenset({"please", "because", "through", "before", "porque", "tambien",
                           # round 7: laughter and texting fillers say nothing about the question; left in, they
                           # count as unknown words and pull a clear question under the confidence bar
                           "lol", "lmao", "lmfao", "xd", "omg", "smh", "fr", "ngl", "pls", "plis", "porfa"})
_LAUGHTER_RE = re.compile(r"^([jh][aeiou])\1+[jh]?$")  # "jaja", "jajajaj", "jeje", "haha", "hehe"


def is_small_talk(text: str) -> bool:
    """True for thanks, greetings, laughter, "ok" and emoji-only messages (at most 8 words).

    Why a word list and not the search score: "gracias mija" shares no term with any entry, but neither
    does "best pizza"; the flow answers the first kindly and the second with "not found", so both must be
    told apart from each other, not only from real questions.
    """
    tokens = [TEXTING.get(t, t) for t in _TOKEN_RE.findall(normalize(text))]
    if not tokens:
        return bool(text.strip()) and not any(ch.isalnum() for ch in text) and not set(text.strip()) <= set("?¿!¡.,;:-")
    if len(tokens) > 8:
        return False
    return all(t in SMALL_TALK_WORDS or _LAUGH_RE.match(t) for t in tokens)


# Questions and remarks about the bot itself ("como te llamas", "are you a robot", "stupid bot"): the flow
# answers them with the "I only know about rights" reply. Why a pattern list: "como te llamas" shares
# "llamar" (to call) with "can I call the police", so the search alone would guess a legal answer.
_ABOUT_BOT_RE = re.compile(
    r"\b(?:como te llamas|como se llama usted|cual es (?:tu|su) nombre|quien eres|quien es usted"
    r"|quien te (?:hizo|creo|programo)|eres (?:un |una )?(?:bot|robot|persona|humano|humana|real|ia|maquina)"
    r"|(?:what s|whats|what is) (?:your|ur) name|who are (?:you|u)|who (?:made|created|built|programmed) (?:you|u)"
    r"|are (?:you|u) (?:a )?(?:bot|robot|human|person|real|ai|machine)|(?:you re|youre|ur) (?:a )?(?:bot|robot)"
    r"|how old are (?:you|u)|cuantos anos tienes|te quiero|i love (?:you|u)|tell me a joke|cuentame un chiste)\b"
)
_BOT_WORDS = frozenset({"bot", "robot", "chatbot"})
_INSULTS = frozenset(
    "useless stupid dumb idiot sucks trash inutil tonto tonta estupido estupida sirves sirve pendejo baboso "
    "basura".split()
)


def is_about_bot(text: str) -> bool:
    """True for questions or remarks about the bot itself (its name, whether it is a person, insults).

    Why apart from small talk: they are not thanks or greetings, and the kind reply to them is "I only know
    about rights, reports and alerts", which is the off-topic reply.
    """
    norm = " ".join(_TOKEN_RE.findall(re.sub(r"[’'`´]", "", strip_accents(text))))  # not normalize(): keeps "te llamas"
    if _ABOUT_BOT_RE.search(norm):
        return True
    tokens = set(norm.split())
    return bool(tokens & _BOT_WORDS and tokens & _INSULTS) or (len(tokens) <= 3 and bool(tokens & _INSULTS))


_ES_HINTS = frozenset(
    "que como donde tengo puedo la el los las mi mis me usted si se del por para una un es esta estoy "
    "migra puerta policia trabajo derechos abogado casa carro hijos hago".split()
)
_EN_HINTS = frozenset(
    "the what how where do does i my me you your is are can should if to of a an am im get got ice door "
    "police work rights lawyer home car kids".split()
)


def detect_lang(text: str) -> str | None:
    """Guess es/en from function words; None when unclear. Used only when the caller gives no language."""
    words = _TOKEN_RE.findall(strip_accents(text))
    es = sum(w in _ES_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    if es == en:
        return None
    return "es" if es > en else "en"




_SYNONYM_TABLE: dict[str, str] = _build_synonyms()
