"""A small IRC server for the kit and unit tests (a thread on 127.0.0.1): registration, OPER, JOIN, KICK, and the
ban and quiet lists, answering with the numerics of RFC 2812 as ngIRCd and Solanum do. Not a real server: the peer
tests (test_peer.py) are the proof against ngIRCd."""

from __future__ import annotations

import base64
import socketserver
import threading

OPER_PASSWORD = "kit-oper-secret-123"


class Handler(socketserver.StreamRequestHandler):
    server: Server

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        nick, negotiating, registered = "*", False, False
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.server.heard.append(line)
            words, _, trailing = line.partition(" :")
            parts = words.split() + ([trailing] if _ else [])
            if not parts:
                continue
            command, args = parts[0].upper(), parts[1:]
            me = f":{nick}!~{nick}@127.0.0.1"
            if command == "NICK":
                nick = args[0]
            elif command == "CAP":
                negotiating = self.cap(args, negotiating)
                if not negotiating and registered:
                    self.welcome(nick)
            elif command == "AUTHENTICATE":
                self.authenticate(args[0])
            elif command == "USER":
                registered = True
                if not negotiating:
                    self.welcome(nick)
            elif command == "OPER":
                self.say(f":irc.test {'381' if args[1] == OPER_PASSWORD else '464'} {nick} :oper")
            elif command == "JOIN":
                self.say(f"{me} JOIN :{args[0]}")
                for extra in self.server.after_join:
                    self.say(extra)
            elif command == "KICK":
                self.say(f"{me} KICK {args[0]} {args[1]} :{args[-1]}")
            elif command == "MODE":
                self.mode(nick, me, args)
            elif command == "PING":
                self.say(f":irc.test PONG irc.test :{args[-1]}")
            elif command == "QUIT":
                return

    def welcome(self, nick: str) -> None:
        for extra in self.server.before_welcome:
            self.say(extra)
        self.say(f":irc.test 001 {nick} :Welcome")
        self.say(f":irc.test 005 {nick} CHANMODES={self.server.chanmodes} NICKLEN=30 :are supported")
        self.say(f":irc.test 376 {nick} :End of MOTD")

    def cap(self, args: list[str], negotiating: bool) -> bool:
        """IRCv3 capability negotiation: LS (sasl offered when the server has a SASL account), REQ, END."""
        if args[0] == "LS":
            self.say(f":irc.test CAP * LS :multi-prefix{' sasl' if self.server.sasl else ''}")
            return True
        if args[0] == "REQ":
            self.say(f":irc.test CAP * {'ACK' if self.server.sasl else 'NAK'} :{args[-1]}")
            return True
        return False  # END

    def authenticate(self, argument: str) -> None:
        if argument == "PLAIN":
            self.say("AUTHENTICATE +")
            return
        expected = "\0".join([self.server.sasl[0], *self.server.sasl])
        given = base64.b64decode(argument).decode()
        self.say(f":irc.test {'903' if given == expected else '904'} * :SASL")

    def mode(self, nick: str, me: str, args: list[str]) -> None:
        channel, change = args[0], args[1]
        masks = self.server.lists.setdefault((channel, change[1]), set())
        if len(args) == 2:
            item, end = ("367", "368") if change[1] == "b" else ("728", "729")
            for mask in sorted(masks):
                extra = " q" if change[1] == "q" else ""
                self.say(f":irc.test {item} {nick} {channel}{extra} {mask} op 0")
            self.say(f":irc.test {end} {nick} {channel} :End of list")
            return
        (masks.add if change[0] == "+" else masks.discard)(args[2])
        self.say(f"{me} MODE {channel} {change} {args[2]}")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, chanmodes: str = "beIq,k,l,imnt") -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.chanmodes = chanmodes
        self.heard: list[str] = []
        self.before_welcome: list[str] = []
        self.after_join: list[str] = []
        self.sasl: tuple[str, str] | None = None  # (account, password) when the server offers SASL
        self.lists: dict[tuple[str, str], set[str]] = {}
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])
