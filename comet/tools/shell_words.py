"""Split a shell script into commands and words as bash reads them (no command is ever run).

Python's :mod:`shlex` follows POSIX sh: it knows neither ``$'...'`` nor here-documents. This
reads the part of bash's grammar that pasted commands use (bash manual, "Quoting",
"Here Documents", "Here Strings"):

- words separated by blanks; ``\\`` escapes the next character, ``\\<newline>`` joins lines;
- ``'...'`` literal; ``"..."`` where ``\\`` escapes only ``$ ` " \\`` and newline;
  ``$'...'`` with ANSI-C escapes (``\\n``, ``\\t``, ``\\xHH``, ``\\uHHHH``, octal ...);
- ``# comment`` at the start of a word, to the end of the line;
- commands end at a newline, ``;``, ``&``, ``&&``, ``|``, ``||`` or a parenthesis;
- redirections: ``< FILE`` and ``<<< WORD`` set standard input, ``<< DELIM`` / ``<<- DELIM``
  read a here-document (its body starts on the line after the command; quoting any part of
  the delimiter turns expansion off); output redirections are read and dropped;
- ``$NAME`` and ``${NAME}`` go through the ``expand`` callable (``None`` keeps them as
  written); ``$(...)``, backquotes and other ``${...}`` forms stay as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

Expand = Callable[[str, Mapping[str, str]], "str | None"]

_BLANKS = " \t\r"
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + "0123456789"
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


class ShellSyntaxError(ValueError):
    """The text does not read as shell: an unterminated quote or substitution."""


@dataclass
class Command:
    words: list[str] = field(default_factory=list)
    stdin: str | None = None  # a here-document's or here-string's text
    stdin_file: str | None = None  # ``< FILE``


@dataclass
class Script:
    commands: list[Command]
    variables: dict[str, str]  # NAME=value assignments, as written (substitutions unexpanded)
    unexpanded: list[str]  # names of $NAME expansions that were kept as written
    notes: list[str]


def split(text: str, expand: Expand | None = None) -> Script:
    """The commands of ``text``. ``expand(name, variables)`` gives the text for ``$NAME``
    (``variables`` holds the script's assignments so far); ``None`` keeps ``$NAME`` as is."""
    return _Lexer(text, expand or (lambda name, variables: variables.get(name))).run()


@dataclass
class _Word:
    text: str = ""
    started: bool = False  # a quoted empty string is a word
    quoted: bool = False


class _Lexer:
    def __init__(self, text: str, expand: Expand):
        self.s = text.replace("\r\n", "\n")
        self.i = 0
        self.expand = expand
        self.variables: dict[str, str] = {}
        self.unexpanded: list[str] = []
        self.notes: list[str] = []
        self.commands: list[Command] = []
        self.heredocs: list[tuple[Command, str, bool, bool]] = []  # command, delimiter, quoted, strip tabs

    # -- the main loop --
    def run(self) -> Script:
        cmd, word = Command(), _Word()
        pending: str | None = None  # a redirection waiting for its target word
        while True:
            ch = self.s[self.i] if self.i < len(self.s) else ""
            if ch == "" or ch in _BLANKS or ch in "\n;&|()<>":
                if word.started:
                    pending = self._finish_word(cmd, word, pending)
                    word = _Word()
                if ch == "":
                    break
                if ch in "<>":
                    pending = self._redirection(ch)
                    continue
                self.i += 1
                if ch in _BLANKS:
                    continue
                self._end_command(cmd)
                cmd, pending = Command(), None
                if ch == "\n":
                    self._read_heredocs()
                continue
            if ch == "#" and not word.started:
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
                continue
            self._word_part(word)
        self._end_command(cmd)
        if self.heredocs:
            self._read_heredocs()
        return Script([c for c in self.commands if c.words], self.variables, self.unexpanded, self.notes)

    def _finish_word(self, cmd: Command, word: _Word, pending: str | None) -> str | None:
        if pending is None:
            if word.text.isdigit() and not word.quoted and self.s[self.i:self.i + 1] in ("<", ">"):
                return None  # a file descriptor number: 2>/dev/null
            cmd.words.append(word.text)
        elif pending == "<":
            cmd.stdin_file = word.text
        elif pending == "<<<":
            cmd.stdin = word.text + "\n"
        elif pending in ("<<", "<<-"):
            self.heredocs.append((cmd, word.text, word.quoted, pending == "<<-"))
        return None

    def _redirection(self, ch: str) -> str:
        for op in ("<<<", "<<-", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">"):
            if self.s.startswith(op, self.i):
                self.i += len(op)
                return op
        raise AssertionError(ch)  # unreachable: "<" and ">" always match

    def _end_command(self, cmd: Command) -> None:
        words = cmd.words
        while words and _assignment(words[0]):
            name, _, value = words.pop(0).partition("=")
            self.variables[name] = value
        if words and words[0] == "export":
            for w in words[1:]:
                if _assignment(w):
                    name, _, value = w.partition("=")
                    self.variables[name] = value
            words.clear()
        self.commands.append(cmd)

    # -- here-documents --
    def _read_heredocs(self) -> None:
        for cmd, delimiter, quoted, strip in self.heredocs:
            lines: list[str] = []
            while True:
                if self.i >= len(self.s):
                    self.notes.append(f"the here-document ended at the end of the text, not at {delimiter!r}")
                    break
                end = self.s.find("\n", self.i)
                line = self.s[self.i:] if end < 0 else self.s[self.i:end]
                self.i = len(self.s) if end < 0 else end + 1
                if strip:
                    line = line.lstrip("\t")
                if line == delimiter:
                    break
                lines.append(line)
            text = "".join(line + "\n" for line in lines)
            cmd.stdin = text if quoted else self._expand_heredoc(text)
        self.heredocs = []

    def _expand_heredoc(self, text: str) -> str:
        out, i = [], 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in "$`\\\n":
                out.append("" if text[i + 1] == "\n" else text[i + 1])
                i += 2
            elif ch == "$":
                piece, i = self._dollar(text, i)
                out.append(piece)
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    # -- words --
    def _word_part(self, word: _Word) -> None:
        s, ch = self.s, self.s[self.i]
        word.started = True
        if ch == "\\":
            nxt = s[self.i + 1:self.i + 2]
            self.i += 2
            if nxt == "\n":
                word.started = bool(word.text) or word.quoted
            else:
                word.text += nxt
                word.quoted = True
        elif ch == "'":
            end = s.find("'", self.i + 1)
            if end < 0:
                raise ShellSyntaxError("a single quote (') is never closed")
            word.text += s[self.i + 1:end]
            word.quoted = True
            self.i = end + 1
        elif ch == '"':
            word.text += self._double()
            word.quoted = True
        elif ch == "$" and s.startswith("$'", self.i):
            word.text += self._ansi_c()
            word.quoted = True
        elif ch == "$" and s.startswith('$"', self.i):
            self.i += 1
            word.text += self._double()
            word.quoted = True
        elif ch == "$":
            piece, self.i = self._dollar(s, self.i)
            word.text += piece
        elif ch == "`":
            end = self._closing_backquote(self.i)
            word.text += s[self.i:end + 1]
            self.i = end + 1
        else:
            word.text += ch
            self.i += 1

    def _double(self) -> str:
        s, out = self.s, []
        self.i += 1
        while True:
            if self.i >= len(s):
                raise ShellSyntaxError('a double quote (") is never closed')
            ch = s[self.i]
            if ch == '"':
                self.i += 1
                return "".join(out)
            if ch == "\\" and s[self.i + 1:self.i + 2] in ('$', '`', '"', '\\', '\n'):
                out.append("" if s[self.i + 1] == "\n" else s[self.i + 1])
                self.i += 2
            elif ch == "$":
                piece, self.i = self._dollar(s, self.i)
                out.append(piece)
            elif ch == "`":
                end = self._closing_backquote(self.i)
                out.append(s[self.i:end + 1])
                self.i = end + 1
            else:
                out.append(ch)
                self.i += 1

    def _ansi_c(self) -> str:
        # bytes, as bash builds them: $'\xc3\xa9' is one UTF-8 character
        s, out = self.s, bytearray()
        self.i += 2
        while True:
            if self.i >= len(s):
                raise ShellSyntaxError("a $'...' string is never closed")
            ch = s[self.i]
            if ch == "'":
                self.i += 1
                return out.decode("utf-8", errors="replace")
            if ch != "\\":
                out += ch.encode("utf-8", errors="surrogatepass")
                self.i += 1
                continue
            raw, self.i = _ansi_escape(s, self.i + 1)
            out += raw

    def _dollar(self, s: str, i: int) -> tuple[str, int]:
        """``$...`` at ``s[i]``: the text it stands for and the index after it."""
        nxt = s[i + 1:i + 2]
        if nxt == "(":
            end = _closing_paren(s, i + 1)
            return s[i:end + 1], end + 1
        if nxt == "{":
            end = s.find("}", i + 2)
            if end < 0:
                raise ShellSyntaxError("a ${...} expansion is never closed")
            name = s[i + 2:end]
            if name and name[0] in _NAME_START and all(c in _NAME_CHARS for c in name):
                return self._variable(name, s[i:end + 1]), end + 1
            return s[i:end + 1], end + 1
        if nxt and nxt in _NAME_START:
            j = i + 1
            while j < len(s) and s[j] in _NAME_CHARS:
                j += 1
            return self._variable(s[i + 1:j], s[i:j]), j
        return "$", i + 1

    def _variable(self, name: str, written: str) -> str:
        value = self.expand(name, self.variables)
        if value is None:
            self.unexpanded.append(name)
            return written
        return value

    def _closing_backquote(self, i: int) -> int:
        j = i + 1
        while j < len(self.s):
            if self.s[j] == "\\":
                j += 2
                continue
            if self.s[j] == "`":
                return j
            j += 1
        raise ShellSyntaxError("a backquote (`) is never closed")


def _assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq and name and name[0] in _NAME_START and all(c in _NAME_CHARS for c in name))


