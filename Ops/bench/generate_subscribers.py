#!/usr/bin/env python3
"""A subscriber CSV for Ops/bench/import, realistic enough to exercise every path of an import.

Usage: Ops/bench/generate_subscribers.py ROWS OUT.csv [--seed N (default 1)]

Writes the header `email,name,locale,created_at,city`, then ROWS rows:
  * locale uk, en, de or pl (55/20/13/12%), and with it the reader's name (Cyrillic or Latin for uk,
    with diacritics for de and pl), city and the likely mail providers;
  * addresses made from the name: first.last, firstlast, f.last, first_last, first-last, last.first,
    first1987, flast42, first.last123, sometimes a +tag or a capital letter, at ~30 domains
    (mail providers, company domains, and IDN domains such as пошта.укр and bücher.example);
    every valid address is unique under Masthead's comparison (ASCII letters and domain
    lower-cased), except for the duplicates below;
  * ~2% invalid addresses, one fault each: no @, two dots in a row, a space inside, a trailing dot,
    empty, a 70-character local part (over the 64-octet limit);
  * ~1% duplicates: an earlier valid row repeated exactly, half of them with the domain in other
    letter case;
  * names sometimes with a comma ("Shevchenko, Olena", quoted by the CSV writer), an apostrophe
    (O'Brien, Мар'яна, Марʼян), or empty; created_at in ISO 8601 UTC (2025-03-14T09:26:53Z), rising
    through the file like an export from another system; city as an extra column, sometimes empty.
Deterministic: the same ROWS and seed give the same bytes. Prints a one-line summary to stderr.
About 6 s and 150 MB for a million rows on a 2-core machine (it remembers every address to keep them unique).
"""
import bisect
import csv
import gc
import random
import sys
import time

