package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default date of --today is the day {@link LocalDate#now()} gives, in any time zone; a date
 * that is not one is a usage error in plain words.
 */
class TodayTest {

    private static final List<String> COMMANDS = List.of("lint", "compile", "diff", "query");

    @Test
    void aGivenDateIsKept() {
        assertEquals(LocalDate.of(2031, 2, 28), Main.dayOr(LocalDate.of(2031, 2, 28)));
    }

    @Test
    void aDateThatIsNotOneIsAUsageErrorNamingNoJavaClass() {
        for (String command : COMMANDS) {
            String message = refused(command, "2025-02-30");
            assertFalse(message.contains("java."), command + ": " + message);
        }
    }

    @Test
    void onlyAFourDigitYearIsADate() {
        for (String command : COMMANDS) {
            for (String date : List.of("+99999-01-01", "+2026-01-31", "-2026-01-31", "02026-01-31", "2026-1-31")) {
                refused(command, date);
            }
        }
    }

    /** What {@code command --today date} printed, having checked that it refused the date. */
    private static String refused(String command, String date) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {command, "--today", date}, InputStream.nullInputStream(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), false);
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, command + " " + date + ": " + message);
        assertTrue(message.contains("'" + date + "' is not a date: write YYYY-MM-DD"), command + ": " + message);
        return message;
    }

    @Test
    void policiesTakeTheSameDates() {
        Diagnostics diagnostics = new Diagnostics();
        Checker.check("-", new ByteArrayInputStream(
                "allow ssh expires 99999-01-01\nallow ssh expires 2026-12-31\n".getBytes(StandardCharsets.UTF_8)),
                diagnostics);
        assertEquals(1, diagnostics.size());
        assertTrue(diagnostics.sorted().get(0).message().contains("invalid date '99999-01-01'"));
    }

    @Test
    void withoutOneItIsTodayWhereThisRuns() {
        TimeZone original = TimeZone.getDefault();
        try {
            // Zones a whole day apart, and one whose offset is not in whole hours.
            for (String zone : List.of("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu",
                    "America/St_Johns", "Europe/Berlin")) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                LocalDate before = LocalDate.now();
                LocalDate day = Main.dayOr(null);
                LocalDate after = LocalDate.now();
                assertTrue(day.equals(before) || day.equals(after), zone + ": " + day + ", not " + before);
            }
        } finally {
            TimeZone.setDefault(original);
        }
    }
}
