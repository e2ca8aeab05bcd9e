package io.portpolicy.syntax;

import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.CommonTokenStream;

import java.util.List;

/**
 * The syntax tree of one policy file, with its token stream (comments are on the hidden
 * channel, for tools that must keep them), and the statements whose syntax errors are reported:
 * a broken definition still names something, which rules should not also call unknown.
 */
public record ParsedFile(SourceFile source, CommonTokenStream tokens,
                         List<PolicyParser.StatementContext> statements,
                         List<PolicyParser.StatementContext> broken) {
}