# Names by locale, as people write them; the address uses an ASCII form (see ascii_name).
NAMES = {
    "uk_cyrillic": (
        "Олена Олександр Андрій Ірина Наталія Сергій Дмитро Юлія Оксана Максим Вікторія Тарас Катерина "
        "Богдан Софія Ярослав Анастасія Микола Галина Василь Роман Тетяна Ігор Світлана Володимир Дарина "
        "Артем Людмила Євген Христина Мар'яна Дар'я Марʼян Ганна Остап Соломія Юрій Любов Степан Зоряна "
        "Валентина Віталій Віра Петро Надія Олег Лариса Павло Ольга Денис Алла Вадим Раїса Руслан Ілля Інна "
        "Леся Назар Мирослава Орест Уляна Кирило Злата Тимофій Єлизавета Устим",
        "Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Поліщук Бондар Ткачук Марченко "
        "Руденко Савченко Мороз Лисенко Петренко Клименко Павленко Ковальчук Мельник Бойко Іваненко "
        "Гриценко Левченко Кузьменко Симоненко Зінченко Гончар Кушнір Коваль П'ятниця Грицак Дорошенко "
        "Яковенко Юрченко Федоренко Остапчук Білик Гуменюк Сем'янів Литвиненко Карпенко Приходько Вовк "
        "Савчук Романенко Мартинюк Гаврилюк Костенко Ярошенко Яценко Стасюк Андрієнко Тимошенко Нестеренко "
        "Власенко Ничипорук Дем'яненко Захарченко Прокопенко Чорновол Сидоренко Гнатюк Пономаренко",
    ),
    "uk": (
        "Olena Oleksandr Andrii Iryna Nataliia Serhii Dmytro Yuliia Oksana Maksym Viktoriia Taras Kateryna "
        "Bohdan Sofiia Yaroslav Anastasiia Mykola Halyna Vasyl Roman Tetiana Ihor Svitlana Volodymyr Daryna "
        "Artem Liudmyla Yevhen Khrystyna Mariana Daria Ostap Solomiia Yurii Stepan Valentyna Vitalii Vira "
        "Petro Nadiia Oleh Larysa Pavlo Olha Denys Vadym Ruslan Illia Inna Lesia Nazar Myroslava Orest "
        "Uliana Kyrylo Zlata Tymofii",
        "Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Oliinyk Shevchuk Polishchuk Bondar Tkachuk "
        "Marchenko Rudenko Savchenko Moroz Lysenko Petrenko Klymenko Pavlenko Kovalchuk Melnyk Boiko "
        "Ivanenko Hrytsenko Levchenko Kuzmenko Symonenko Zinchenko Honchar Kushnir Koval Hrytsak Doroshenko "
        "Lytvynenko Karpenko Prykhodko Vovk Savchuk Romanenko Martyniuk Havryliuk Kostenko Yaroshenko "
        "Yatsenko Stasiuk Andriienko Tymoshenko Nesterenko Vlasenko Nychyporuk Demianenko Zakharchenko "
        "Prokopenko Sydorenko Hnatiuk Ponomarenko",
    ),
    "pl": (
        "Anna Maria Piotr Katarzyna Tomasz Agnieszka Krzysztof Magdalena Paweł Joanna Michał Zofia Łukasz "
        "Aleksandra Jan Monika Małgorzata Wojciech Ewa Grzegorz Barbara Jakub Dorota Marcin Beata Mateusz "
        "Elżbieta Kamil Natalia Bartłomiej Karolina Adam Justyna Dawid Weronika Szymon Izabela Rafał Paulina "
        "Damian Sylwia Przemysław Renata Adrian Iwona Maciej",
        "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
        "Dąbrowski Kozłowski Jankowski Mazur Krawczyk Piotrowski Grabowski Nowakowski Pawłowski Michalski "
        "Król Wieczorek Jabłoński Wróbel Nowicka Majewska Olszewska Stępień Górski Sikora Walczak Baran Rutkowski "
        "Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Duda Zalewski Wróblewski Jasińska Malinowski "
        "Zając Kaczmarek Czerwiński",
    ),
    "de": (
        "Thomas Julia Stefan Laura Lukas Lea Felix Hannah Jonas Lena Matthias Sabine Wolfgang Ursula "
        "Jürgen Katrin Andreas Petra Michael Claudia Sebastian Anja Tobias Jörg Birgit Maximilian Sophie "
        "Björn Käthe Uwe Nina Florian Miriam Daniel Susanne Christian Johanna Markus Franziska Dominik Heike "
        "Niklas Ingrid Moritz Greta Kai Lisa",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf "
        "Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause "
        "Meier Lehmann Schmid Köhler Weiß Jäger Schulze Maier Herrmann König Walter Mayer Huber Kaiser Fuchs "
        "Peters Lang Scholz Möller Weiss Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger",
    ),
    "en": (
        "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard "
        "Susan Joseph Jessica Sarah Daniel Emily Chris Emma Liam Olivia Noah Ava Sean Siobhan Aoife Ciarán "
        "Zoë Chloe Oliver Amelia George Isla Harry Grace Jack Sophie Thomas Charlotte Jacob Lucy Ethan Megan "
        "Connor Niamh Ryan Hannah Matthew Rachel Andrew Rebecca",
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Anderson Taylor Thomas Moore Jackson "
        "Martin Lee Thompson White Harris Clark Lewis Walker Hall Young Allen King Wright Scott Green Baker "
        "Murphy Kelly O'Brien O'Connor O'Neill O'Sullivan D'Souza Fitzgerald MacDonald Robinson Wood Hughes "
        "Edwards Turner Hill Cooper Ward Morris Bennett Gray Reid Byrne Walsh Ryan Doyle McCarthy Price",
    ),
}
CITIES = {
    "uk": ["Kyiv", "Lviv", "Kharkiv", "Odesa", "Dnipro", "Київ", "Львів", "Харків", "Запоріжжя", "Vinnytsia",
           "Ivano-Frankivsk", "Chernihiv", "Poltava", "Uzhhorod", "Кропивницький", "Warszawa", "Berlin"],
    "en": ["London", "Dublin", "New York", "Toronto", "Washington, D.C.", "Manchester", "Edinburgh", "Cork"],
    "de": ["Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Leipzig", "Düsseldorf", "Wien"],
    "pl": ["Warszawa", "Kraków", "Wrocław", "Gdańsk", "Poznań", "Łódź", "Lublin", "Rzeszów"],
}
LOCALES = ["uk"] * 55 + ["en"] * 20 + ["de"] * 13 + ["pl"] * 12
# Mail domains: (domain, weight) used everywhere, then those of each locale.
DOMAINS_ALL = [
    ("gmail.com", 300), ("yahoo.com", 35), ("outlook.com", 40), ("hotmail.com", 20), ("icloud.com", 25),
    ("proton.me", 20), ("protonmail.com", 8), ("fastmail.com", 4), ("example-corp.com", 4),
]
DOMAINS_LOCAL = {
    "uk": [("ukr.net", 160), ("i.ua", 50), ("meta.ua", 15), ("пошта.укр", 10), ("укрнет.укр", 5),
           ("kyivstar.ua", 8), ("softserve.com.ua", 6), ("nova-poshta.ua", 6), ("monobank.ua", 5),
           ("uni-lviv.edu.ua", 6), ("kpi.ua", 6)],
    "en": [("yahoo.co.uk", 25), ("btinternet.com", 12), ("eircom.net", 8), ("acme-widgets.co.uk", 4)],
    "de": [("gmx.de", 60), ("web.de", 60), ("t-online.de", 30), ("siemens.de", 6), ("bücher.example", 6),
           ("müller-reisen.de", 5)],
    "pl": [("wp.pl", 60), ("o2.pl", 40), ("onet.pl", 40), ("interia.pl", 25), ("zażółć.pl", 4)],
}
TAGS = ["news", "newsletter", "masthead", "ua", "reading", "daily", "list", "2024"]
START = 1546300800  # 2019-01-01T00:00:00Z
END = 1767225599    # 2025-12-31T23:59:59Z

