package io.portpolicy.cli;

import org.junit.jupiter.api.Test;

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

    @Test
    void aGivenDateIsKept() {
        assertEquals(LocalDate.of(2031, 2, 28), Main.dayOr(LocalDate.of(2031, 2, 28)));
    }

    @Test
    void aDateThatIsNotOneIsAUsageErrorNamingNoJavaClass() {
        for (String command : List.of("lint", "compile", "diff", "query")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(new String[] {command, "--today", "2025-02-30"}, InputStream.nullInputStream(),
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), false);
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, exit, message);
            assertTrue(message.contains("'2025-02-30' is not a date: write YYYY-MM-DD"), command + ": " + message);
            assertFalse(message.contains("java."), command + ": " + message);
        }
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
