package io.portpolicy.syntax;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.HiddenCharacters;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.antlr.PolicyLexer;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the text of one policy file into its syntax tree. Syntax errors become diagnostics in
 * plain words; after an error the reader skips to the next statement and goes on, so one run
 * reports every broken statement.
 */
public final class PolicyReader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    /** The language's keywords: the lexer's literal tokens that are words. */
    private static final Set<String> KEYWORDS = keywords();

    private PolicyReader() {
    }

    /**
     * Whether {@code text} may name an object: the language's name pattern, and not a keyword.
     * Names from outside the policy text (an inventory) are held to it as the parser holds the
     * policy's own.
     */
    public static boolean isName(String text) {
        return NAME.matcher(text).matches() && !KEYWORDS.contains(text);
    }

    /** Whether {@code text} is one of the language's reserved words. */
    public static boolean isKeyword(String text) {
        return KEYWORDS.contains(text);
    }

    private static Set<String> keywords() {
        Set<String> words = new HashSet<>();
        for (int type = 1; type <= PolicyLexer.VOCABULARY.getMaxTokenType(); type++) {
            String literal = PolicyLexer.VOCABULARY.getLiteralName(type);
            if (literal != null && Character.isLetter(literal.charAt(1))) words.add(literal.replace("'", ""));
        }
        return Set.copyOf(words);
    }

    public static ParsedFile read(SourceFile source, Diagnostics diagnostics) {
        PolicyLexer lexer = new PolicyLexer(CharStreams.fromString(source.text(), source.displayPath()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        if (HiddenCharacters.report(source, "the policy", diagnostics)) return new ParsedFile(source, tokens, List.of(), List.of());
        PolicyParser parser = new PolicyParser(tokens);
        parser.removeErrorListeners();
        SyntaxErrors errors = new SyntaxErrors(source, diagnostics);
        parser.setErrorHandler(errors);

        List<PolicyParser.StatementContext> statements = new ArrayList<>();
        List<PolicyParser.StatementContext> broken = new ArrayList<>();
        // The statement read just before, when it was read without error: a stray right after it
        // may show that it went on over a line it should not have.
        PolicyParser.StatementContext justRead = null;
        while (tokens.LA(1) != Token.EOF) {
            errors.reset(parser);
            if (!SyntaxErrors.startsStatement(tokens.LT(1), tokens)) {
                // A stray that breaks the statement before it: that statement's name is still
                // defined, but nothing in it counts (a refused address claims no address).
                if (errors.reportStray(parser, justRead == null ? null : justRead.getStart()) && justRead != null) {
                    broken.add(statements.remove(statements.size() - 1));
                }
                errors.skipToNextStatement(parser);
                justRead = null;
                continue;
            }
            justRead = fastStatement(parser, tokens, errors);
            if (justRead != null) {
                statements.add(justRead);
                continue;
            }
            int errorsBefore = errors.count();
            try {
                PolicyParser.StatementContext statement = parser.statement();
                if (errors.count() == errorsBefore) {
                    statements.add(statement);
                    justRead = statement;
                } else {
                    broken.add(statement);
                }
            } catch (RecognitionException unexpected) {
                errors.skipToNextStatement(parser);
            }
        }
        return new ParsedFile(source, tokens, statements, broken);
    }

    /**
     * The standard two-stage ANTLR strategy, one statement at a time. Stage one predicts with
     * SLL, which decides from the grammar alone and caches every decision, and gives up at the
     * first syntax error. When it succeeds the tree is the one full LL would build (ANTLR
     * guarantees this); when it fails the caller rewinds and parses the statement again in
     * full LL with the error-reporting strategy, so diagnostics are exactly as before.
     *
     * <p>This matters because {@code tcp/443} is ambiguous in the grammar (a port or an ICMP
     * type): in LL mode every such service escalates to full-context prediction, which is
     * not cached and was a quarter of the time of a large lint (docs/performance.md).
     *
     * @return the statement, or {@code null} with the input rewound to where it started
     */
    private static PolicyParser.StatementContext fastStatement(PolicyParser parser, CommonTokenStream tokens,
                                                              SyntaxErrors errors) {
        int start = tokens.index();
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(BAIL);
        try {
            return parser.statement();
        } catch (ParseCancellationException | RecognitionException slow) {
            tokens.seek(start);
            return null;
        } finally {
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            parser.setErrorHandler(errors);
        }
    }

    private static final BailErrorStrategy BAIL = new BailErrorStrategy();
}
