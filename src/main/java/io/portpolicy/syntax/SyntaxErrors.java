package io.portpolicy.syntax;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.antlr.PolicyLexer;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.misc.IntervalSet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reports syntax errors in plain words ("expected an address after 'from'") instead of
 * ANTLR's token lists, and recovers by skipping to the next line that starts a statement (see
 * {@link #resumesHere}), so each broken line is reported once.
 */
final class SyntaxErrors extends DefaultErrorStrategy {

    private static final Set<Integer> STATEMENT_KEYWORDS = Set.of(
            PolicyLexer.HOST, PolicyLexer.NETWORK, PolicyLexer.GROUP, PolicyLexer.SERVICE,
            PolicyLexer.DEFAULT, PolicyLexer.STATELESS, PolicyLexer.EPHEMERAL,
            PolicyLexer.INCLUDE, PolicyLexer.IMPORT,
            PolicyLexer.ALLOW, PolicyLexer.DENY, PolicyLexer.REJECT);

    private static final Set<Integer> ACTIONS = Set.of(PolicyLexer.ALLOW, PolicyLexer.DENY, PolicyLexer.REJECT);

    /** The statement keywords, as a parser's set of expected tokens. */
    private static final IntervalSet STATEMENT_STARTS = new IntervalSet();

    static {
        STATEMENT_KEYWORDS.forEach(STATEMENT_STARTS::add);
    }

    /**
     * The words no statement ends with: keywords that something must follow, and the
     * punctuation between items. After one of them at the end of a line, the statement goes on
     * over the next line, whatever that line starts with.
     */
    private static final Set<Integer> UNFINISHED = Set.of(
            PolicyLexer.HOST, PolicyLexer.NETWORK, PolicyLexer.GROUP, PolicyLexer.SERVICE,
            PolicyLexer.DEFAULT, PolicyLexer.INBOUND, PolicyLexer.OUTBOUND, PolicyLexer.INCLUDE, PolicyLexer.IMPORT,
            PolicyLexer.ALLOW, PolicyLexer.DENY, PolicyLexer.REJECT,
            PolicyLexer.FROM, PolicyLexer.TO, PolicyLexer.EXCEPT, PolicyLexer.PORT, PolicyLexer.OS,
            PolicyLexer.COMMENT, PolicyLexer.OWNER, PolicyLexer.TICKET, PolicyLexer.EXPIRES, PolicyLexer.WAIVE,
            PolicyLexer.UNTIL,
            PolicyLexer.EQ, PolicyLexer.COMMA, PolicyLexer.SLASH, PolicyLexer.DASH, PolicyLexer.COLON,
            PolicyLexer.LBRACE);

    /** Other firewalls' words for the actions ('accept' is not a misspelt 'except'). */
    private static final Map<String, String> ACTION_SYNONYMS = Map.of(
            "accept", "allow", "permit", "allow", "pass", "allow",
            "drop", "deny", "block", "deny", "discard", "deny");

    private static final Set<Integer> OPTION_KEYWORDS = Set.of(
            PolicyLexer.LOG, PolicyLexer.COMMENT, PolicyLexer.OWNER, PolicyLexer.TICKET,
            PolicyLexer.EXPIRES, PolicyLexer.WAIVE);

    private static final String UNTERMINATED_HINT = "close the string with '\"' on the same line";

    private final SourceFile source;
    private final Diagnostics diagnostics;
    private int count;
    /** The index of the token the last skip stopped at: a stray there follows a broken statement. */
    private int resumedAt = -1;

    SyntaxErrors(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    int count() {
        return count;
    }

    static boolean startsStatement(Token token, TokenStream tokens) {
        return STATEMENT_KEYWORDS.contains(token.getType());
    }

    // ---- ANTLR hooks --------------------------------------------------------

    @Override
    public void reportError(Parser parser, RecognitionException e) {
        if (inErrorRecoveryMode(parser)) return;
        beginErrorCondition(parser);
        IntervalSet expected = e.getExpectedTokens();
        report(parser, e.getOffendingToken() != null ? e.getOffendingToken() : parser.getCurrentToken(),
                expected == null ? new IntervalSet() : expected, parser.getContext());
    }

    /** No single-token insertion or deletion: guessing repairs causes confusing follow-on errors. */
    @Override
    public Token recoverInline(Parser parser) {
        throw new InputMismatchException(parser);
    }

    /**
     * Skips to the next statement and stays in error mode until {@link #reset} at the end of the
     * statement, so the rules still open on the way out report nothing more.
     */
    @Override
    public void recover(Parser parser, RecognitionException e) {
        skipTo(parser.getInputStream());
    }

    @Override
    public void sync(Parser parser) {
        // Loops simply end at an unexpected token; the caller then reports it with context.
    }

    // ---- used by PolicyReader -----------------------------------------------

    /**
     * A token where a new statement should start.
     *
     * @param before the first token of the statement read just before it, when that was read
     *     without error; else {@code null}
     * @return whether it is part of the statement before it, whose value it makes wrong (a
     *     CIDR in a host: 'host b = 10.0.0.2/24' is no host b = 10.0.0.2), so that statement
     *     is broken too
     */
    boolean reportStray(Parser parser, Token before) {
        Token token = parser.getCurrentToken();
        Token previous = previousVisible(parser.getInputStream(), token.getTokenIndex());
        if (before != null && reportUnfinishedLine(parser.getInputStream(), token, before)) return true;
        String expected = previous == null
                ? "a statement such as 'host', 'group' or 'allow'"
                : "a new statement such as 'allow', 'deny', 'host' or 'group'";
        String hint = token.getType() == PolicyLexer.UNKNOWN ? characterHint(token.getText().codePointAt(0))
                : keywordHint(token, IntervalSet.EMPTY_SET);
        // Nothing goes on with a broken statement: after one, only a new statement is expected.
        if (previous != null && token.getTokenIndex() != resumedAt) {
            Set<Integer> clauses = ruleClauses(parser.getInputStream(), token.getTokenIndex());
            if (clauses != null) {
                String options = "an option (log, comment, owner, ticket, expires, waive) or a new statement";
                // After an option only options follow: 'from' and 'to' are not expected there any more.
                boolean optionsStarted = clauses.stream().anyMatch(OPTION_KEYWORDS::contains);
                expected = optionsStarted || clauses.contains(PolicyLexer.TO) ? options
                        : clauses.contains(PolicyLexer.FROM) ? "'to', " + options
                        : "'from', 'to', " + options;
                boolean clause = token.getType() == PolicyLexer.FROM || token.getType() == PolicyLexer.TO;
                if (optionsStarted && clause && !clauses.contains(token.getType())) {
                    hint = "'from' and 'to' come before the options: move the options to the end of the rule";
                } else if (token.getType() == PolicyLexer.FROM && clauses.contains(PolicyLexer.TO)
                        && !clauses.contains(PolicyLexer.FROM)) {
                    hint = "'from' comes before 'to': ACTION SERVICES from ADDRS to ADDRS";
                }
            }
        }
        if (previous != null && reportBlockInHost(parser.getInputStream(), token, previous)) return true;
        if (previous != null && reportSecondOs(parser.getInputStream(), token)) return false;
        if (token.getType() == PolicyLexer.COMMA) {
            String list = portListHint(parser.getInputStream(), token, PolicyLexer.PORT);
            if (list != null) hint = list;
        }
        if (token.getType() == PolicyLexer.COLON && previous != null) {
            String port = colonPortHint(parser.getInputStream(), previous);
            if (port != null) hint = port;
        }
        if (hint == null && previous != null) hint = missingCommaHint(parser.getInputStream(), token, previous);
        String where = previous == null ? "" : " after " + quote(previous);
        if (token.getType() == PolicyLexer.UNTERMINATED_STRING) {
            add(token, "unterminated string", UNTERMINATED_HINT);
            return false;
        }
        add(token, "unexpected " + describe(token) + where + "; expected " + expected, hint);
        return false;
    }

    /**
     * A statement left unfinished at the end of its line, which newlines being whitespace went
     * on with the next line, whose first word looks like a statement of its own ('default
     * inbound', then 'allow tcp/81 ...'; 'allow tcp/22 from', then 'alow tcp/80 ...'): read
     * as the missing action or address, that word made the statement, and the stray after it
     * is only the symptom. Said at the end of the unfinished line.
     */
    private boolean reportUnfinishedLine(TokenStream tokens, Token stray, Token statementStart) {
        Token lineStart = stray;
        for (Token t = previousVisible(tokens, stray.getTokenIndex()); t != null && t.getLine() == stray.getLine();
             t = previousVisible(tokens, t.getTokenIndex())) {
            lineStart = t;
        }
        if (lineStart == stray || lineStart.getTokenIndex() <= statementStart.getTokenIndex()) return false;
        // Not 'ephemeral': after 'port' at a line's end it is the ports, not the setting.
        boolean keyword = STATEMENT_KEYWORDS.contains(lineStart.getType()) && lineStart.getType() != PolicyLexer.EPHEMERAL;
        String misspelt = keyword ? null : keywordHint(lineStart, STATEMENT_STARTS);
        if (!keyword && misspelt == null) return false;
        Token end = previousVisible(tokens, lineStart.getTokenIndex());
        String written = tokens.getText(statementStart, end);
        String statement = statementStart.getLine() == end.getLine() && written.length() <= 40 ? Quote.of(written)
                : "the statement starting " + quote(statementStart) + " on line " + statementStart.getLine();
        String whitespace = "newlines are whitespace, so a statement goes on over the next line";
        addAfter(end, statement + " is unfinished at the end of line " + end.getLine() + ", so " + quote(lineStart)
                + " starting line " + lineStart.getLine() + " was read as part of it",
                misspelt == null ? "finish it on line " + end.getLine() + ": " + whitespace
                        : misspelt + " If so, finish line " + end.getLine() + "'s statement there: " + whitespace);
        return true;
    }

    /**
     * A CIDR or range in a host definition ('host db = 10.0.0.0/24'): the definition ends at the
     * address, and the '/' or '-' after it is the stray token, the next in {@code tokens}. Said
     * as what it is, with what to write instead.
     */
    private boolean reportBlockInHost(TokenStream tokens, Token stray, Token address) {
        boolean cidr = stray.getType() == PolicyLexer.SLASH;
        if (!cidr && stray.getType() != PolicyLexer.DASH) return false;
        if (address.getType() != PolicyLexer.IPV4 && address.getType() != PolicyLexer.IPV6) return false;
        Token host = statementKeyword(tokens, address.getTokenIndex());
        if (host == null || host.getType() != PolicyLexer.HOST) return false;
        Token name = nextVisible(tokens, host.getTokenIndex());
        // The block through its prefix length or the range's high end, when on the same line.
        Token end = tokens.LT(2);
        boolean ends = end.getLine() == stray.getLine()
                && end.getType() == (cidr ? PolicyLexer.NUMBER : address.getType());
        Token last = ends ? end : stray;
        String block = address.getText() + stray.getText() + (ends ? end.getText() : "");
        int start = address.getCharPositionInLine();
        int length = last.getCharPositionInLine() + last.getText().length() - start;
        count++;
        diagnostics.error(source.at(address.getLine(), start + 1, length),
                BlockInHost.error(cidr, block), BlockInHost.hint(name.getText(), block));
        return true;
    }

    /**
     * A second 'os' in a host definition ('host a = 10.0.0.1 os linux os bsd'): the definition
     * ended at the first os's name, so the second 'os' is the stray token. Said as what it is,
     * with where the first one is, as an option given twice in a rule is.
     */
    private boolean reportSecondOs(TokenStream tokens, Token stray) {
        if (stray.getType() != PolicyLexer.OS) return false;
        Token host = statementKeyword(tokens, stray.getTokenIndex() - 1);
        if (host == null || host.getType() != PolicyLexer.HOST) return false;
        Token first = null;
        for (int i = host.getTokenIndex() + 1; i < stray.getTokenIndex() && first == null; i++) {
            if (tokens.get(i).getType() == PolicyLexer.OS) first = tokens.get(i);
        }
        if (first == null) return false;
        // The name after it, which the stream may not have buffered yet: it is just ahead.
        Token name = tokens.LT(2);
        int length = name.getType() == PolicyLexer.NAME && name.getLine() == stray.getLine()
                ? name.getCharPositionInLine() + name.getText().length() - stray.getCharPositionInLine() : 2;
        Location firstAt = source.at(first.getLine(), first.getCharPositionInLine() + 1, 2);
        count++;
        diagnostics.error(source.at(stray.getLine(), stray.getCharPositionInLine() + 1, length),
                "'os' is given twice in host " + Quote.of(nextVisible(tokens, host.getTokenIndex()).getText())
                        + "; first at " + firstAt, "keep one; a host has one os");
        return true;
    }

    /** The keyword that starts the statement holding the token at {@code index}, or {@code null}. */
    private static Token statementKeyword(TokenStream tokens, int index) {
        for (int i = index; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
            if (t.getType() == PolicyLexer.SEMI) return null;
            if (keywordStartsStatement(t, tokens)) return t;
        }
        return null;
    }

    /**
     * Skips a stray token and whatever follows it up to the next statement. The stray itself
     * goes first: a name starting a line is where skipping stops, and this one is reported.
     */
    void skipToNextStatement(Parser parser) {
        parser.getInputStream().consume();
        skipTo(parser.getInputStream());
        endErrorCondition(parser);
    }

    /**
     * Consumes tokens up to where the next statement may start (see {@link #resumesHere}).
     * Tokens go straight from the stream: between statements the parser has no context to
     * attach them to, and a broken statement's tree is discarded anyway. The offending token
     * may itself start the next statement ('from' followed by 'allow' on the next line), so it
     * is not skipped blindly.
     */
    private void skipTo(TokenStream tokens) {
        while (tokens.LA(1) != Token.EOF && !resumesHere(tokens.LT(1), tokens)) tokens.consume();
        resumedAt = tokens.LT(1).getTokenIndex();
    }

    // ---- messages -----------------------------------------------------------

    private void report(Parser parser, Token offending, IntervalSet expected, ParserRuleContext context) {
        String where = where(context);
        Token previous = previousVisible(parser.getInputStream(), offending.getTokenIndex());
        String after = previous == null ? "" : " after " + quote(previous);
        if (previous != null && offending.getLine() > previous.getLine()
                && resumesHere(offending, parser.getInputStream())) {
            // The statement stops at the end of a line and the next one starts ('allow tcp/22
            // from', then a rule): what is missing belongs at the end of that line.
            String statement = where.isEmpty() ? "statement" : where.substring("in ".length());
            addAfter(previous, "the " + statement + " ends after " + quote(previous) + "; expected "
                    + describeExpected(expected), null);
            return;
        }
        String message = offending.getType() == PolicyLexer.UNTERMINATED_STRING
                ? "unterminated string" + (where.isEmpty() ? "" : " " + where)
                : "unexpected " + describe(offending) + (where.isEmpty() ? after : " " + where + after)
                        + "; expected " + describeExpected(expected);
        if (offending.getType() == Token.EOF && previous != null) {
            // The end of the file has no text to point at; point just past the last word instead.
            addAfter(previous, message, hintFor(offending, expected));
            return;
        }
        String hint = hintFor(offending, expected);
        // 'from' or 'to' too early in a rule: what belongs before it was left out, not meant as a name.
        if (where.equals("in rule") && isFromOrTo(offending)) {
            if (expected.contains(PolicyLexer.TCP)) {
                hint = "a rule names its traffic before " + quote(offending) + ": a service, as in 'allow ssh "
                        + offending.getText() + " ...', or 'any' for every protocol and port";
            } else if (previous != null && isFromOrTo(previous)) {
                hint = "'from' and 'to' are each followed by addresses; leave one out to mean its default"
                        + " (from any, to self)";
            }
        }
        if (offending.getType() == PolicyLexer.NUMBER && previous != null && previous.getType() == PolicyLexer.COMMA) {
            String list = portListHint(parser.getInputStream(), previous, PolicyLexer.SLASH);
            if (list != null) hint = list;
        }
        if (offending.getType() == PolicyLexer.RBRACE && previous != null && previous.getType() == PolicyLexer.LBRACE) {
            hint = "list at least one port or ICMP type in the braces, as tcp/{80, 443}";
        }
        if (expected.contains(PolicyLexer.IPV4) && isHexadecimal(offending)) {
            hint = "write IPv4 addresses in dotted decimal, as 10.0.0.1; hexadecimal is not accepted";
        }
        if (offending.getType() == PolicyLexer.IPV4 && previous != null && previous.getType() == PolicyLexer.SLASH) {
            Integer length = prefixLength(offending.getText());
            hint = length != null ? "write the prefix length instead of the mask: /" + length
                    : "a CIDR takes a prefix length, 0-32; wildcard and other masks are not accepted";
        }
        add(offending, message, hint);
    }

    /**
     * 'port 80, 443' or 'tcp/80, 443': a second port after a comma, where the comma ends the
     * ports (and, after 'PROTO/', starts the next service). The ports, N or N-M, come right
     * after {@code opener} ('port' or '/'); the list they meant is written in braces.
     */
    private static String portListHint(TokenStream tokens, Token comma, int opener) {
        List<Token> before = new ArrayList<>();
        for (Token t = previousVisible(tokens, comma.getTokenIndex()); t != null && before.size() < 4;
             t = previousVisible(tokens, t.getTokenIndex())) {
            before.add(0, t);
            if (t.getType() == opener) break;
        }
        if (before.isEmpty() || before.get(0).getType() != opener) return null;
        List<Token> ports = before.subList(1, before.size());
        boolean single = ports.size() == 1 && ports.get(0).getType() == PolicyLexer.NUMBER;
        boolean range = ports.size() == 3 && ports.get(0).getType() == PolicyLexer.NUMBER
                && ports.get(1).getType() == PolicyLexer.DASH && ports.get(2).getType() == PolicyLexer.NUMBER;
        if (!single && !range) return null;
        String first = ports.stream().map(Token::getText).reduce("", String::concat);
        // The word after the comma, which the stream may not have buffered yet: it is just ahead.
        Token next = tokens.LT(1).getTokenIndex() > comma.getTokenIndex() ? tokens.LT(1) : tokens.LT(2);
        String second = next != null && next.getType() == PolicyLexer.NUMBER ? next.getText() : "...";
        String list = "{" + first + ", " + second + "}";
        return "several ports are a list in braces: "
                + (opener == PolicyLexer.PORT ? "port " : previousWord(tokens, before.get(0)) + "/") + list;
    }

    /**
     * 'group web = web1 web2': a definition's list ends at an item, and the stray token, the next
     * in {@code tokens}, is on its line and could be the next item. The two items as written,
     * with the comma between them.
     */
    private static String missingCommaHint(TokenStream tokens, Token stray, Token previous) {
        if (stray.getLine() != previous.getLine()) return null;
        Token keyword = statementKeyword(tokens, previous.getTokenIndex());
        if (keyword == null) return null;
        int type = stray.getType();
        boolean address = type == PolicyLexer.IPV4 || type == PolicyLexer.IPV6;
        boolean item = switch (keyword.getType()) {
            // A network holds no names: a name after its addresses is no missing comma.
            case PolicyLexer.HOST, PolicyLexer.NETWORK -> address;
            case PolicyLexer.GROUP -> address || type == PolicyLexer.NAME;
            case PolicyLexer.SERVICE -> type == PolicyLexer.NAME || type == PolicyLexer.TCP || type == PolicyLexer.UDP
                    || type == PolicyLexer.ICMP || type == PolicyLexer.ICMPV6;
            default -> false;
        };
        if (!item) return null;
        // The item before it starts after the '=' or a ',' outside braces (tcp/{80, 443} is one item).
        Token start = null;
        int depth = 0;
        for (Token t = previous; ; t = previousVisible(tokens, t.getTokenIndex())) {
            if (t == null || t == keyword || t.getType() == PolicyLexer.OS) return null;
            if (t.getType() == PolicyLexer.RBRACE) depth++;
            if (t.getType() == PolicyLexer.LBRACE) depth--;
            if (depth == 0 && (t.getType() == PolicyLexer.EQ || t.getType() == PolicyLexer.COMMA)) break;
            start = t;
        }
        if (start == null || start.getLine() != previous.getLine()) return null;
        // The stray item runs on as long as its tokens touch (192.0.2.0/24).
        Token end = stray;
        for (int i = 2; ; i++) {
            Token next = tokens.LT(i);
            if (next.getType() == Token.EOF || next.getType() == PolicyLexer.COMMA
                    || next.getStartIndex() != end.getStopIndex() + 1) break;
            end = next;
        }
        return "list items are separated by ',': write "
                + Quote.of(tokens.getText(start, previous) + ", " + tokens.getText(stray, end));
    }

    /**
     * 'tcp:22', as gcloud writes it: the rule or definition ends at the protocol, and the ':' is
     * the next token in {@code tokens}, followed by the port or range N-M.
     */
    private static String colonPortHint(TokenStream tokens, Token protocol) {
        if (protocol.getType() != PolicyLexer.TCP && protocol.getType() != PolicyLexer.UDP) return null;
        Token low = tokens.LT(2);
        if (low.getType() != PolicyLexer.NUMBER || low.getLine() != protocol.getLine()) return null;
        boolean range = tokens.LT(3).getType() == PolicyLexer.DASH && tokens.LT(4).getType() == PolicyLexer.NUMBER
                && tokens.LT(4).getLine() == protocol.getLine();
        String ports = low.getText() + (range ? "-" + tokens.LT(4).getText() : "");
        return "a protocol's ports come after '/': write " + protocol.getText() + "/" + ports;
    }

    private static String previousWord(TokenStream tokens, Token token) {
        Token previous = previousVisible(tokens, token.getTokenIndex());
        return previous == null ? "" : previous.getText();
    }

    private void addAfter(Token token, String message, String hint) {
        count++;
        int column = token.getCharPositionInLine() + token.getText().codePointCount(0, token.getText().length()) + 1;
        diagnostics.error(source.at(token.getLine(), column, 1), message, hint);
    }

    private void add(Token token, String message, String hint) {
        count++;
        int length = token.getType() == Token.EOF ? 1 : Math.max(1, token.getText().length());
        Location location = source.at(token.getLine(), token.getCharPositionInLine() + 1, length);
        diagnostics.error(location, message, hint);
    }

    /**
     * Where parsing resumes after a syntax error: the first word of a line (or the first after
     * a ';'), when it is a statement keyword, or a name after a line that may end a statement
     * ('alow tcp/80' after a broken rule: most likely a misspelt keyword, then reported as a
     * stray). Never a word inside the broken line: the rest of it belongs
     * to the mistake ('allow tcp/22 from ( to a allow tcp/80' is one broken rule, not a broken
     * one and a good one). Newlines are whitespace, so a line that starts with anything else
     * may go on with the broken statement, and is skipped with it.
     */
    private static boolean resumesHere(Token token, TokenStream tokens) {
        Token previous = previousVisible(tokens, token.getTokenIndex());
        if (previous != null && previous.getLine() == token.getLine() && previous.getType() != PolicyLexer.SEMI) {
            return false;
        }
        if (token.getType() == PolicyLexer.NAME) return previous == null || !UNFINISHED.contains(previous.getType());
        return STATEMENT_KEYWORDS.contains(token.getType());
    }

    /** A statement keyword that starts a statement where it stands; `ephemeral` also names ports, so only at a line start. */
    private static boolean keywordStartsStatement(Token token, TokenStream tokens) {
        if (!STATEMENT_KEYWORDS.contains(token.getType())) return false;
        Token previous = previousVisible(tokens, token.getTokenIndex());
        // 'defualt inbound deny': an action right after a direction is a broken setting's, not a rule's.
        boolean direction = previous != null
                && (previous.getType() == PolicyLexer.INBOUND || previous.getType() == PolicyLexer.OUTBOUND);
        if (direction && previous.getLine() == token.getLine()) {
            return false;
        }
        if (token.getType() != PolicyLexer.EPHEMERAL) return true;
        return previous == null || previous.getLine() < token.getLine() || previous.getType() == PolicyLexer.SEMI;
    }

    /**
     * When the token follows the start of a rule in the same statement, which of 'from', 'to'
     * and the option keywords that rule has already had; {@code null} when it is not in a rule.
     */
    private static Set<Integer> ruleClauses(TokenStream tokens, int index) {
        Set<Integer> clauses = new java.util.HashSet<>();
        for (int i = index - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
            if (t.getType() == PolicyLexer.SEMI) return null;
            boolean clause = t.getType() == PolicyLexer.FROM || t.getType() == PolicyLexer.TO;
            if (clause || OPTION_KEYWORDS.contains(t.getType())) clauses.add(t.getType());
            if (t.getType() == PolicyLexer.ALLOW || t.getType() == PolicyLexer.DENY
                    || t.getType() == PolicyLexer.REJECT) return clauses;
            if (STATEMENT_KEYWORDS.contains(t.getType()) && t.getType() != PolicyLexer.EPHEMERAL) return null;
        }
        return null;
    }

    private static Token nextVisible(TokenStream tokens, int index) {
        for (int i = index + 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.getChannel() == Token.DEFAULT_CHANNEL) return t;
        }
        return null;
    }

    private static Token previousVisible(TokenStream tokens, int index) {
        for (int i = index - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() == Token.DEFAULT_CHANNEL) return t;
        }
        return null;
    }

    private static String where(ParserRuleContext context) {
        for (ParserRuleContext c = context; c != null; c = c.getParent()) {
            switch (c.getRuleIndex()) {
                case PolicyParser.RULE_hostDef: return "in host definition";
                case PolicyParser.RULE_networkDef: return "in network definition";
                case PolicyParser.RULE_groupDef: return "in group definition";
                case PolicyParser.RULE_serviceDef: return "in service definition";
                case PolicyParser.RULE_defaultSetting: return "in 'default' setting";
                case PolicyParser.RULE_ephemeralSetting: return "in 'ephemeral' setting";
                case PolicyParser.RULE_includeStmt: return "in 'include'";
                case PolicyParser.RULE_importStmt: return "in 'import'";
                case PolicyParser.RULE_option: return "in rule option";
                case PolicyParser.RULE_accessRule: return "in rule";
                default: break;
            }
        }
        return "";
    }

    static String describe(Token token) {
        return switch (token.getType()) {
            case Token.EOF -> "end of file";
            case PolicyLexer.UNTERMINATED_STRING -> "unterminated string";
            case PolicyLexer.UNKNOWN -> "character " + describeCharacter(token.getText().codePointAt(0));
            default -> quote(token);
        };
    }

    /**
     * A character the language has no use for, quoted; outside ASCII also by code point and
     * Unicode name, since a look-alike ('а', U+0430, is not 'a') or an invisible character
     * (a zero-width space) shows nothing of what is wrong, and is not quoted at all.
     */
    private static String describeCharacter(int character) {
        if (character < 0x80) return Quote.of(Character.toString(character));
        String code = String.format("U+%04X", character);
        String name = Character.getName(character);
        String named = name == null ? code : code + " " + name;
        return invisible(character) ? named : Quote.of(Character.toString(character)) + " (" + named + ")";
    }

    private static boolean invisible(int character) {
        int type = Character.getType(character);
        return type == Character.FORMAT || type == Character.SPACE_SEPARATOR
                || type == Character.CONTROL || type == Character.UNASSIGNED;
    }

    /** What to write instead of a character the language has no use for, when there is a likely intent. */
    private static String characterHint(int character) {
        return switch (character) {
            case '\\' -> "a statement may simply go on over the next line: newlines are whitespace, no '\\' is needed";
            case '\'', 0x2018, 0x2019, 0x201C, 0x201D, 0x201E, 0x00AB, 0x00BB ->
                    "strings are written in straight double quotes: \"...\"";
            default -> character < 0x80 ? null
                    : invisible(character) ? "remove it: it is invisible, so the line looks right but does not parse"
                    : "names, addresses and keywords are ASCII; retype it (an editor or a copy may have put in a look-alike)";
        };
    }

    private static String quote(Token token) {
        if (token.getType() == Token.EOF) return "end of file";
        String text = token.getText();
        if (text.length() > 30) text = text.substring(0, 27) + "...";
        return Quote.of(text);
    }

    /** Names what may come next in words, merging token kinds a person thinks of as one. */
    static String describeExpected(IntervalSet expected) {
        Set<Integer> types = new LinkedHashSet<>(expected.toList());
        List<String> words = new ArrayList<>();
        if (types.containsAll(List.of(PolicyLexer.TCP, PolicyLexer.UDP))) {
            words.add("a service such as tcp/443, udp/53, ssh or any");
            types.removeAll(List.of(PolicyLexer.TCP, PolicyLexer.UDP, PolicyLexer.ICMP, PolicyLexer.ICMPV6,
                    PolicyLexer.ANY, PolicyLexer.NAME));
        }
        if (types.containsAll(List.of(PolicyLexer.IPV4, PolicyLexer.IPV6))) {
            boolean names = types.contains(PolicyLexer.NAME);
            boolean any = types.contains(PolicyLexer.ANY);
            words.add(any ? "an address, CIDR, name, 'any' or 'self'"
                    : names ? "an address, CIDR, range or name" : "an IPv4 or IPv6 address");
            types.removeAll(List.of(PolicyLexer.IPV4, PolicyLexer.IPV6, PolicyLexer.NAME, PolicyLexer.ANY,
                    PolicyLexer.ANY4, PolicyLexer.ANY6, PolicyLexer.SELF));
        }
        if (types.containsAll(OPTION_KEYWORDS)) {
            words.add("an option (log, comment, owner, ticket, expires, waive)");
            types.removeAll(OPTION_KEYWORDS);
        }
        if (types.contains(PolicyLexer.NUMBER) && types.contains(PolicyLexer.LBRACE)) {
            words.add(types.contains(PolicyLexer.NAME) ? "ports or an ICMP type" : "a port, a range N-M or {list}");
            types.removeAll(List.of(PolicyLexer.NUMBER, PolicyLexer.LBRACE, PolicyLexer.EPHEMERAL, PolicyLexer.NAME));
        }
        if (types.containsAll(List.of(PolicyLexer.ALLOW, PolicyLexer.DENY, PolicyLexer.REJECT))) {
            words.add("'allow', 'deny' or 'reject'");
            types.removeAll(List.of(PolicyLexer.ALLOW, PolicyLexer.DENY, PolicyLexer.REJECT));
        }
        for (int type : types) {
            words.add(switch (type) {
                case Token.EOF -> "end of file";
                case PolicyLexer.NAME -> "a name";
                case PolicyLexer.NUMBER -> "a number";
                case PolicyLexer.STRING -> "a double-quoted string";
                case PolicyLexer.DATE -> "a date (YYYY-MM-DD)";
                case PolicyLexer.IPV4 -> "an IPv4 address";
                case PolicyLexer.IPV6 -> "an IPv6 address";
                default -> PolicyLexer.VOCABULARY.getLiteralName(type) != null
                        ? PolicyLexer.VOCABULARY.getLiteralName(type)
                        : PolicyLexer.VOCABULARY.getDisplayName(type);
            });
        }
        if (words.isEmpty()) return "a new statement";
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    private static String hintFor(Token offending, IntervalSet expected) {
        if (offending.getType() == PolicyLexer.UNTERMINATED_STRING) return UNTERMINATED_HINT;
        if (offending.getType() == PolicyLexer.UNKNOWN) return characterHint(offending.getText().codePointAt(0));
        if (expected.size() == 1 && expected.contains(PolicyLexer.EQ)) {
            return "a definition is written NAME = VALUE, ..., e.g. host web1 = 10.0.1.11";
        }
        if (expected.size() == 1 && expected.contains(PolicyLexer.STRING) && offending.getType() != Token.EOF) {
            return "write it in double quotes: \"" + Quote.cut(offending.getText()) + "\"";
        }
        if (expected.size() == 1 && expected.contains(PolicyLexer.DATE) && offending.getType() == PolicyLexer.STRING) {
            return "a date is written without quotes, YYYY-MM-DD: " + Quote.cut(offending.getText().replace("\"", ""));
        }
        if (ACTIONS.contains(offending.getType()) && expected.contains(PolicyLexer.INBOUND)) {
            return "a default is set per direction: 'default inbound " + offending.getText()
                    + "', 'default outbound " + offending.getText() + "'";
        }
        if (isKeyword(offending.getType()) && expected.contains(PolicyLexer.NAME)) {
            return quote(offending) + " is a reserved word and cannot be used as a name";
        }
        return keywordHint(offending, expected);
    }

    /** Whether {@code token} begins a hexadecimal number ('0x7f.1.1.1' lexes as '0' and the name 'x7f.1.1.1'). */
    private static boolean isHexadecimal(Token token) {
        if (token.getType() != PolicyLexer.NUMBER || !token.getText().equals("0")) return false;
        CharStream text = token.getInputStream();
        int next = token.getStopIndex() + 1;
        return next < text.size() && "xX".contains(text.getText(Interval.of(next, next)));
    }

    /** The prefix length a netmask such as 255.255.255.0 stands for, or {@code null} if it is none. */
    private static Integer prefixLength(String mask) {
        String[] octets = mask.split("\\.");
        if (octets.length != 4) return null;
        long bits = 0;
        for (String octet : octets) {
            if (octet.length() > 3 || Integer.parseInt(octet) > 255) return null;
            bits = bits << 8 | Integer.parseInt(octet);
        }
        int length = Long.numberOfLeadingZeros(~bits & 0xFFFFFFFFL) - 32;
        // Contiguous ones then zeros only: a wildcard mask (0.0.0.255) or 255.0.255.0 is no prefix.
        return length == 32 || (bits & (0xFFFFFFFFL >>> length)) == 0 ? length : null;
    }

    /**
     * A misspelt keyword ('form' for 'from') lexes as a name; say which keyword it resembles,
     * among those the parser expected there when it expected some ('accept' after 'default
     * inbound' is not 'except').
     */
    private static String keywordHint(Token token, IntervalSet expected) {
        if (token.getType() != PolicyLexer.NAME) return null;
        String action = ACTION_SYNONYMS.get(token.getText().toLowerCase(Locale.ROOT));
        if (action != null && (expected.isNil() || expected.contains(PolicyLexer.ALLOW))) {
            return "the actions are allow, deny (drop silently) and reject: write '" + action + "'";
        }
        List<String> keywords = new ArrayList<>();
        List<String> expectedKeywords = new ArrayList<>();
        for (int type = 1; type <= PolicyLexer.VOCABULARY.getMaxTokenType(); type++) {
            if (!isKeyword(type)) continue;
            String keyword = PolicyLexer.VOCABULARY.getLiteralName(type).replace("'", "");
            keywords.add(keyword);
            if (expected.contains(type)) expectedKeywords.add(keyword);
        }
        return Suggestions.didYouMean(token.getText(), expectedKeywords.isEmpty() ? keywords : expectedKeywords);
    }

    private static boolean isFromOrTo(Token token) {
        return token.getType() == PolicyLexer.FROM || token.getType() == PolicyLexer.TO;
    }

    private static boolean isKeyword(int type) {
        String literal = PolicyLexer.VOCABULARY.getLiteralName(type);
        return literal != null && PolicyReader.isKeyword(literal.replace("'", ""));
    }
}
