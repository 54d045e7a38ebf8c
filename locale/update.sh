#!/bin/sh
# Refresh the interface translations after templates or Python code gain or change strings.
#
#   locale/update.sh            (from anywhere; uses the project's .venv)
#
# 1. makemessages updates locale/uz and locale/ru (msgids are English). New strings arrive
#    with an empty msgstr, or with a guessed one marked "#, fuzzy": translate them in
#    locale/uz/LC_MESSAGES/django.po (Uzbek Latin, with ʻ U+02BB in oʻ/gʻ and ʼ U+02BC for the
#    tutuq belgisi) and locale/ru/LC_MESSAGES/django.po, remove the fuzzy flags, and run this
#    script again. In the Uzbek file quote Uzbek words with «» and put a literal value the user
#    must type in straight quotes ("land"): the latter is kept in Latin letters in uz_Cyrl.
# 2. derive_cyrillic_messages writes locale/uz_Cyrl from locale/uz by transliteration; never
#    edit the uz_Cyrl file by hand.
# 3. compilemessages builds the .mo files that Django reads.
#
# CI can verify that the Cyrillic catalogue is current with
#   .venv/bin/python manage.py derive_cyrillic_messages --check
set -eu

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

"$PYTHON" manage.py makemessages -l uz -l ru \
    --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests
"$PYTHON" manage.py derive_cyrillic_messages
"$PYTHON" manage.py compilemessages --ignore=.venv

# List what still needs a translator (makemessages never fails on it).
for po in locale/uz/LC_MESSAGES/django.po locale/ru/LC_MESSAGES/django.po; do
    msgfmt --statistics -o /dev/null "$po" 2>&1 | sed "s|^|$po: |"
done