CYRILLIC_TO_LATIN = {  # the Ukrainian national transliteration (2010), without the position rules
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "ʼ": "",
}
CYRILLIC_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}  # at the start of a word
LATIN_TO_ASCII = {
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n",
    "ó": "o", "ś": "s", "ź": "z", "ż": "z", "á": "a", "ë": "e", "'": "",
}


def ascii_name(name):
    """`Мар'яна` → `mariana`, `Юрій` → `yurii`, `Jürgen` → `juergen`, `O'Brien` → `obrien`."""
    name = name.lower()
    if any("\u0400" <= c <= "\u04ff" for c in name):
        return CYRILLIC_INITIAL.get(name[0], CYRILLIC_TO_LATIN.get(name[0], name[0])) \
            + "".join(CYRILLIC_TO_LATIN.get(c, c) for c in name[1:])
    return "".join(LATIN_TO_ASCII.get(c, c) for c in name)


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2 or not args[0].isdigit():
        sys.exit("usage: generate_subscribers.py ROWS OUT.csv [--seed N]")
    rows, out = int(args[0]), args[1]
    began = time.perf_counter()
    invalid, duplicates = generate(rows, out, random.Random(seed))
    share = max(rows, 1)
    print(f"generate_subscribers: {rows} rows in {time.perf_counter() - began:.1f}s: {invalid} invalid "
          f"({invalid / share:.2%}), {duplicates} duplicates ({duplicates / share:.2%})", file=sys.stderr)


