package io.portpolicy.syntax;

import io.portpolicy.diag.Diagnostics;
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
import java.util.List;

/**
 * Turns the text of one policy file into its syntax tree. Syntax errors become diagnostics in
 * plain words; after an error the reader skips to the next statement and goes on, so one run
 * reports every broken statement.
 */
public final class PolicyReader {

    private PolicyReader() {
    }

    public static ParsedFile read(SourceFile source, Diagnostics diagnostics) {
        PolicyLexer lexer = new PolicyLexer(CharStreams.fromString(source.text(), source.displayPath()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        PolicyParser parser = new PolicyParser(tokens);
        parser.removeErrorListeners();
        SyntaxErrors errors = new SyntaxErrors(source, diagnostics);
        parser.setErrorHandler(errors);

        List<PolicyParser.StatementContext> statements = new ArrayList<>();
        while (tokens.LA(1) != Token.EOF) {
            errors.reset(parser);
            if (!SyntaxErrors.startsStatement(tokens.LT(1), tokens)) {
                errors.reportStray(parser);
                errors.skipToNextStatement(parser);
                continue;
            }
            PolicyParser.StatementContext fast = fastStatement(parser, tokens, errors);
            if (fast != null) {
                statements.add(fast);
                continue;
            }
            int errorsBefore = errors.count();
            try {
                PolicyParser.StatementContext statement = parser.statement();
                if (errors.count() == errorsBefore) statements.add(statement);
            } catch (RecognitionException unexpected) {
                errors.skipToNextStatement(parser);
            }
        }
        return new ParsedFile(source, tokens, statements);
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
