package io.portpolicy.model;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;

/**
 * Dates as policies ({@code expires}, {@code until}) and the command line ({@code --today})
 * write them: YYYY-MM-DD with a four-digit year, and a day that exists.
 */
public final class Dates {

    /**
     * Fixed widths: java.time's ISO parser would also take a sign and a longer year
     * ({@code +99999-01-01}), which no one means.
     */
    private static final DateTimeFormatter YYYY_MM_DD = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4)
            .appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2)
            .appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 2)
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);

    private Dates() {
    }

    /** The date {@code text} writes; {@link DateTimeParseException} when it is not one in that form. */
    public static LocalDate parse(String text) {
        return LocalDate.parse(text, YYYY_MM_DD);
    }
}