def generate(rows, out, rng):
    rand = rng.random  # seq[int(rand() * n)] is several times faster than rng.choice
    gc.disable()  # nothing here makes cycles; the collector would only walk the rows again and again

    # per name source: ([(first as written, its ASCII form)], [(last as written, its ASCII form)])
    people = {}
    for source, (firsts, lasts) in NAMES.items():
        people[source] = ([(f, ascii_name(f)) for f in firsts.split()], [(l, ascii_name(l)) for l in lasts.split()])
    domains = {}
    for locale, local in DOMAINS_LOCAL.items():
        names, cumulative, total = [], [], 0
        for name, weight in DOMAINS_ALL + local:
            total += weight
            names.append(name)
            cumulative.append(total)
        domains[locale] = (names, cumulative, total)
    bisect_right = bisect.bisect_right

    def domain(locale):
        names, cumulative, total = domains[locale]
        return names[bisect_right(cumulative, rand() * total)]

    def person(locale):
        """(name as written, ascii first, ascii last)."""
        firsts, lasts = people["uk_cyrillic" if locale == "uk" and rand() < 0.55 else locale]
        first, first_ascii = firsts[int(rand() * len(firsts))]
        last, last_ascii = lasts[int(rand() * len(lasts))]
        r = rand()
        if r < 0.07:
            name = f"{last}, {first}"
        elif r < 0.12:
            name = ""
        elif r < 0.135:
            name = f"{first} {last}, PhD"
        else:
            name = f"{first} {last}"
        return name, first_ascii, last_ascii

    def local_part(first, last):
        """A local part in lower case, without a +tag."""
        r = rand()
        if r < 0.30:
            return f"{first}.{last}"
        if r < 0.42:
            return f"{first}{last}"
        if r < 0.52:
            return f"{first[0]}.{last}"
        if r < 0.58:
            return f"{first}_{last}"
        if r < 0.62:
            return f"{first}-{last}"
        if r < 0.68:
            return f"{last}.{first}"
        if r < 0.80:
            return f"{first}{1960 + int(rand() * 50)}"
        if r < 0.88:
            return f"{first[0]}{last}{1 + int(rand() * 99)}"
        return f"{first}.{last}{1 + int(rand() * 999)}"

    def numbered(first, last, below):
        """What a reader picks when the plain forms are taken: olena.shevchenko57, olenashevchenko1203."""
        number = 1 + int(rand() * below)
        r = rand()
        if r < 0.4:
            return f"{first}.{last}{number}"
        if r < 0.7:
            return f"{first}{last}{number}"
        if r < 0.85:
            return f"{first[0]}{last}{number}"
        return f"{first}_{last}{number}"

    seen = set()  # every valid address written, as Masthead compares them (all lower case here)

    def valid_address(first, last, locale):
        local, dom = local_part(first, last), domain(locale)
        tag = "+" + TAGS[int(rand() * len(TAGS))] if rand() < 0.04 else ""
        key = local + tag + "@" + dom
        below = 100
        while key in seen:
            local = numbered(first, last, below)
            key = local + tag + "@" + dom
            below = min(below * 10, 10 ** 6)
        seen.add(key)
        if rand() < 0.05:
            local = local[0].upper() + local[1:]
        if rand() < 0.02:
            dom = dom.capitalize() if rand() < 0.5 else dom.upper()
        return local + tag + "@" + dom

    def invalid_address(first, last, locale):
        local, dom = local_part(first, last), domain(locale)
        kind = int(rand() * 6)
        if kind == 0:
            return local + "." + dom                            # no @
        if kind == 1:
            return f"{first}..{last}@{dom}"                     # two dots in a row
        if kind == 2:
            return f"{first} {last}@{dom}"                      # a space inside
        if kind == 3:
            return f"{local}@{dom}."                            # trailing dot
        if kind == 4:
            return ""                                           # empty
        return (f"{first}.{last}." * 20)[:69] + "x@" + dom      # a 70-character local part

    day_prefix = {}  # created_at: "2025-03-14T" by day + "09:26:53Z" by second of the day
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400)]

    pool, pool_size, valid = [], 50_000, 0  # a uniform sample of earlier valid rows, for duplicates
    invalid = duplicates = 0
    step = (END - START) / max(rows, 1)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["email", "name", "locale", "created_at", "city"])
        batch = []
        for i in range(rows):
            r = rand()
            if r < 0.01 and pool:
                row = pool[int(rand() * len(pool))]
                if rand() < 0.5:
                    local, _, dom = row[0].rpartition("@")
                    row = (local + "@" + (dom.upper() if dom.islower() else dom.lower()),) + row[1:]
                duplicates += 1
                batch.append(row)
            else:
                locale = LOCALES[int(rand() * 100)]
                name, first, last = person(locale)
                cities = CITIES[locale]
                city = cities[int(rand() * len(cities))] if rand() < 0.8 else ""
                day, second = divmod(START + int(i * step + rand() * step), 86400)
                prefix = day_prefix.get(day)
                if prefix is None:
                    prefix = day_prefix[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
                created = prefix + clock[second]
                if r < 0.03:
                    invalid += 1
                    batch.append((invalid_address(first, last, locale), name, locale, created, city))
                else:
                    row = (valid_address(first, last, locale), name, locale, created, city)
                    batch.append(row)
                    valid += 1
                    if len(pool) < pool_size:
                        pool.append(row)
                    else:
                        j = int(rand() * valid)
                        if j < pool_size:
                            pool[j] = row
            if len(batch) >= 10_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    return invalid, duplicates


if __name__ == "__main__":
    main()