def _closing_paren(s: str, i: int) -> int:
    """The index of the ``)`` that closes the ``(`` at ``s[i]``, skipping quoted text."""
    depth, j = 0, i
    while j < len(s):
        ch = s[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "'":
            j = s.find("'", j + 1)
            if j < 0:
                break
        elif ch == '"':
            j += 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ShellSyntaxError("a $(...) substitution is never closed")


def _ansi_escape(s: str, i: int) -> tuple[bytes, int]:
    """One escape of a ``$'...'`` string as bytes; ``s[i]`` is the character after the
    backslash. ``\\xHH`` and octal give one byte; ``\\u`` and ``\\U`` a UTF-8 character."""
    ch = s[i:i + 1]
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch].encode(), i + 1
    for letter, width in (("x", 2), ("u", 4), ("U", 8)):
        if ch == letter:
            j = i + 1
            while j < len(s) and j < i + 1 + width and s[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 1:
                return ("\\" + ch).encode(), i + 1
            code = int(s[i + 1:j], 16)
            if letter == "x":
                return bytes([code]), j
            return (chr(code) if code < 0x110000 else "\ufffd").encode("utf-8", errors="replace"), j
    if ch and ch in "01234567":
        j = i
        while j < len(s) and j < i + 3 and s[j] in "01234567":
            j += 1
        return bytes([int(s[i:j], 8) & 0xFF]), j
    if ch == "c" and i + 1 < len(s):
        return bytes([ord(s[i + 1]) & 0x1F]), i + 2
    return ("\\" + ch).encode("utf-8", errors="replace"), i + 1
