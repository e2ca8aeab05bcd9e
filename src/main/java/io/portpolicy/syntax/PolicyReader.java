package io.portpolicy.syntax;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.antlr.PolicyLexer;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;

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
}
