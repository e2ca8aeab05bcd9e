package io.portpolicy.parallel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Work split in two runs on two threads, and no further: halves of a half share its thread. */
class ConcurrentlyTest {

    @Test
    void twoHalvesRunOnTwoThreads() {
        List<Thread> threads = Concurrently.both(Thread::currentThread, Thread::currentThread);
        assertSame(Thread.currentThread(), threads.get(0));
        assertNotEquals(threads.get(0), threads.get(1));
    }

    @Test
    void theHalvesOfAHalfRunOnItsThreadInOrder() {
        List<List<Thread>> nested = Concurrently.both(
                () -> Concurrently.both(Thread::currentThread, Thread::currentThread),
                () -> Concurrently.eachInHalves(List.of(1, 2, 3), item -> Thread.currentThread()));
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), nested.get(0));
        Thread second = nested.get(1).get(0);
        assertNotEquals(Thread.currentThread(), second);
        assertEquals(List.of(second, second, second), nested.get(1));
        // Once the halves are done, this thread splits again.
        List<Thread> again = Concurrently.both(Thread::currentThread, Thread::currentThread);
        assertNotEquals(again.get(0), again.get(1));
    }

    @Test
    void whatTheSecondHalfThrowsIsRethrownAsItWas() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Concurrently.both(() -> 1, () -> {
                    throw new IllegalStateException("second");
                }));
        assertEquals("second", thrown.getMessage());
    }
}
