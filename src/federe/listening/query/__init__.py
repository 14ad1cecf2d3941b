"""The listening query language: a tokenizer, a recursive-descent parser, the AST and its canonical printing.

The grammar, with examples, is in docs/query-language.md. In short::

    query    = or_expr ;
    or_expr  = and_expr , { OR , and_expr } ;
    and_expr = unary , { [ AND ] , unary } ;          (* adjacent parts are joined by AND *)
    unary    = ( NOT | "-" ) , unary | near ;
    near     = primary , [ NEAR/n , primary ] ;       (* each side: a word, a phrase, or ( w OR "p" OR … ) *)
    primary  = word | phrase | field | "(" , or_expr , ")" ;

Operators are written in capitals: AND/ET, OR/OU, NOT/SAUF, NEAR/n. Lower-case "and", "et"… are words.

``parse(text)`` returns a ``Query`` (frozen dataclasses) or raises ``QuerySyntaxError``, whose ``position`` is a
0-based offset into ``text``, ``expected`` a short code and ``message`` a sentence in the active language.
``str(query)`` prints the canonical form, and ``parse(str(q)) == q`` holds for every query ``parse`` returns.

Queries and messages are folded and cut into words by ``federe.core.text`` (``normalise``, ``WORD_RE``), the
same functions moderation rules use.

The package, in reading order: ``parser`` (``parse``, the grammar above), ``lexer`` (text into tokens), ``nodes``
(the AST and its canonical printing), ``values`` (what a word or a filter's value may be), ``errors``.
It imports nothing from Django but ``gettext``, which it calls only to word an error.
"""
