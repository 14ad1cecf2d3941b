"""RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom (1.0, and 0.3) into plain entries; no network, no ORM.

* **Safe XML**: parsed with defusedxml. A document that declares entities (the XML bomb, "billion laughs") or refers
  to external ones is refused; a plain DOCTYPE (old Netscape RSS 0.91) is accepted.
* **Encodings**: a byte-order mark wins; then the encoding the XML prolog declares, then the HTTP charset, then UTF-8,
  then windows-1252. A UTF-8 document with a few invalid bytes stays UTF-8: only those bytes become U+FFFD (one bad
  byte must not turn the whole feed into mojibake). A candidate is kept only if the bytes really decode with it, so
  a latin-1 feed that claims UTF-8 is still read. A feed that claims latin-1 (or windows-1252, ascii) but is valid
  UTF-8 with non-ASCII letters is read as UTF-8: that is what its author meant, mojibake ("Ã©") is never what they
  meant. The choice is noted on the feed (``Feed.notes``).
* Leniency** where it costs nothing: control characters that XML forbids are dropped; HTML named entities
  (``&nbsp;``, ``&eacute;``), which XML does not know, are turned into characters when the strict parse fails on
  them.
* **Content**: Atom text constructs (text, html, xhtml) all become HTML; RSS descriptions are HTML already (escaped or
  CDATA). Links are made absolute against ``xml:base`` and the feed's address, and redirect wrappers such as Google
  Alerts' ``https://www.google.com/url?...&url=<real>`` are unwrapped.

The package, in reading order: ``feed.parse_feed`` (the entry point: bytes to a ``model.Feed``), ``encoding`` (which
encoding the bytes are in), ``rss`` and ``atom`` (one module per family of formats), ``values`` (dates, links and
text shared by both), ``model`` (the plain results).
"""
